#include "base/macro.h"
#include "exitcodes.h"

const struct exit_code_doc exit_code_docs[] = {
        { EXIT_VZ_OK, "-", "success" },
        { EXIT_VZ_SYSTEM, "VZ_SYSTEM_ERROR", "system error (the message says which call failed)" },
        { 4, "VZ_NOMEM_ERROR", "out of memory" },
        { EXIT_VZ_ENVCREATE, "VZ_ENVCREATE_ERROR", "the CT could not be started (namespaces, mounts, init)" },
        { EXIT_VZ_EXEC, "VZ_COMMAND_EXECUTION_ERROR", "exec: the command failed or could not be run" },
        { EXIT_VZ_LOCKED, "VZ_LOCKED", "the CT is locked by another vpsctl command (its pid is named)" },
        { EXIT_VZ_NOVE_CONFIG, "VZ_NOVE_CONFIG", "the CT does not exist (no CTID.conf), or no CT has that name" },
        { EXIT_VZ_BAD_SYNTAX, "VZ_INVALID_PARAMETER_SYNTAX", "bad command line: unknown option, bad CTID, missing argument" },
        { EXIT_VZ_BAD_VALUE, "VZ_INVALID_PARAMETER_VALUE", "bad value of a parameter (command line or config file:line)" },
        { EXIT_VZ_NOT_RUNNING, "VZ_VE_NOT_RUNNING", "the CT is not running" },
        { EXIT_VZ_RUNNING, "VZ_VE_RUNNING", "the CT is running (start) or must be stopped first (destroy, umount)" },
        { EXIT_VZ_STOP, "VZ_STOP_ERROR", "the CT could not be stopped" },
        { EXIT_VZ_FS_NOT_MOUNTED, "VZ_FS_NOT_MOUNTED", "the CT's root is not mounted" },
        { EXIT_VZ_FS_MOUNTED, "VZ_FS_MOUNTED", "the CT's root is already mounted" },
        { EXIT_VZ_FS_PRVT_EXISTS, "VZ_FS_PRVT_AREA_EXIST", "the CT (or its private area) already exists" },
        { EXIT_VZ_FS_NEW_PRVT, "VZ_FS_NEW_VE_PRVT", "the private area could not be created" },
        { EXIT_VZ_FS_CANTMOUNT, "VZ_FS_CANTMOUNT", "the CT's root could not be mounted" },
        { EXIT_VZ_FS_CANTUMOUNT, "VZ_FS_CANTUMOUNT", "the CT's root could not be unmounted" },
        { EXIT_VZ_FS_DEL_PRVT, "VZ_FS_DEL_PRVT", "the private area could not be removed" },
        { EXIT_VZ_FS_BAD_INIT, "VZ_FS_BAD_SBIN_INIT", "the CT has no executable /sbin/init" },
        { EXIT_VZ_TMPL_NOTFOUND, "VZ_PKGSET_NOT_FOUND", "the OS template is not found" },
        { EXIT_VZ_START_DISABLED, "VZ_VE_START_DISABLED", "the CT is disabled (DISABLED=yes); start --force overrides" },
        { EXIT_VZ_WAIT_FAILED, "VZ_WAIT_FAILED", "start --wait: the guest did not finish booting in time" },
        { EXIT_VZ_SET_NAME, "VZ_SET_NAME_ERROR", "the name is already used by another CT" },
        { EXIT_VZ_CONF_SAVE, "VZ_CONF_SAVE_ERROR", "the config file could not be written" },
};
const unsigned exit_code_docs_count = ELEMENTSOF(exit_code_docs);
