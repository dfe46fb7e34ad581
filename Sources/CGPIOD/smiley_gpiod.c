#define _GNU_SOURCE
#include "smiley_gpiod.h"

#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

static void copy_text(char *destination, const char *source) {
    if (source == NULL) {
        destination[0] = '\0';
        return;
    }
    strncpy(destination, source, SMILEY_GPIO_TEXT_MAX - 1);
    destination[SMILEY_GPIO_TEXT_MAX - 1] = '\0';
}

#ifdef GPIOD_LINE_BULK_MAX_LINES
/* ---------------------------------------------------------------- libgpiod 1.6 (v1 uAPI) */

struct smiley_gpio_chip {
    struct gpiod_chip *chip;
};

struct smiley_gpio_request {
    struct gpiod_line **lines;
    unsigned int count;
};

int smiley_gpiod_api_major(void) { return 1; }
const char *smiley_gpiod_version(void) { return gpiod_version_string(); }
int smiley_gpiod_kernel_debounce(void) { return 0; }

int smiley_gpio_chip_get_info(smiley_gpio_chip *chip, smiley_gpio_chip_info *info) {
    copy_text(info->name, gpiod_chip_name(chip->chip));
    copy_text(info->label, gpiod_chip_label(chip->chip));
    info->num_lines = gpiod_chip_num_lines(chip->chip);
    return 0;
}

int smiley_gpio_chip_get_line_info(smiley_gpio_chip *chip, unsigned int offset, smiley_gpio_line_info *info) {
    struct gpiod_line *line = gpiod_chip_get_line(chip->chip, offset);
    if (line == NULL) return -1;
    if (gpiod_line_update(line) < 0) return -1;
    copy_text(info->name, gpiod_line_name(line));
    copy_text(info->consumer, gpiod_line_consumer(line));
    info->used = gpiod_line_is_used(line) ? 1 : 0;
    info->output = gpiod_line_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT ? 1 : 0;
    info->active_low = gpiod_line_active_state(line) == GPIOD_LINE_ACTIVE_STATE_LOW ? 1 : 0;
    return 0;
}

static int v1_flags(int active_low, int bias) {
    int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    switch (bias) {
    case SMILEY_GPIO_BIAS_DISABLED: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE; break;
    case SMILEY_GPIO_BIAS_PULL_UP: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP; break;
    case SMILEY_GPIO_BIAS_PULL_DOWN: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN; break;
    default: break;
    }
    return flags;
}

static smiley_gpio_request *v1_new_request(unsigned int count) {
    smiley_gpio_request *request = calloc(1, sizeof *request);
    if (request == NULL) return NULL;
    request->lines = calloc(count ? count : 1, sizeof *request->lines);
    if (request->lines == NULL) {
        free(request);
        return NULL;
    }
    return request;
}

