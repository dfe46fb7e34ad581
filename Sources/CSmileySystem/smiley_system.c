#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <sys/random.h>
#include "smiley_system.h"
#include <sys/timex.h>

int smiley_kernel_clock_synchronized(void) {
    struct timex tx = {0};
    int state = adjtimex(&tx);
    if (state == -1) {
        return -1;
    }
    if (state == TIME_ERROR || (tx.status & STA_UNSYNC)) {
        return 0;
    }
    return 1;
}

int smiley_pipe_cloexec_nonblock(int fds[2]) {
    return pipe2(fds, O_CLOEXEC | O_NONBLOCK);
}

long smiley_getrandom(void *buffer, unsigned long length) {
    return (long)getrandom(buffer, (size_t)length, 0);
}
