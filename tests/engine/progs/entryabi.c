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

// Struct results in two registers: {ptr, i64}, {double, double} and
// {i64, double} in LLVM IR.
struct span {
  const char *p;
  long n;
};
struct pair {
  double a, b;
};
struct mixed {
  long n;
  double d;
};
static struct span span_of(const char *s, long n) {
  struct span r = {s + n % 3, n * 5};
  return r;
}
static struct pair pair_of(double x) {
  struct pair r = {x * 2, -x};
  return r;
}
static struct mixed mixed_of(long n, double d) {
  struct mixed r = {n - 7, d * n};
  return r;
}
static signed char narrow(int x) { return (signed char)x; }
static unsigned short wide(unsigned x) { return (unsigned short)x; }
static const char *pick(const char *a, const char *b, int which) {
  return which ? a : b;
}

// Called through volatile pointers: a compiled loop cannot inline them
// (the engine's units may inline what they call), every call enters the
// interpreter.
static double (*volatile mix_fn)(int, char, short, unsigned char,
                                 unsigned short, long, double, float, double,
                                 float, double, double, double, double, double,
                                 float, int, long) = mix;
static float (*volatile half_fn)(float) = half;
static signed char (*volatile narrow_fn)(int) = narrow;
static unsigned short (*volatile wide_fn)(unsigned) = wide;
static const char *(*volatile pick_fn)(const char *, const char *, int) = pick;
static struct span (*volatile span_fn)(const char *, long) = span_of;
static struct pair (*volatile pair_fn)(double) = pair_of;
static struct mixed (*volatile mixed_fn)(long, double) = mixed_of;

int main(void) {
  double acc = 0;
  long ints = 0;
  for (int i = 0; i < 2000; ++i) {
    acc += mix_fn(i, (char)-i, (short)(-3 * i), (unsigned char)(i * 7),
                  (unsigned short)(i * 1000), -100000L * i, i * 0.5, i * 0.25f,
                  1.5, -2.5f, 3.0, 4.0, 5.0, 6.0, 7.0, 8.5f, -i, 1L << 40);
    acc += half_fn((float)i);
    ints += narrow_fn(i * 37) + wide_fn(i * 40503u);
    ints += pick_fn("ab", "cde", i & 1)[1];
    struct span sp = span_fn("abcd", i);
    ints += sp.p[0] + sp.n;
    struct pair pr = pair_fn(i * 0.5);
    acc += pr.a * 3 + pr.b;
    struct mixed mx = mixed_fn(i, 0.25);
    ints += mx.n;
    acc += mx.d;
  }
  printf("acc = %.3f ints = %ld\n", acc, ints);
  return 0;
}
