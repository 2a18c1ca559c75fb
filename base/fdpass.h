/* Passing an fd over a Unix socket (SCM_RIGHTS). */
#pragma once

/* Send fd (with one byte) on sock: 0 or -errno. */
int fd_send(int sock, int fd);
/* Receive one fd (O_CLOEXEC) from sock: the fd, -EPIPE when the peer closed without sending, or -errno. */
int fd_recv(int sock);
