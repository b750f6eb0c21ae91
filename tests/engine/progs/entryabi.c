// Calls from compiled code into interpreted functions through their native
// entries (register-save stubs): more arguments than the six integer and
// eight vector registers hold (the rest come on the stack), every integer
// width with its sign or zero extension, float, double and pointer results.
#include <stdio.h>

static double mix(int a, char b, short c, unsigned char d, unsigned short e,
                  long f, double g, float h, double i, float j, double k,
                  double l, double m, double n, double o, float p, int q,
                  long r) {
  return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q + r;
}

static float half(float x) { return x / 2; }
static signed char narrow(int x) { return (signed char)x; }
static unsigned short wide(unsigned x) { return (unsigned short)x; }
static const char *pick(const char *a, const char *b, int which) {
  return which ? a : b;
}

int main(void) {
  double acc = 0;
  long ints = 0;
  for (int i = 0; i < 2000; ++i) {
    acc += mix(i, (char)-i, (short)(-3 * i), (unsigned char)(i * 7),
               (unsigned short)(i * 1000), -100000L * i, i * 0.5, i * 0.25f,
               1.5, -2.5f, 3.0, 4.0, 5.0, 6.0, 7.0, 8.5f, -i, 1L << 40);
    acc += half((float)i);
    ints += narrow(i * 37) + wide(i * 40503u);
    ints += pick("ab", "cde", i & 1)[1];
  }
  printf("acc = %.3f ints = %ld\n", acc, ints);
  return 0;
}
