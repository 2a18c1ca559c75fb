/* vzctl's exit codes, where the meaning exists (vzctl include/vzerror.h). */
#pragma once

enum {
        EXIT_VZ_OK = 0,
        EXIT_VZ_SETUBC = 1,
        EXIT_VZ_SETFSHD = 2,
        EXIT_VZ_SYSTEM = 3,
        EXIT_VZ_ENVCREATE = 7,
        EXIT_VZ_EXEC = 8,
        EXIT_VZ_LOCKED = 9,
        EXIT_VZ_NOVE_CONFIG = 14,
        EXIT_VZ_CHKPNT = 16,
        EXIT_VZ_RESTORE = 17,
        EXIT_VZ_BAD_SYNTAX = 20,
        EXIT_VZ_BAD_VALUE = 21,
        EXIT_VZ_NOT_RUNNING = 31,
        EXIT_VZ_RUNNING = 32,
        EXIT_VZ_STOP = 33,
        EXIT_VZ_CANT_ADDIP = 34,
        EXIT_VZ_OVERCOMMIT = 36,
        EXIT_VZ_FS_NOT_MOUNTED = 40,
        EXIT_VZ_CHANGEPASS = 74,
        EXIT_VZ_IP_INUSE = 78,
        EXIT_VZ_ACTIONSCRIPT = 79,
        EXIT_VZ_SET_RATE = 80,
        EXIT_VZ_SET_DEVICES = 86,
        EXIT_VZ_VETH = 136,
        EXIT_VZ_SET_CPUMASK = 146,
        EXIT_VZ_SET_IO = 148,
        EXIT_VZ_FS_MOUNTED = 41,
        EXIT_VZ_FS_NOPRVT = 43,
        EXIT_VZ_FS_PRVT_EXISTS = 44,
        EXIT_VZ_FS_NO_DISK_SPACE = 46,
        EXIT_VZ_FS_NEW_PRVT = 48,
        EXIT_VZ_FS_CANTMOUNT = 50,
        EXIT_VZ_FS_CANTUMOUNT = 51,
        EXIT_VZ_FS_DEL_PRVT = 52,
        EXIT_VZ_FS_BAD_INIT = 56,
        EXIT_VZ_DQ_ON = 60,
        EXIT_VZ_DQ_SET = 62,
        EXIT_VZ_CP_CONFIG = 82,
        EXIT_VZ_TMPL_IN_USE = 84, /* vzctl VZ_SHARED_BASE_VE_HAS_CHILD */
        EXIT_VZ_INVALID_CONFIG = 85,
        EXIT_VZ_TMPL_NOTFOUND = 91,
        EXIT_VZ_START_DISABLED = 105,
        EXIT_VZ_APPLY_CONFIG = 109,
        EXIT_VZ_WAIT_FAILED = 133,
        EXIT_VZ_SET_NAME = 137,
        EXIT_VZ_CONF_SAVE = 139,
};

struct exit_code_doc {
        int code;
        const char *name;
        const char *meaning;
};

extern const struct exit_code_doc exit_code_docs[];
extern const unsigned exit_code_docs_count;
