#include <stdarg.h>
#include <stdio.h>
typedef struct { long a, b, c; } Tri;
typedef struct { int x; double y; } Mix;
static int sum(int n, ...) {
  va_list ap; va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  va_end(ap);
  return s;
}
static double mixed(const char *fmt, ...) {
  va_list ap, cp; va_start(ap, fmt); va_copy(cp, ap);
  double t = 0;
  for (const char *p = fmt; *p; p++) {
    if (*p == 'i') t += va_arg(ap, int);
    else if (*p == 'l') t += va_arg(ap, long long);
    else if (*p == 'd') t += va_arg(ap, double);
    else if (*p == 't') { Tri x = va_arg(ap, Tri); t += x.a + x.b + x.c; }
    else if (*p == 'm') { Mix m = va_arg(ap, Mix); t += m.x * m.y; }
  }
  double first = *fmt == 'd' ? va_arg(cp, double) : 0;
  va_end(cp); va_end(ap);
  return t + first;
}
static void logf_(const char *fmt, ...) {
  va_list ap; va_start(ap, fmt);
  printf("[log] ");
  vprintf(fmt, ap);
  va_end(ap);
}
static int vsum(int n, va_list ap) {
  int s = 0;
  while (n--) s += va_arg(ap, int);
  return s;
}
static int outer(int n, ...) {
  va_list ap; va_start(ap, n);
  int s = vsum(n, ap);
  va_end(ap);
  return s;
}
int main(void) {
  printf("%d %d %d\n", sum(3, 1, 2, 3), sum(0), sum(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  Tri t = {100, 200, 300};
  Mix m = {3, 2.5};
  printf("%.3f\n", mixed("dildtm", 1.25, 7, 1LL << 40, 0.5, t, m));
  printf("%.3f\n", mixed("ddddddddddi", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11));
  logf_("%s=%d %5.2f %c %ld %x\n", "v", 42, 3.14159, 'z', 1234567890123L, 255);
  printf("%d\n", outer(4, 10, 20, 30, 40));
  char buf[64];
  snprintf(buf, sizeof buf, "%08.3f|%-5d|%s", -2.5, 17, "end");
  puts(buf);
  return 0;
}
