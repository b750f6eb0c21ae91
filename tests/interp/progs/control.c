#include <stdio.h>
static int classify(int x) {
  switch (x) {
  case 0: return 10;
  case 1: return 11;
  case 2: case 3: return 23;
  case 100: return 1000;
  case -7: return -70;
  default: return x * 2;
  }
}
static const char *dense(unsigned c) {
  switch (c) {
  case 0: return "a"; case 1: return "b"; case 2: return "c"; case 3: return "d";
  case 4: return "e"; case 5: return "f"; case 6: return "g"; default: return "?";
  }
}
static int interp(const unsigned char *code) {
  static void *labels[] = {&&op_inc, &&op_dbl, &&op_dec, &&op_halt};
  int acc = 0;
  const unsigned char *pc = code;
  goto *labels[*pc++];
op_inc: acc++; goto *labels[*pc++];
op_dbl: acc *= 2; goto *labels[*pc++];
op_dec: acc--; goto *labels[*pc++];
op_halt: return acc;
}
static long vla(int n) {
  long total = 0;
  for (int k = 1; k <= n; k++) {
    int buf[k];
    for (int i = 0; i < k; i++) buf[i] = i * k;
    for (int i = 0; i < k; i++) total += buf[i];
  }
  int m[n][n];
  for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i][j] = i - j;
  for (int i = 0; i < n; i++) total += m[i][n - 1 - i];
  return total;
}
static int ack(int m, int n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}
static int collatz(long n) { int s = 0; while (n != 1) { n = n & 1 ? 3 * n + 1 : n / 2; s++; } return s; }
int main(void) {
  int t = 0;
  for (int i = -10; i < 110; i++) t += classify(i);
  printf("%d", t);
  for (unsigned i = 0; i < 9; i++) printf(" %s", dense(i));
  unsigned char prog[] = {0, 0, 1, 1, 2, 0, 1, 3};
  printf("\n%d %ld %d %d\n", interp(prog), vla(20), ack(2, 3), collatz(27));
  int i = 0, s = 0;
again:
  s += i;
  if (++i < 50) goto again;
  do { s -= 3; } while (s > 1000);
  printf("%d\n", s);
  return t & 0x7f;
}
