/* vpsctl seccomp show CTID: the system calls the CT's filter denies. */
#include <stdio.h>

#include "cli.h"

int verb_seccomp(int argc, char **argv)
{
        if (argc != 3 || !streq(argv[1], "show"))
                return cli_usage_error("seccomp", "expected: seccomp show CTID");
        _cleanup_ct_ ct *c = NULL;
        int rc = cli_open_ct(argv[2], "seccomp", false, true, &c);
        if (rc != 0)
                return rc;
        printf("CT %u ", c->id);
        return ct_seccomp_show(&c->cfg) < 0 ? EXIT_VZ_SYSTEM : 0;
}
