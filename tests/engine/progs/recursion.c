// Recursion: plain, mutual and deep.
#include <stdio.h>

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int isOdd(unsigned n);
static int isEven(unsigned n) { return n == 0 ? 1 : isOdd(n - 1); }
static int isOdd(unsigned n) { return n == 0 ? 0 : isEven(n - 1); }
static unsigned ack(unsigned m, unsigned n) {
  if (m == 0)
    return n + 1;
  if (n == 0)
    return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}
static long sumTo(long n) { return n == 0 ? 0 : n + sumTo(n - 1); }

int main(void) {
  printf("fib(24) = %d\n", fib(24));
  printf("even(777) = %d odd(1001) = %d\n", isEven(777), isOdd(1001));
  printf("ack(2, 300) = %u\n", ack(2, 300));
  printf("sum(20000) = %ld\n", sumTo(20000));
  return 0;
}
