#ifndef SMILEY_SYSTEM_H
#define SMILEY_SYSTEM_H

/// Asks the kernel (adjtimex) whether the system clock is synchronized.
/// Returns 1 when synchronized, 0 when not (TIME_ERROR or STA_UNSYNC), -1 on error (errno set).
int smiley_kernel_clock_synchronized(void);

/// pipe2(fds, O_CLOEXEC | O_NONBLOCK): Glibc's Swift module hides pipe2 (a GNU extension).
int smiley_pipe_cloexec_nonblock(int fds[2]);

/// getrandom(buffer, length, 0): the kernel's generator without a file descriptor (Glibc's Swift
/// module does not export <sys/random.h>). Returns the bytes written, or -1 (errno set).
long smiley_getrandom(void *buffer, unsigned long length);

#endif
