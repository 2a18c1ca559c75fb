/* vpsctl top: a live table of the CTs (CPU %, memory, swap, pids, IO and network rates, status), refreshed
 * every -d seconds and sorted by a column; -b prints frames to stdout for scripts. Plain ANSI sequences:
 * the screen is cleared and redrawn, nothing else of a terminal is assumed. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "base/log.h"
#include "cli.h"

/* sort fields: -s NAME, and the key that selects it */
enum field {
        F_CTID,
        F_NAME,
        F_STATUS,
        F_CPU,
        F_MEM,
        F_SWAP,
        F_PIDS,
        F_IORD,
        F_IOWR,
        F_NETRX,
        F_NETTX,
        F_MAX
};
static const struct {
        const char *name, *title;
        char key;
        int width;
} fields[F_MAX] = {
        [F_CTID] = { "ctid", "CTID", 't', 10 },      [F_NAME] = { "name", "NAME", 'N', 14 },
        [F_STATUS] = { "status", "STATUS", 'S', 8 }, [F_CPU] = { "cpu", "CPU%", 'c', 7 },
        [F_MEM] = { "mem", "MEM", 'm', 8 },          [F_SWAP] = { "swap", "SWAP", 'w', 8 },
        [F_PIDS] = { "pids", "PIDS", 'p', 6 },       [F_IORD] = { "ioread", "IORD/s", 'r', 9 },
        [F_IOWR] = { "iowrite", "IOWR/s", 'W', 9 },  [F_NETRX] = { "netrx", "NETRX/s", 'x', 9 },
        [F_NETTX] = { "nettx", "NETTX/s", 'X', 9 },
};

/* one CT's row: the figures of this frame and the rates since the previous one */
struct row {
        unsigned id;
        char name[64];
        const char *status;
        bool running;
        double v[F_MAX]; /* numeric value of each field (sorting and printing) */
};

struct sample {
        unsigned id;
        uint64_t cpu_us, io_r, io_w, rx, tx;
};

static enum field sort_field = F_CPU;
static bool sort_reverse; /* ascending instead of the field's natural order */

static int field_by_name(const char *s)
{
        for (int i = 0; i < F_MAX; i++)
                if (streq(s, fields[i].name))
                        return i;
        return -EINVAL;
}

static int cmp_rows(const void *pa, const void *pb)
{
        const struct row *a = pa, *b = pb;
        int c;
        /* text and id fields ascend by default, figures descend (the busiest first) */
        if (sort_field == F_NAME)
                c = strcmp(a->name, b->name);
        else if (sort_field == F_STATUS)
                c = strcmp(a->status, b->status);
        else if (sort_field == F_CTID)
                c = a->id < b->id ? -1 : a->id > b->id;
        else
                c = a->v[sort_field] > b->v[sort_field] ? -1 : a->v[sort_field] < b->v[sort_field];
        if (c == 0)
                c = a->id < b->id ? -1 : a->id > b->id;
        return sort_reverse ? -c : c;
}

static void take_sample(const ct_metrics *m, struct sample *s)
{
        *s = (struct sample){ .id = m->id };
        if (!m->have_stats)
                return;
        s->cpu_us = m->stats.cpu_usage_us;
        s->io_r = m->stats.io_rbytes;
        s->io_w = m->stats.io_wbytes;
        for (size_t i = 0; i < m->n_links; i++) {
                s->rx += m->links[i].rx_bytes;
                s->tx += m->links[i].tx_bytes;
        }
}

