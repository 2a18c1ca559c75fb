/* templates/ internals shared by the cache and the recipes. */
#pragma once

#include "templates.h"

/* Open TEMPLATES_DIR/NAME (creating it if asked) and take its build lock (flock). */
int tmpl_open_dir(const char *templates_dir, const char *name, bool create, int *ret_dfd, int *ret_lockfd);
/* A new, sortable generation name: YYYYmmdd-HHMMSS-NNNNNNNNN. */
int tmpl_new_generation_name(char **ret);
/* fsync, rename BUILD_DIR to GEN, atomically point "current" at it. */
int tmpl_commit_generation(int tdfd, const char *build_dir, const char *gen);
