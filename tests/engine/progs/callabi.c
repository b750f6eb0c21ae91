// Calls from interpreted code into native code (the C library, and app
// functions once compiled) with every kind of argument the interpreter
// passes in registers itself: narrow integers with their sign or zero
// extension, float beside double, exactly six integer and eight
// floating-point registers, and calls whose one more argument goes on the
// stack.
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static long six(signed char a, short b, int c, unsigned char d, long e,
                const char *f) {
  return a * 1000000L + b * 1000L + c + d + e + f[0];
}

static float eight(float a, double b, float c, double d, float e, double f,
                   float g, double h) {
  return (float)(a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + h * 8);
}

static double both(int a, float b, long c, double d, short e, float f) {
  return a * b + (double)c * d + e * f;
}

static long seven(int a, int b, int c, int d, int e, int f, int g) {
  return a - b + c - d + e - f + g * 3;
}

static double nine(double a, double b, double c, double d, double e, double f,
                   double g, double h, double i) {
  return a + b - c + d - e + f - g + h - i * 0.5;
}

// Narrow signed arguments, sign-extended by the caller (signext).
static int sum8(signed char a, signed char b, short c) { return a + b + c; }

static _Bool odd(int x) { return x & 1; }
static signed char negate(signed char x) { return (signed char)-x; }
static unsigned short low16(unsigned x) { return (unsigned short)x; }

int main(void) {
  double acc = 0;
  long ints = 0;
  const char *word = "gts";
  for (int i = 0; i < 3000; ++i) {
    ints += six((signed char)(i * 7), (short)(-i * 11), i, (unsigned char)i,
                -5L * i, word + i % 3);
    acc +=
        eight(i * 0.5f, i * 0.25, -1.5f, 2.0, i * 0.125f, -i * 1.0, 3.5f, 0.75);
    acc += both(-i, 0.5f, 1L << 33, 1e-6, (short)(i * 3), -0.25f);
    ints += seven(i, 2, 3, 4, 5, 6, -i);
    acc += nine(1, 2, 3, 4, 5, 6, 7, 8, i);
    ints += sum8((signed char)-i, (signed char)(i * 3), (short)-i);
    ints += odd(i) + negate((signed char)(i * 13)) + low16(i * 40503u);
    // The C library: float results, int and pointer arguments beside float.
    int e;
    acc += ldexpf(i * 0.75f, i % 9) + fmaf(i * 0.5f, -2.0f, 1.0f);
    acc += frexpf(i + 0.5f, &e) + e + hypotf(3.0f, i * 0.1f);
    ints += lrintf(i * 1.5f) + toupper('a' + i % 26) + labs(-3L * i);
  }
  printf("acc = %.4f ints = %ld\n", acc, ints);
  return 0;
}