static double now_s(void)
{
        struct timespec ts;
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "512K", "1.5M", "3.2G": bytes in a few characters */
static void human(char *buf, size_t len, double v)
{
        static const char units[] = "BKMGTP";
        size_t u = 0;
        while (v >= 1024 && u < sizeof(units) - 2) {
                v /= 1024;
                u++;
        }
        if (u == 0)
                snprintf(buf, len, "%.0f", v);
        else
                snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

static void cell(FILE *f, const struct row *r, enum field fi, int width)
{
        char buf[64];
        if (fi == F_CTID)
                snprintf(buf, sizeof(buf), "%u", r->id);
        else if (fi == F_NAME)
                snprintf(buf, sizeof(buf), "%s", r->name[0] ? r->name : "-");
        else if (fi == F_STATUS)
                snprintf(buf, sizeof(buf), "%s", r->status);
        else if (!r->running)
                snprintf(buf, sizeof(buf), "-");
        else if (fi == F_CPU)
                snprintf(buf, sizeof(buf), "%.1f", r->v[fi]);
        else if (fi == F_PIDS)
                snprintf(buf, sizeof(buf), "%.0f", r->v[fi]);
        else
                human(buf, sizeof(buf), r->v[fi]);
        if (fi == F_NAME || fi == F_STATUS)
                fprintf(f, " %-*.*s", width, width, buf);
        else
                fprintf(f, " %*.*s", width, width, buf);
}

struct top {
        bool batch;
        double delay;
        struct sample *prev;
        size_t n_prev;
        double t_prev;
        struct row *rows;
        size_t n_rows;
};

/* Collect a frame: rows with rates against the previous sample. */
static int collect(struct top *t)
{
        ct_metrics *m = NULL;
        size_t n = 0;
        int r = ct_metrics_collect(&cli_paths, NULL, 0, CT_METRICS_NET, &m, &n);
        if (r < 0)
                return r;
        double now = now_s(), dt = t->prev ? now - t->t_prev : 0;
        struct sample *cur = calloc(n ? n : 1, sizeof(*cur));
        struct row *rows = calloc(n ? n : 1, sizeof(*rows));
        if (!cur || !rows) {
                free(cur);
                free(rows);
                ct_metrics_free(m, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                take_sample(&m[i], &cur[i]);
                struct row *w = &rows[i];
                w->id = m[i].id;
                snprintf(w->name, sizeof(w->name), "%s", m[i].name ? m[i].name : "");
                w->running = m[i].running;
                w->status = !m[i].running ? "stopped" : m[i].frozen ? "frozen" : "running";
                if (!m[i].have_stats)
                        continue;
                w->v[F_MEM] = (double)m[i].stats.mem.held;
                w->v[F_SWAP] = (double)m[i].stats.swap.held;
                w->v[F_PIDS] = (double)m[i].stats.pids.held;
                /* the previous sample of the same CT: both lists are sorted by CTID */
                const struct sample *p = NULL;
                for (size_t j = 0; j < t->n_prev && !p; j++)
                        if (t->prev[j].id == w->id)
                                p = &t->prev[j];
                if (!p || dt <= 0)
                        continue;
#define RATE(a, b) ((a) >= (b) ? (double)((a) - (b)) / dt : 0)
                w->v[F_CPU] = RATE(cur[i].cpu_us, p->cpu_us) / 1e4; /* us per s -> percent of one CPU */
                w->v[F_IORD] = RATE(cur[i].io_r, p->io_r);
                w->v[F_IOWR] = RATE(cur[i].io_w, p->io_w);
                w->v[F_NETRX] = RATE(cur[i].rx, p->rx);
                w->v[F_NETTX] = RATE(cur[i].tx, p->tx);
#undef RATE
        }
        ct_metrics_free(m, n);
        free(t->prev);
        free(t->rows);
        t->prev = cur;
        t->n_prev = n;
        t->t_prev = now;
        t->rows = rows;
        t->n_rows = n;
        qsort(t->rows, t->n_rows, sizeof(*t->rows), cmp_rows);
        return 0;
}

static void draw(const struct top *t, FILE *f, unsigned width, unsigned height)
{
        size_t running = 0, frozen = 0;
        for (size_t i = 0; i < t->n_rows; i++) {
                running += t->rows[i].running;
                frozen += t->rows[i].running && streq(t->rows[i].status, "frozen");
        }
        char clock[16] = "";
        time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm))
                strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
        char line[1024];
        int len = snprintf(line, sizeof(line),
                           "vpsctl top - %s  CTs: %zu, %zu running, %zu frozen  every %.1fs  sort: %s%s",
                           clock, t->n_rows, running, frozen, t->delay, fields[sort_field].name,
                           sort_reverse ? " (reversed)" : "");
        fprintf(f, "%.*s\n", (int)MIN((unsigned)MAX(len, 0), width), line);
        if (!t->batch)
                fprintf(f, "%.*s\n", (int)width,
                        "keys: c cpu  m mem  w swap  p pids  r/W io  x/X net  t ctid  N name  S status  "
                        "R reverse  q quit");
        /* the header in reverse video when interactive; as many columns as fit */
        char hdr[512];
        size_t hl = 0;
        int ncols = 0;
        for (int i = 0; i < F_MAX; i++) {
                int k = snprintf(hdr + hl, sizeof(hdr) - hl,
                                 fields[i].width && (i == F_NAME || i == F_STATUS) ? " %-*s" : " %*s",
                                 fields[i].width, fields[i].title);
                if (k < 0 || hl + (size_t)k > width || hl + (size_t)k >= sizeof(hdr))
                        break;
                hl += (size_t)k;
                ncols++;
        }
        hdr[hl] = 0;
        fprintf(f, "%s%s%s\n", t->batch ? "" : "\033[7m", hdr, t->batch ? "" : "\033[0m");
        size_t max_rows = t->batch ? t->n_rows : (height > 4 ? height - 4 : 0);
        for (size_t i = 0; i < t->n_rows && i < max_rows; i++) {
                for (int c = 0; c < ncols; c++)
                        cell(f, &t->rows[i], (enum field)c, fields[c].width);
                fputc('\n', f);
        }
}

/* The terminal as we found it, restored at exit and on the signals that end us. */
static struct termios saved_tio;
static bool tio_saved;
static volatile sig_atomic_t got_signal, got_winch;

static void restore_terminal(void)
{
        if (tio_saved)
                (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
        tio_saved = false;
        /* the cursor back, the alternate screen left */
        fputs("\033[?25h\033[?1049l", stdout);
        fflush(stdout);
}

static void on_signal(int sig)
{
        if (sig == SIGWINCH)
                got_winch = 1;
        else
                got_signal = sig;
}

static void term_size(unsigned *w, unsigned *h)
{
        struct winsize ws;
        *w = 80;
        *h = 24;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
                *w = ws.ws_col;
                *h = ws.ws_row;
        }
}

/* A key changes the order or quits: 1 quit, 0 go on. */
static int handle_key(char k)
{
        if (k == 'q' || k == 'Q' || k == 3 /* ^C without ISIG */)
                return 1;
        if (k == 'R') {
                sort_reverse = !sort_reverse;
                return 0;
        }
        for (int i = 0; i < F_MAX; i++)
                if (k == fields[i].key) {
                        sort_field = (enum field)i;
                        sort_reverse = false;
                }
        return 0;
}

/* Wait up to the delay, or until a key, a resize or a signal. 1: quit, 2: a key changed the order (redraw
 * without a new sample), 0: time for the next frame. */
static int wait_input(const struct top *t, double delay)
{
        double end = now_s() + delay;
        for (;;) {
                double left = end - now_s();
                if (left <= 0 || got_signal || got_winch)
                        return got_signal ? 1 : 0;
                if (t->batch) {
                        struct timespec ts = { .tv_sec = (time_t)left,
                                               .tv_nsec = (long)((left - (double)(time_t)left) * 1e9) };
                        (void)nanosleep(&ts, NULL);
                        continue;
                }
                struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
                int k = poll(&p, 1, (int)(left * 1000) + 1);
                if (k <= 0)
                        continue;
                char c;
                ssize_t got = read(STDIN_FILENO, &c, 1);
                if (got <= 0)
                        return 1; /* the terminal went away */
                if (handle_key(c))
                        return 1;
                return 2;
        }
}

static int parse_delay(const char *s, double *ret)
{
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (errno || end == s || *end || !(d >= 0.1 && d <= 3600))
                return -EINVAL;
        *ret = d;
        return 0;
}

int verb_top(int argc, char **argv)
{
        static const struct option opts[] = {
                { "delay", required_argument, NULL, 'd' },
                { "batch", no_argument, NULL, 'b' },
                { "iterations", required_argument, NULL, 'n' },
                { "sort", required_argument, NULL, 's' },
                {},
        };
        struct top t = { .delay = 2 };
        unsigned iterations = 0; /* 0: until q */
        int o;

        optind = 1;
        while ((o = getopt_long(argc, argv, "d:bn:s:", opts, NULL)) >= 0) {
                if (o == 'd') {
                        if (parse_delay(optarg, &t.delay) < 0)
                                return cli_usage_error("top", "-d %s: seconds between 0.1 and 3600", optarg);
                } else if (o == 'b')
                        t.batch = true;
                else if (o == 'n') {
                        char *end;
                        errno = 0;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (errno || end == optarg || *end || v == 0 || v > 1000000 || optarg[0] == '-')
                                return cli_usage_error("top", "-n %s: a number of frames, 1 or more",
                                                       optarg);
                        iterations = (unsigned)v;
                } else if (o == 's') {
                        const char *s = optarg;
                        bool rev = s[0] == '-';
                        int f = field_by_name(rev ? s + 1 : s);
                        if (f < 0)
                                return cli_usage_error(
                                        "top",
                                        "-s %s: one of ctid, name, status, cpu, mem, swap, pids, "
                                        "ioread, iowrite, netrx, nettx (- before it: reversed)",
                                        optarg);
                        sort_field = (enum field)f;
                        sort_reverse = rev;
                } else
                        return cli_usage_error("top", "unknown option");
        }
        if (optind != argc)
                return cli_usage_error("top", "no arguments are taken");
        if (!t.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
                return cli_usage_error("top", "not a terminal: use -b for batch output");

        struct sigaction sa = { .sa_handler = on_signal };
        sigemptyset(&sa.sa_mask);
        (void)sigaction(SIGINT, &sa, NULL);
        (void)sigaction(SIGTERM, &sa, NULL);
        (void)sigaction(SIGHUP, &sa, NULL);
        if (!t.batch) {
                (void)sigaction(SIGWINCH, &sa, NULL);
                if (tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
                        struct termios raw = saved_tio;
                        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
                        raw.c_cc[VMIN] = 1;
                        raw.c_cc[VTIME] = 0;
                        tio_saved = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
                }
                /* the alternate screen, the cursor hidden */
                fputs("\033[?1049h\033[?25l", stdout);
        }

        int rc = 0, r;
        /* a first sample, so that the first frame has rates: over a short interval */
        if ((r = collect(&t)) < 0)
                goto fail;
        if (wait_input(&t, MIN(t.delay, 0.5)) == 1)
                goto done;
        for (unsigned frame = 0, resort = 0; !got_signal;) {
                if (resort)
                        qsort(t.rows, t.n_rows, sizeof(*t.rows), cmp_rows);
                else if ((r = collect(&t)) < 0)
                        goto fail;
                unsigned w = 1000, h = 0;
                if (!t.batch)
                        term_size(&w, &h);
                got_winch = 0;
                if (!t.batch)
                        fputs("\033[H\033[2J", stdout);
                else if (frame > 0)
                        fputc('\n', stdout);
                draw(&t, stdout, w, h);
                fflush(stdout);
                if (iterations && ++frame >= iterations)
                        break;
                /* a key redraws at once; the next sample comes when the delay since the last is over */
                double next = t.t_prev + t.delay;
                r = wait_input(&t, MAX(next - now_s(), 0.0));
                if (r == 1)
                        break;
                resort = r == 2;
        }
        goto done;
fail:
        if (!t.batch)
                restore_terminal();
        t.batch = true; /* restored once */
        log_error_errno(r, "Failed to read the CTs' figures: %m");
        rc = EXIT_VZ_SYSTEM;
done:
        if (!t.batch)
                restore_terminal();
        free(t.prev);
        free(t.rows);
        return rc;
}
