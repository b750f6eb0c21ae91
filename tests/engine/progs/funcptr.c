// Function pointers: tables, callbacks into native code (qsort, bsearch),
// pointer identity.
#include <stdio.h>
#include <stdlib.h>

typedef int (*BinOp)(int, int);
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static BinOp Ops[] = {add, sub, mul};

static int cmpInt(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static int apply(BinOp f, int a, int b) { return f(a, b); }

int main(void) {
  int acc = 1;
  for (int i = 0; i < 3000; ++i)
    acc = apply(Ops[i % 3], acc, i % 17 + 1) % 100003;
  printf("acc = %d\n", acc);
  printf("identity: %d %d\n", Ops[0] == add, (void *)Ops[1] == (void *)sub);
  int v[500];
  unsigned seed = 12345;
  for (int i = 0; i < 500; ++i) {
    seed = seed * 1103515245u + 12345u;
    v[i] = (int)(seed >> 8) % 10000;
  }
  for (int round = 0; round < 3; ++round)
    qsort(v, 500, sizeof(int), cmpInt);
  printf("min %d max %d mid %d\n", v[0], v[499], v[250]);
  int key = v[123];
  int *found = bsearch(&key, v, 500, sizeof(int), cmpInt);
  printf("found %d\n", found ? *found : -1);
  return 0;
}
