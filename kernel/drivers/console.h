// kprintf: printf subset for the kernel console (serial).
// Supports %d %i %u %x %X %p %s %c %%, width, '0' pad, 'l', 'll', 'z'.
#pragma once
#include <stdarg.h>
#include <stddef.h>

namespace gts {

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
// Formats into buf (always NUL-terminated); returns the length.
size_t ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

} // namespace gts
