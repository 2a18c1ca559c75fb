#!/usr/bin/env python3
"""Drive `vpsctl console CTID` on a pty, as an operator's terminal would: wait for the banner, run a
command on the CT's console, detach with the given key sequence. Prints one line per step; exit 0 when
every step worked."""
import os, pty, select, sys, time

vpsctl, ctid, detach = sys.argv[1], sys.argv[2], sys.argv[3].encode().decode("unicode_escape").encode("latin1")
pid, fd = pty.fork()
if pid == 0:
    os.execv(vpsctl, [vpsctl, "console", ctid])

def read_until(pat, timeout=15):
    buf, end = b"", time.time() + timeout
    while time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            buf += d
            if pat in buf:
                return True
    return False

ok = read_until(b"Attached to the console of CT " + ctid.encode())
print("banner", ok)
os.write(fd, b"\r")
os.write(fd, b"echo console-$((6*7))-ok\r")
ok2 = read_until(b"console-42-ok")
print("command", ok2)
os.write(fd, detach)
ok3 = read_until(b"Detached from the console of CT " + ctid.encode(), 5)
print("detached", ok3)
end = time.time() + 5
rc = None
while time.time() < end:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        rc = os.waitstatus_to_exitcode(st)
        break
    time.sleep(0.05)
print("exit", rc)
sys.exit(0 if ok and ok2 and ok3 and rc == 0 else 1)
