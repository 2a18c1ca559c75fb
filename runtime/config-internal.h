/* runtime/ internals: the value parsers and formatters behind the key table (config.c), in
 * config-values.c (resources), config-net.c and config-security.c, for the engine files that apply them. */
#pragma once

#include <stdbool.h>
#include <sys/capability.h>

#include "cgroups/cgroups.h"
#include "config.h"

int parse_uint(const struct ct_key *k, const char *v, void *field);
int format_uint(const struct ct_key *k, const void *field, char **ret);
int format_string(const struct ct_key *k, const void *field, char **ret);

int parse_pages_pair(const struct ct_key *k, const char *v, void *field);
int format_pages_pair(const struct ct_key *k, const void *field, char **ret);
int parse_count_pair(const struct ct_key *k, const char *v, void *field);
int format_count_pair(const struct ct_key *k, const void *field, char **ret);
int parse_kb_pair(const struct ct_key *k, const char *v, void *field);
int format_kb_pair(const struct ct_key *k, const void *field, char **ret);
int parse_memguarantee(const struct ct_key *k, const char *v, void *field);
int format_memguarantee(const struct ct_key *k, const void *field, char **ret);
int parse_cpulimit(const struct ct_key *k, const char *v, void *field);
int format_cpulimit(const struct ct_key *k, const void *field, char **ret);
int parse_cpumask(const struct ct_key *k, const char *v, void *field);
int parse_u64(const struct ct_key *k, const char *v, void *field);
int format_u64(const struct ct_key *k, const void *field, char **ret);
int parse_int_range(const struct ct_key *k, const char *v, void *field);
int format_int(const struct ct_key *k, const void *field, char **ret);
int option_ram(const char *opt, char **ret);
int option_iolimit(const char *opt, char **ret);

/* config-security.c: walk CAPABILITY ("net_admin:off sys_time:on", spaces or commas), calling fn (may be
 * NULL: only check) with each capability's number; -EINVAL on a bad entry. */
int ct_cap_settings_foreach(const char *list, int (*fn)(cap_value_t v, bool on, void *u), void *u);
/* DEVICES as cgroup device rules: the CT's own first, then the standard nodes. -EINVAL on a bad entry. */
int ct_device_rules(const char *list, cg_device_rule **ret, size_t *ret_n);