smiley_gpio_request *smiley_gpio_request_inputs(smiley_gpio_chip *chip, const char *consumer,
                                                const smiley_gpio_input_line *lines, unsigned int count,
                                                unsigned long debounce_us, int *failed_index) {
    (void)debounce_us; /* the v1 uAPI has no debounce: the caller debounces in software */
    *failed_index = -1;
    smiley_gpio_request *request = v1_new_request(count);
    if (request == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    /* v1 event requests are per line (each line gets its own event fd), so lines with
     * different flags are requested one by one; a failure releases those already taken. */
    for (unsigned int i = 0; i < count; i++) {
        struct gpiod_line *line = gpiod_chip_get_line(chip->chip, lines[i].offset);
        if (line == NULL ||
            gpiod_line_request_both_edges_events_flags(line, consumer, v1_flags(lines[i].active_low, lines[i].bias)) < 0) {
            int saved = errno;
            *failed_index = (int)i;
            smiley_gpio_request_release(request);
            errno = saved;
            return NULL;
        }
        request->lines[request->count++] = line;
    }
    return request;
}

smiley_gpio_request *smiley_gpio_request_output(smiley_gpio_chip *chip, const char *consumer,
                                                unsigned int offset, int active_low, int value) {
    smiley_gpio_request *request = v1_new_request(1);
    if (request == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    struct gpiod_line *line = gpiod_chip_get_line(chip->chip, offset);
    if (line == NULL ||
        gpiod_line_request_output_flags(line, consumer, active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0,
                                        value ? 1 : 0) < 0) {
        int saved = errno;
        smiley_gpio_request_release(request);
        errno = saved;
        return NULL;
    }
    request->lines[request->count++] = line;
    return request;
}

static struct gpiod_line *v1_line(smiley_gpio_request *request, unsigned int offset) {
    for (unsigned int i = 0; i < request->count; i++) {
        if (gpiod_line_offset(request->lines[i]) == offset) return request->lines[i];
    }
    errno = EINVAL;
    return NULL;
}

int smiley_gpio_request_set_value(smiley_gpio_request *request, unsigned int offset, int value) {
    struct gpiod_line *line = v1_line(request, offset);
    if (line == NULL) return -1;
    return gpiod_line_set_value(line, value ? 1 : 0);
}

int smiley_gpio_request_get_value(smiley_gpio_request *request, unsigned int offset) {
    struct gpiod_line *line = v1_line(request, offset);
    if (line == NULL) return -1;
    return gpiod_line_get_value(line);
}

int smiley_gpio_request_fd_count(smiley_gpio_request *request) { return (int)request->count; }

int smiley_gpio_request_fd(smiley_gpio_request *request, int index) {
    if (index < 0 || (unsigned int)index >= request->count) {
        errno = EINVAL;
        return -1;
    }
    return gpiod_line_event_get_fd(request->lines[index]);
}

int smiley_gpio_request_read_events(smiley_gpio_request *request, int fd_index, smiley_gpio_event *events, int max) {
    if (fd_index < 0 || (unsigned int)fd_index >= request->count || max <= 0) {
        errno = EINVAL;
        return -1;
    }
    struct gpiod_line *line = request->lines[fd_index];
    struct gpiod_line_event raw[16];
    int wanted = max < 16 ? max : 16;
    int count = gpiod_line_event_read_multiple(line, raw, (unsigned int)wanted);
    if (count < 0) return -1;
    unsigned int offset = gpiod_line_offset(line);
    for (int i = 0; i < count; i++) {
        events[i].offset = offset;
        events[i].rising = raw[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE ? 1 : 0;
        events[i].timestamp_ns = (uint64_t)raw[i].ts.tv_sec * 1000000000ull + (uint64_t)raw[i].ts.tv_nsec;
        events[i].global_seqno = 0;
        events[i].line_seqno = 0;
    }
    return count;
}

void smiley_gpio_request_release(smiley_gpio_request *request) {
    if (request == NULL) return;
    for (unsigned int i = 0; i < request->count; i++) gpiod_line_release(request->lines[i]);
    free(request->lines);
    free(request);
}

#else
/* ---------------------------------------------------------------- libgpiod 2.x (v2 uAPI) */

#define SMILEY_EVENT_BUFFER 64

struct smiley_gpio_chip {
    struct gpiod_chip *chip;
};

struct smiley_gpio_request {
    struct gpiod_line_request *request;
    struct gpiod_edge_event_buffer *buffer;
};

int smiley_gpiod_api_major(void) { return 2; }
const char *smiley_gpiod_version(void) { return gpiod_api_version(); }
int smiley_gpiod_kernel_debounce(void) { return 1; }

int smiley_gpio_chip_get_info(smiley_gpio_chip *chip, smiley_gpio_chip_info *info) {
    struct gpiod_chip_info *raw = gpiod_chip_get_info(chip->chip);
    if (raw == NULL) return -1;
    copy_text(info->name, gpiod_chip_info_get_name(raw));
    copy_text(info->label, gpiod_chip_info_get_label(raw));
    info->num_lines = (unsigned int)gpiod_chip_info_get_num_lines(raw);
    gpiod_chip_info_free(raw);
    return 0;
}

int smiley_gpio_chip_get_line_info(smiley_gpio_chip *chip, unsigned int offset, smiley_gpio_line_info *info) {
    struct gpiod_line_info *raw = gpiod_chip_get_line_info(chip->chip, offset);
    if (raw == NULL) return -1;
    copy_text(info->name, gpiod_line_info_get_name(raw));
    copy_text(info->consumer, gpiod_line_info_get_consumer(raw));
    info->used = gpiod_line_info_is_used(raw) ? 1 : 0;
    info->output = gpiod_line_info_get_direction(raw) == GPIOD_LINE_DIRECTION_OUTPUT ? 1 : 0;
    info->active_low = gpiod_line_info_is_active_low(raw) ? 1 : 0;
    gpiod_line_info_free(raw);
    return 0;
}

static enum gpiod_line_bias v2_bias(int bias) {
    switch (bias) {
    case SMILEY_GPIO_BIAS_DISABLED: return GPIOD_LINE_BIAS_DISABLED;
    case SMILEY_GPIO_BIAS_PULL_UP: return GPIOD_LINE_BIAS_PULL_UP;
    case SMILEY_GPIO_BIAS_PULL_DOWN: return GPIOD_LINE_BIAS_PULL_DOWN;
    default: return GPIOD_LINE_BIAS_AS_IS;
    }
}

/* Requests with one settings object per line; frees everything it made, keeps errno. */
static smiley_gpio_request *v2_request(smiley_gpio_chip *chip, const char *consumer,
                                       struct gpiod_line_config *config, int with_buffer) {
    smiley_gpio_request *result = NULL;
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    if (request_config == NULL) return NULL;
    gpiod_request_config_set_consumer(request_config, consumer);
    if (with_buffer) gpiod_request_config_set_event_buffer_size(request_config, SMILEY_EVENT_BUFFER);
    struct gpiod_line_request *request = gpiod_chip_request_lines(chip->chip, request_config, config);
    int saved = errno;
    gpiod_request_config_free(request_config);
    if (request == NULL) {
        errno = saved;
        return NULL;
    }
    result = calloc(1, sizeof *result);
    if (result == NULL) {
        gpiod_line_request_release(request);
        errno = ENOMEM;
        return NULL;
    }
    result->request = request;
    if (with_buffer) {
        result->buffer = gpiod_edge_event_buffer_new(SMILEY_EVENT_BUFFER);
        if (result->buffer == NULL) {
            smiley_gpio_request_release(result);
            errno = ENOMEM;
            return NULL;
        }
    }
    return result;
}

smiley_gpio_request *smiley_gpio_request_inputs(smiley_gpio_chip *chip, const char *consumer,
                                                const smiley_gpio_input_line *lines, unsigned int count,
                                                unsigned long debounce_us, int *failed_index) {
    *failed_index = -1;
    struct gpiod_line_config *config = gpiod_line_config_new();
    if (config == NULL) return NULL;
    for (unsigned int i = 0; i < count; i++) {
        struct gpiod_line_settings *settings = gpiod_line_settings_new();
        if (settings == NULL) {
            gpiod_line_config_free(config);
            return NULL;
        }
        int failed = gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT) < 0
            || gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) < 0
            || gpiod_line_settings_set_bias(settings, v2_bias(lines[i].bias)) < 0
            || gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC) < 0;
        if (!failed) {
            gpiod_line_settings_set_active_low(settings, lines[i].active_low != 0);
            gpiod_line_settings_set_debounce_period_us(settings, debounce_us);
            failed = gpiod_line_config_add_line_settings(config, &lines[i].offset, 1, settings) < 0;
        }
        int saved = errno;
        gpiod_line_settings_free(settings);
        if (failed) {
            *failed_index = (int)i;
            gpiod_line_config_free(config);
            errno = saved;
            return NULL;
        }
    }
    smiley_gpio_request *request = v2_request(chip, consumer, config, 1);
    int saved = errno;
    gpiod_line_config_free(config);
    errno = saved;
    return request;
}

