// Variadic calls: printf with many arguments and the app's own variadics.
#include <stdarg.h>
#include <stdio.h>

static double sum(int n, ...) {
  va_list ap;
  va_start(ap, n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += (i % 2) ? va_arg(ap, double) : va_arg(ap, int);
  va_end(ap);
  return s;
}

static int logf_(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return r;
}

int main(void) {
  double t = 0;
  for (int i = 0; i < 2000; ++i)
    t += sum(6, i, 0.5 * i, 3, 1.25, -i, 2.0);
  printf("sum %.6f\n", t);
  char buf[128];
  int r = logf_(buf, sizeof buf, "%s|%5d|%-6.2f|%c|%lx|%lld", "tag", 42,
                3.14159, 'z', 0xdeadbeefUL, -123456789012LL);
  printf("%d [%s]\n", r, buf);
  printf(
      "%d %d %d %d %d %d %d %d %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f\n",
      1, 2, 3, 4, 5, 6, 7, 8, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
  return 0;
}
