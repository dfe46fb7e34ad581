#ifndef SMILEY_GPIOD_H
#define SMILEY_GPIOD_H

// One small API over the system's libgpiod, whichever of its two APIs the installed gpiod.h has:
// 1.6 (Debian and Raspberry Pi OS bookworm: package libgpiod2, libgpiod.so.2) or 2.x (trixie:
// libgpiod3, libgpiod.so.3). The choice is made in smiley_gpiod.c by the header alone:
// GPIOD_LINE_BULK_MAX_LINES exists only in the 1.6 header. Swift cannot see C macros, so the
// switch lives here. Every function that fails returns NULL or -1 and leaves errno set.

#include <stddef.h>
#include <stdint.h>

#define SMILEY_GPIO_TEXT_MAX 64

typedef struct smiley_gpio_chip smiley_gpio_chip;
typedef struct smiley_gpio_request smiley_gpio_request;

/// 1 or 2: the libgpiod API this shim was compiled against.
int smiley_gpiod_api_major(void);
/// The library's version at run time ("1.6.3", "2.3").
const char *smiley_gpiod_version(void);
/// 1 when the kernel debounces the lines this shim requests (2.x: debounce period set on the
/// request), 0 when it cannot (1.6: the v1 request has no debounce; debounce in software).
int smiley_gpiod_kernel_debounce(void);

typedef struct {
    char name[SMILEY_GPIO_TEXT_MAX];   // gpiochip0
    char label[SMILEY_GPIO_TEXT_MAX];  // pinctrl-bcm2711, pinctrl-rp1, gpio-sim.0-node0
    unsigned int num_lines;
} smiley_gpio_chip_info;

typedef struct {
    char name[SMILEY_GPIO_TEXT_MAX];      // "" when the line has no name
    char consumer[SMILEY_GPIO_TEXT_MAX];  // "" when unused or the holder gave none
    int used;
    int output;
    int active_low;
} smiley_gpio_line_info;

/// Opens a GPIO character device (/dev/gpiochipN).
smiley_gpio_chip *smiley_gpio_chip_open(const char *path);
void smiley_gpio_chip_close(smiley_gpio_chip *chip);
int smiley_gpio_chip_get_info(smiley_gpio_chip *chip, smiley_gpio_chip_info *info);
int smiley_gpio_chip_get_line_info(smiley_gpio_chip *chip, unsigned int offset, smiley_gpio_line_info *info);

enum {
    SMILEY_GPIO_BIAS_AS_IS = 0,
    SMILEY_GPIO_BIAS_DISABLED = 1,
    SMILEY_GPIO_BIAS_PULL_UP = 2,
    SMILEY_GPIO_BIAS_PULL_DOWN = 3,
};

typedef struct {
    unsigned int offset;
    int active_low;
    int bias;  // SMILEY_GPIO_BIAS_*
} smiley_gpio_input_line;

/// Requests `count` lines of `chip` as inputs with edge events on both edges, CLOCK_MONOTONIC
/// timestamps, each with its bias and active-low (events are then logical: rising = active).
/// `debounce_us` is the kernel debounce period on 2.x (ignored on 1.6). On failure returns NULL,
/// errno set, and `*failed_index` the index of the line that failed (-1 when not line-specific).
/// The chip must stay open while the request lives.
smiley_gpio_request *smiley_gpio_request_inputs(smiley_gpio_chip *chip, const char *consumer,
                                                const smiley_gpio_input_line *lines, unsigned int count,
                                                unsigned long debounce_us, int *failed_index);

/// Requests one line as an output driven to `value` (logical, honouring active_low).
smiley_gpio_request *smiley_gpio_request_output(smiley_gpio_chip *chip, const char *consumer,
                                                unsigned int offset, int active_low, int value);

/// Sets an output line (logical value).
int smiley_gpio_request_set_value(smiley_gpio_request *request, unsigned int offset, int value);
/// Reads a requested line's logical value: 0 or 1, -1 on error.
int smiley_gpio_request_get_value(smiley_gpio_request *request, unsigned int offset);

/// The file descriptors to wait on for edge events: one per request on 2.x, one per line on 1.6.
int smiley_gpio_request_fd_count(smiley_gpio_request *request);
int smiley_gpio_request_fd(smiley_gpio_request *request, int index);

typedef struct {
    unsigned int offset;
    int rising;              // logical: 1 = the line became active
    uint64_t timestamp_ns;   // CLOCK_MONOTONIC
    uint64_t global_seqno;   // 2.x: per request, from 1; 0 on 1.6 (no sequence numbers)
    uint64_t line_seqno;     // 2.x: per line, from 1; 0 on 1.6
} smiley_gpio_event;

/// Reads the events waiting on descriptor `fd_index` (call when poll said it is readable: it
/// blocks when none is waiting). Returns how many were stored (up to `max`), or -1.
int smiley_gpio_request_read_events(smiley_gpio_request *request, int fd_index, smiley_gpio_event *events, int max);

/// Releases the lines (the chip stays open).
void smiley_gpio_request_release(smiley_gpio_request *request);

#endif