smiley_gpio_request *smiley_gpio_request_output(smiley_gpio_chip *chip, const char *consumer,
                                                unsigned int offset, int active_low, int value) {
    struct gpiod_line_config *config = gpiod_line_config_new();
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (config == NULL || settings == NULL) {
        gpiod_line_config_free(config);
        gpiod_line_settings_free(settings);
        errno = ENOMEM;
        return NULL;
    }
    smiley_gpio_request *request = NULL;
    gpiod_line_settings_set_active_low(settings, active_low != 0);
    if (gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT) == 0
        && gpiod_line_settings_set_output_value(settings, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) == 0
        && gpiod_line_config_add_line_settings(config, &offset, 1, settings) == 0) {
        request = v2_request(chip, consumer, config, 0);
    }
    int saved = errno;
    gpiod_line_settings_free(settings);
    gpiod_line_config_free(config);
    errno = saved;
    return request;
}

int smiley_gpio_request_set_value(smiley_gpio_request *request, unsigned int offset, int value) {
    return gpiod_line_request_set_value(request->request, offset,
                                        value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

int smiley_gpio_request_get_value(smiley_gpio_request *request, unsigned int offset) {
    enum gpiod_line_value value = gpiod_line_request_get_value(request->request, offset);
    if (value == GPIOD_LINE_VALUE_ERROR) return -1;
    return value == GPIOD_LINE_VALUE_ACTIVE ? 1 : 0;
}

int smiley_gpio_request_fd_count(smiley_gpio_request *request) { return request->buffer != NULL ? 1 : 0; }

int smiley_gpio_request_fd(smiley_gpio_request *request, int index) {
    if (index != 0 || request->buffer == NULL) {
        errno = EINVAL;
        return -1;
    }
    return gpiod_line_request_get_fd(request->request);
}

int smiley_gpio_request_read_events(smiley_gpio_request *request, int fd_index, smiley_gpio_event *events, int max) {
    if (fd_index != 0 || request->buffer == NULL || max <= 0) {
        errno = EINVAL;
        return -1;
    }
    size_t wanted = (size_t)(max < SMILEY_EVENT_BUFFER ? max : SMILEY_EVENT_BUFFER);
    int count = gpiod_line_request_read_edge_events(request->request, request->buffer, wanted);
    if (count < 0) return -1;
    for (int i = 0; i < count; i++) {
        struct gpiod_edge_event *event = gpiod_edge_event_buffer_get_event(request->buffer, (unsigned long)i);
        events[i].offset = gpiod_edge_event_get_line_offset(event);
        events[i].rising = gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE ? 1 : 0;
        events[i].timestamp_ns = gpiod_edge_event_get_timestamp_ns(event);
        events[i].global_seqno = gpiod_edge_event_get_global_seqno(event);
        events[i].line_seqno = gpiod_edge_event_get_line_seqno(event);
    }
    return count;
}

void smiley_gpio_request_release(smiley_gpio_request *request) {
    if (request == NULL) return;
    if (request->buffer != NULL) gpiod_edge_event_buffer_free(request->buffer);
    if (request->request != NULL) gpiod_line_request_release(request->request);
    free(request);
}

#endif

/* Opening and closing a chip is spelled the same in 1.6 and 2.x. */
smiley_gpio_chip *smiley_gpio_chip_open(const char *path) {
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (chip == NULL) return NULL;
    smiley_gpio_chip *result = calloc(1, sizeof *result);
    if (result == NULL) {
        gpiod_chip_close(chip);
        errno = ENOMEM;
        return NULL;
    }
    result->chip = chip;
    return result;
}

void smiley_gpio_chip_close(smiley_gpio_chip *chip) {
    if (chip == NULL) return;
    gpiod_chip_close(chip->chip);
    free(chip);
}
