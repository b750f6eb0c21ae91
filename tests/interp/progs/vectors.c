#include <stdio.h>
typedef int v4si __attribute__((vector_size(16)));
typedef float v4sf __attribute__((vector_size(16)));
typedef double v2df __attribute__((vector_size(16)));
int data[1000];
float fdata[1000];
int main(void) {
  for (int i = 0; i < 1000; i++) { data[i] = i * 3 - 500; fdata[i] = i * 0.5f; }
  long s = 0; int mx = -1 << 30; float fs = 0;
  for (int i = 0; i < 1000; i++) { s += data[i]; if (data[i] > mx) mx = data[i]; }
  for (int i = 0; i < 1000; i++) data[i] = data[i] * 2 + 1;
  for (int i = 0; i < 1000; i++) fs += fdata[i] * fdata[i];
  long s2 = 0;
  for (int i = 0; i < 1000; i++) s2 += data[i] & 0xff;
  v4si a = {1, 2, 3, 4}, b = {10, 20, 30, 40};
  v4si c = a * b + a;
  v4si d = __builtin_shufflevector(c, a, 3, 2, 5, 0);
  v4sf x = {1.5f, 2.5f, -3.0f, 4.0f};
  v4sf y = x * x - x;
  v2df z = {1.0, 2.0};
  z = z / (v2df){4.0, 8.0};
  v4si m = a > (v4si){2, 2, 2, 2};
  c[1] = 99;
  printf("%ld %d %.1f %ld\n", s, mx, fs, s2);
  printf("%d %d %d %d | %d %d %d %d\n", c[0], c[1], c[2], c[3], d[0], d[1], d[2], d[3]);
  printf("%g %g %g %g | %g %g | %d %d %d %d\n", y[0], y[1], y[2], y[3], z[0], z[1], m[0], m[1], m[2], m[3]);
  return 0;
}
