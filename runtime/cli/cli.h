/* The vpsctl command line: one table of verbs, one file per verb. */
#pragma once

#include <stdbool.h>

#include "runtime/ct.h"
#include "runtime/exitcodes.h"

struct verb {
        const char *name;
        int (*run)(int argc, char **argv);
        bool touches_ct; /* joins or spawns into a CT: re-exec from a sealed memfd first */
        const char *usage;
        const char *summary;
};

extern const struct verb verbs[];
extern struct ct_paths cli_paths;

/* Resolve argv's CTID/name (exit code on failure), load the CT, optionally lock it for `verb`. */
int cli_open_ct(const char *arg, const char *verb, bool lock, bool must_exist, ct **ret);
/* Map a negative errno from a lifecycle call to an exit code, given the verb's default. */
int cli_exit_code(int r, int fallback);
/* Print usage of a verb to stderr and return EXIT_VZ_BAD_SYNTAX. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int verb_create(int argc, char **argv);
int verb_start(int argc, char **argv);
int verb_stop(int argc, char **argv);
int verb_restart(int argc, char **argv);
int verb_status(int argc, char **argv);
int verb_mount(int argc, char **argv);
int verb_umount(int argc, char **argv);
int verb_destroy(int argc, char **argv);
int verb_exec(int argc, char **argv);
int verb_exec2(int argc, char **argv);
int verb_enter(int argc, char **argv);
int verb_set(int argc, char **argv);
int verb_list(int argc, char **argv);
int verb_stat(int argc, char **argv);
int verb_check(int argc, char **argv);
int verb_help(int argc, char **argv);
