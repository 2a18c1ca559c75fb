/* Unit tests: number, size, boolean and duration parsers; CTID and name validation. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/parse.h"
#include "runtime/config.h"
#include "test-helpers.h"

static void test_sizes(void)
{
        uint64_t v;
        CHECK(parse_size("4096", &v) == 0 && v == 4096);
        CHECK(parse_size("1K", &v) == 0 && v == 1024);
        CHECK(parse_size("512M", &v) == 0 && v == 512ULL << 20);
        CHECK(parse_size("1G", &v) == 0 && v == 1ULL << 30);
        CHECK(parse_size("1g", &v) == 0 && v == 1ULL << 30);
        CHECK(parse_size("2GB", &v) == 0 && v == 2ULL << 30);
        CHECK(parse_size("3T", &v) == 0 && v == 3ULL << 40);
        CHECK(parse_size("unlimited", &v) == 0 && v == UINT64_MAX);
        CHECK(parse_size("", &v) == -EINVAL);
        CHECK(parse_size("-1", &v) == -EINVAL);
        CHECK(parse_size("1X", &v) == -EINVAL);
        CHECK(parse_size("1G5", &v) == -EINVAL);
        CHECK(parse_size(" 1", &v) == -EINVAL);
        CHECK(parse_size("99999999999999999999", &v) == -ERANGE);
        CHECK(parse_size("20000000P", &v) == -ERANGE);

        char buf[32];
        format_size(1ULL << 30, buf, sizeof(buf));
        CHECK_STREQ(buf, "1G");
        format_size(1536ULL << 20, buf, sizeof(buf));
        CHECK_STREQ(buf, "1536M");
        format_size(1000, buf, sizeof(buf));
        CHECK_STREQ(buf, "1000");
        format_size(UINT64_MAX, buf, sizeof(buf));
        CHECK_STREQ(buf, "unlimited");
}

static void test_numbers(void)
{
        uint64_t u;
        unsigned x;
        int i;
        bool b;
        CHECK(safe_atou64("18446744073709551615", &u) == 0 && u == UINT64_MAX);
        CHECK(safe_atou64("18446744073709551616", &u) == -ERANGE);
        CHECK(safe_atou64("12a", &u) == -EINVAL);
        CHECK(safe_atou64("-1", &u) == -EINVAL);
        CHECK(safe_atou("4294967296", &x) == -ERANGE);
        CHECK(safe_atoi("-5", &i) == 0 && i == -5);
        CHECK(safe_atoi("2147483648", &i) == -ERANGE);
        CHECK(safe_atoi("", &i) == -EINVAL);
        CHECK(parse_boolean("yes", &b) == 0 && b);
        CHECK(parse_boolean("OFF", &b) == 0 && !b);
        CHECK(parse_boolean("maybe", &b) == -EINVAL);
        CHECK(parse_sec("90", &x) == 0 && x == 90);
        CHECK(parse_sec("2m", &x) == 0 && x == 120);
        CHECK(parse_sec("1h", &x) == 0 && x == 3600);
        CHECK(parse_sec("1d", &x) == -EINVAL);
}

static void test_names(void)
{
        CHECK(hostname_is_valid("ct101.example.com"));
        CHECK(hostname_is_valid("a"));
        CHECK(!hostname_is_valid("bad host"));
        CHECK(!hostname_is_valid("-lead"));
        CHECK(!hostname_is_valid("trail-"));
        CHECK(!hostname_is_valid("a..b"));
        CHECK(!hostname_is_valid(""));
        CHECK(!hostname_is_valid("x_y"));
        CHECK(ct_name_is_valid("web1"));
        CHECK(ct_name_is_valid("db.prod-2"));
        CHECK(!ct_name_is_valid("101"));
        CHECK(!ct_name_is_valid("-x"));
        CHECK(!ct_name_is_valid("a b"));
        CHECK(!ct_name_is_valid("a/b"));

        char *s;
        CHECK(ct_subst_veid("/vz/root/$VEID", 101, &s) == 0);
        CHECK_STREQ(s, "/vz/root/101");
        free(s);
        CHECK(ct_subst_veid("/x/${VEID}/y/$CTID", 7, &s) == 0);
        CHECK_STREQ(s, "/x/7/y/7");
        free(s);
}

int main(void)
{
        test_sizes();
        test_numbers();
        test_names();
        return t_finish();
}
