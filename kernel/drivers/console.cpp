#include "drivers/console.h"
#include "drivers/serial.h"
#include <stdint.h>

namespace gts {
namespace {

// Output sink: a bounded buffer, flushed to serial when `toSerial`.
struct Sink {
  char *buf;
  size_t cap, len;
  bool toSerial;
  void put(char c) {
    if (len + 1 < cap)
      buf[len++] = c;
    else if (toSerial) {
      drivers::serialWrite(buf, len);
      len = 0;
      buf[len++] = c;
    }
  }
};

void putNumber(Sink &s, uint64_t v, unsigned base, bool upper, int width,
               char pad, bool negative) {
  char tmp[24];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    tmp[n++] = digits[v % base];
    v /= base;
  } while (v);
  if (negative && pad == '0')
    s.put('-');
  for (int i = n + (negative ? 1 : 0); i < width; ++i)
    s.put(pad);
  if (negative && pad != '0')
    s.put('-');
  while (n)
    s.put(tmp[--n]);
}

void format(Sink &s, const char *fmt, va_list ap) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      s.put(*fmt);
      continue;
    }
    ++fmt;
    char pad = ' ';
    int width = 0, longs = 0;
    if (*fmt == '0')
      pad = '0', ++fmt;
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l' || *fmt == 'z')
      ++longs, ++fmt;
    switch (*fmt) {
    case 'd':
    case 'i': {
      int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
      putNumber(s, v < 0 ? uint64_t(-v) : uint64_t(v), 10, false, width, pad,
                v < 0);
      break;
    }
    case 'u':
    case 'x':
    case 'X': {
      uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
      putNumber(s, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, pad, false);
      break;
    }
    case 'p':
      s.put('0');
      s.put('x');
      putNumber(s, uint64_t(va_arg(ap, void *)), 16, false, 16, '0', false);
      break;
    case 's': {
      const char *str = va_arg(ap, const char *);
      if (!str)
        str = "(null)";
      int n = 0;
      while (str[n])
        ++n;
      for (int i = n; i < width; ++i)
        s.put(' ');
      for (int i = 0; i < n; ++i)
        s.put(str[i]);
      break;
    }
    case 'c':
      s.put(char(va_arg(ap, int)));
      break;
    case '%':
      s.put('%');
      break;
    default:
      s.put('%');
      if (*fmt)
        s.put(*fmt);
      else
        return;
    }
  }
}

} // namespace

void kvprintf(const char *fmt, va_list ap) {
  char buf[256];
  Sink s{buf, sizeof buf, 0, true};
  format(s, fmt, ap);
  drivers::serialWrite(buf, s.len);
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}

size_t ksnprintf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Sink s{buf, size, 0, false};
  format(s, fmt, ap);
  va_end(ap);
  if (size)
    buf[s.len] = 0;
  return s.len;
}

} // namespace gts
