/*
 * simdrive: drives gpio-sim lines with real timing, inside the hardware-in-the-loop VM.
 *
 *   simdrive CHIPDIR STEP...        CHIPDIR = /sys/devices/platform/gpio-sim.N/gpiochipM
 *     dN       pull line N down (a button to ground pressed, with pull-up wiring)
 *     uN       pull line N up (released)
 *     wUS      wait US microseconds
 *   simdrive CHIPDIR watch N MS     prints line N's value changes for MS milliseconds, sampled
 *                                   every millisecond: "0@0 1@12 0@315" (ms since start)
 *   simdrive CHIPDIR burst N,N,...  presses the lines in turn (20-60 ms down, 30-90 ms up, a few
 *                                   bounces) until killed; prints "BURST-PRESS n" after each press
 *
 * Sleeps are absolute (clock_nanosleep on CLOCK_MONOTONIC from the start), so a bounce of 8 flips
 * in 5 ms takes 5 ms, not 5 ms plus the cost of every write.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINES 64

static const char *chip_dir;
static int pull_fds[MAX_LINES];
static struct timespec next;

static int pull_fd(int line) {
    if (line < 0 || line >= MAX_LINES) {
        fprintf(stderr, "simdrive: line %d out of range\n", line);
        exit(2);
    }
    if (pull_fds[line] < 0) {
        char path[512];
        snprintf(path, sizeof path, "%s/sim_gpio%d/pull", chip_dir, line);
        pull_fds[line] = open(path, O_WRONLY | O_CLOEXEC);
        if (pull_fds[line] < 0) {
            fprintf(stderr, "simdrive: open %s: %s\n", path, strerror(errno));
            exit(1);
        }
    }
    return pull_fds[line];
}

static void pull(int line, int down) {
    const char *text = down ? "pull-down" : "pull-up";
    if (pwrite(pull_fd(line), text, strlen(text), 0) < 0) {
        fprintf(stderr, "simdrive: write line %d: %s\n", line, strerror(errno));
        exit(1);
    }
}

static void wait_us(long us) {
    next.tv_nsec += (us % 1000000) * 1000;
    next.tv_sec += us / 1000000 + next.tv_nsec / 1000000000;
    next.tv_nsec %= 1000000000;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
    }
}

static long now_ms(const struct timespec *start) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - start->tv_sec) * 1000 + (t.tv_nsec - start->tv_nsec) / 1000000;
}

static int watch(int line, long duration_ms) {
    char path[512];
    snprintf(path, sizeof path, "%s/sim_gpio%d/value", chip_dir, line);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "simdrive: open %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    next = start;
    char last = 0;
    for (long elapsed = 0; elapsed <= duration_ms; elapsed = now_ms(&start)) {
        char value[4] = {0};
        if (pread(fd, value, sizeof value - 1, 0) <= 0) {
            fprintf(stderr, "simdrive: read %s: %s\n", path, strerror(errno));
            return 1;
        }
        if (value[0] != last) {
            printf("%s%c@%ld", last ? " " : "", value[0], elapsed);
            fflush(stdout);
            last = value[0];
        }
        wait_us(1000);
    }
    printf("\n");
    return 0;
}

static int burst(const char *list) {
    int lines[MAX_LINES];
    int count = 0;
    char *copy = strdup(list);
    for (char *item = strtok(copy, ","); item != NULL && count < MAX_LINES; item = strtok(NULL, ",")) {
        lines[count++] = atoi(item);
    }
    if (count == 0) return 2;
    srand((unsigned)getpid() ^ (unsigned)time(NULL));
    for (long n = 1;; n++) {
        int line = lines[n % count];
        int bounces = rand() % 4;
        for (int b = 0; b < bounces; b++) {
            pull(line, 1);
            wait_us(200 + rand() % 600);
            pull(line, 0);
            wait_us(200 + rand() % 600);
        }
        pull(line, 1);
        wait_us(1000L * (40 + rand() % 40));
        pull(line, 0);
        printf("BURST-PRESS %ld\n", n);
        fflush(stdout);
        wait_us(1000L * (40 + rand() % 60));
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: simdrive CHIPDIR (dN|uN|wUS)... | watch N MS | burst N,N,...\n");
        return 2;
    }
    chip_dir = argv[1];
    for (int i = 0; i < MAX_LINES; i++) pull_fds[i] = -1;
    clock_gettime(CLOCK_MONOTONIC, &next);
    if (strcmp(argv[2], "watch") == 0 && argc == 5) return watch(atoi(argv[3]), atol(argv[4]));
    if (strcmp(argv[2], "burst") == 0 && argc == 4) return burst(argv[3]);
    for (int i = 2; i < argc; i++) {
        const char *step = argv[i];
        switch (step[0]) {
        case 'd': pull(atoi(step + 1), 1); break;
        case 'u': pull(atoi(step + 1), 0); break;
        case 'w': wait_us(atol(step + 1)); break;
        default:
            fprintf(stderr, "simdrive: unknown step %s\n", step);
            return 2;
        }
    }
    return 0;
}
