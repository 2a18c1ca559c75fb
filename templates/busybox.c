/* The built-in busybox template: a small distribution from Debian's busybox-static, offline. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "templates-internal.h"

/* A busybox with a dynamic loader would not run inside the CT: insist on a static binary. */
int tmpl_check_static_elf(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        Elf64_Ehdr eh;

        if (fd < 0)
                return negative_errno();
        if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
                return -ENOEXEC;
        if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
                return -ENOEXEC;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize)) !=
                    (ssize_t)sizeof(ph))
                        return -ENOEXEC;
                if (ph.p_type == PT_INTERP)
                        return -ELIBBAD;
        }
        return 0;
}

/* Run BUSYBOX --list-full and return its output. */
static int list_applets(const char *busybox, char **ret)
{
        int pfd[2];
        pid_t pid;
        posix_spawn_file_actions_t fa;
        char *argv[] = { (char *)busybox, (char *)"--list-full", NULL };
        char *envp[] = { NULL };

        if (pipe2(pfd, O_CLOEXEC) < 0)
                return negative_errno();
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
        int r = -posix_spawn(&pid, busybox, &fa, NULL, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        safe_close(pfd[1]);
        if (r < 0) {
                safe_close(pfd[0]);
                return r;
        }
        char *buf = NULL;
        size_t len = 0;
        _cleanup_fclose_ FILE *f = fdopen(pfd[0], "r");
        if (!f) {
                safe_close(pfd[0]);
                r = negative_errno();
        } else {
                FILE *m = open_memstream(&buf, &len);
                char tmp[4096];
                size_t n;
                while (m && (n = fread(tmp, 1, sizeof(tmp), f)) > 0)
                        fwrite(tmp, 1, n, m);
                if (m)
                        fclose(m);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0 || !buf || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                free(buf);
                return r < 0 ? r : -ENOEXEC;
        }
        *ret = buf;
        return 0;
}

static const struct {
        const char *path;
        mode_t mode;
        const char *content;
} skeleton[] = {
        { "etc/inittab", 0644,
          "# /etc/inittab: busybox init, vpsctl built-in template\n"
          "::sysinit:/etc/init.d/rcS\n"
          "::shutdown:/etc/init.d/rcK\n"
          "::ctrlaltdel:/sbin/reboot\n"
          "::restart:/sbin/init\n" },
        { "etc/init.d/rcS", 0755,
          "#!/bin/sh\n"
          "# System start: mounts, hostname, then every /etc/rc.d/S* script in order. Shell builtins "
          "wherever a\n"
          "# command is not needed (each command is a fork and an exec: at density a CT boots beside the "
          "next\n"
          "# one's start).\n"
          "PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
          "export PATH\n"
          "mounts=\" \"\n"
          "if [ -r /proc/mounts ]; then while read -r _ m _; do mounts=\"$mounts$m \"; done </proc/mounts; "
          "fi\n"
          "mounted() { case \"$mounts\" in *\" $1 \"*) return 0 ;; esac; return 1; }\n"
          "mounted /proc || mount -t proc -o nosuid,nodev,noexec proc /proc\n"
          "mounted /run || mount -t tmpfs -o mode=0755,nosuid,nodev,size=16m tmpfs /run\n"
          "mounted /tmp || mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp\n"
          "mkdir -p /run/lock /var/log\n"
          "# /etc/fstab's entries, if it has any\n"
          "if [ -r /etc/fstab ]; then while read -r f _; do case \"$f\" in '' | '#'*) ;; *) mount -a "
          "2>/dev/null; break ;; esac; done </etc/fstab; fi\n"
          "if [ -s /etc/hostname ]; then\n"
          "        read -r h </etc/hostname; read -r k </proc/sys/kernel/hostname\n"
          "        [ \"$h\" = \"$k\" ] || hostname -F /etc/hostname\n"
          "fi\n"
          "# lo is up already where the runtime brought it up (flags bit 0: IFF_UP)\n"
          "{ read -r f </sys/class/net/lo/flags; } 2>/dev/null\n"
          "[ $((${f:-0} & 1)) = 1 ] || ip link set lo up 2>/dev/null\n"
          ": > /run/utmp\n"
          "for s in /etc/rc.d/S*; do [ -x \"$s\" ] && \"$s\" start; done\n"
          "# tells `vpsctl start --wait` that the boot scripts have finished\n"
          ": > /run/boot-complete\n" },
        { "etc/init.d/rcK", 0755,
          "#!/bin/sh\n"
          "# System stop: every /etc/rc.d/K* script, then sync.\n"
          "PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
          "rm -f /run/boot-complete\n"
          "for s in /etc/rc.d/K*; do [ -x \"$s\" ] && \"$s\" stop; done\n"
          "sync\n" },
        { "etc/passwd", 0644,
          "root:x:0:0:root:/root:/bin/sh\n"
          "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" },
        { "etc/group", 0644, "root:x:0:\ndaemon:x:1:\ntty:x:5:\nnogroup:x:65534:\n" },
        { "etc/shadow", 0600,
          "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n" },
        { "etc/hostname", 0644, "localhost\n" },
        { "etc/hosts", 0644, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" },
        { "etc/resolv.conf", 0644, "" },
        { "etc/fstab", 0644, "# <file system> <mount point> <type> <options> <dump> <pass>\n" },
        { "etc/shells", 0644, "/bin/sh\n/bin/ash\n" },
        { "etc/profile", 0644,
          "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
          "export PS1='\\u@\\h:\\w\\$ '\n" },
        { "etc/os-release", 0644,
          "NAME=\"vpsctl busybox\"\nID=busybox\nPRETTY_NAME=\"vpsctl busybox template\"\n"
          "HOME_URL=\"https://busybox.net/\"\n" },
        { "etc/securetty", 0644, "console\npts/0\npts/1\npts/2\npts/3\n" },
};

static const char *const skeleton_dirs[] = {
        "bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc",     "etc/init.d", "etc/rc.d", "proc", "sys",
        "dev", "run",  "tmp", "var",     "var/log",  "var/tmp", "root",       "home",     "mnt",  "lib",
};

int tmpl_populate_busybox(int rfd, const char *busybox)
{
        int r;

        for (size_t i = 0; i < ELEMENTSOF(skeleton_dirs); i++)
                if (mkdirat(rfd, skeleton_dirs[i], 0755) < 0 && errno != EEXIST)
                        return negative_errno();
        /* mkdir's mode is cut by the umask; sticky and private bits are set explicitly */
        if (fchmodat(rfd, "tmp", 01777, 0) < 0 || fchmodat(rfd, "var/tmp", 01777, 0) < 0 ||
            fchmodat(rfd, "root", 0700, 0) < 0)
                return negative_errno();
        if (symlinkat("../run", rfd, "var/run") < 0 && errno != EEXIST)
                return negative_errno();

        r = copy_file_at(AT_FDCWD, busybox, rfd, "bin/busybox", 0755);
        if (r < 0)
                return r;

        _cleanup_free_ char *list = NULL;
        r = list_applets(busybox, &list);
        if (r < 0)
                return r;
        for (char *save = NULL, *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (streq(l, "bin/busybox") || strstr(l, ".."))
                        continue;
                /* relative link back to /bin/busybox from where the applet lives */
                char target[256] = "";
                for (const char *p = strchr(l, '/'); p; p = strchr(p + 1, '/'))
                        strncat(target, "../", sizeof(target) - strlen(target) - 1);
                strncat(target, "bin/busybox", sizeof(target) - strlen(target) - 1);
                if (symlinkat(target, rfd, l) < 0 && errno != EEXIST)
                        return negative_errno();
        }
        for (size_t i = 0; i < ELEMENTSOF(skeleton); i++) {
                _cleanup_close_ int fd =
                        openat(rfd, skeleton[i].path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                               skeleton[i].mode);
                if (fd < 0)
                        return negative_errno();
                r = loop_write(fd, skeleton[i].content, strlen(skeleton[i].content));
                if (r < 0)
                        return r;
                if (fchmod(fd, skeleton[i].mode) < 0)
                        return negative_errno();
        }
        return 0;
}
