/* Checked number, size and boolean parsers. Never atoi(). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

int safe_atou64(const char *s, uint64_t *ret);
int safe_atou(const char *s, unsigned *ret);
int safe_atoi(const char *s, int *ret);
/* "1G", "512M", "100K", "4096", "unlimited" (UINT64_MAX); binary units, optional trailing B. */
int parse_size(const char *s, uint64_t *ret);
/* yes/no, on/off, true/false, 1/0. */
int parse_boolean(const char *s, bool *ret);
/* Seconds with optional s/m/h suffix. */
int parse_sec(const char *s, unsigned *ret);
/* Format a size the way an operator reads it back (1G, 512M, 4096). */
void format_size(uint64_t v, char *buf, unsigned len);
