/* runtime/ internals: value parsers and formatters shared by the key table (config.c) and the
 * resource keys (resources.c). */
#pragma once

#include "config.h"

int parse_uint(const struct ct_key *k, const char *v, void *field);
int format_uint(const struct ct_key *k, const void *field, char **ret);
int format_string(const struct ct_key *k, const void *field, char **ret);

int parse_pages_pair(const struct ct_key *k, const char *v, void *field);
int format_pages_pair(const struct ct_key *k, const void *field, char **ret);
int parse_count_pair(const struct ct_key *k, const char *v, void *field);
int format_count_pair(const struct ct_key *k, const void *field, char **ret);
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
