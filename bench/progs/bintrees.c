// Binary trees: allocation-heavy recursion (malloc and free).
#include <stdio.h>
#include <stdlib.h>

typedef struct Node {
  struct Node *l, *r;
} Node;

static Node *make(int d) {
  Node *n = malloc(sizeof *n);
  n->l = d ? make(d - 1) : NULL;
  n->r = d ? make(d - 1) : NULL;
  return n;
}

static long check(const Node *n) { return n->l ? 1 + check(n->l) + check(n->r) : 1; }

static void drop(Node *n) {
  if (n->l) {
    drop(n->l);
    drop(n->r);
  }
  free(n);
}

int main(void) {
  enum { MIN = 4, MAX = 16 };
  Node *longLived = make(MAX);
  long total = 0;
  for (int d = MIN; d <= MAX; d += 2) {
    int iters = 1 << (MAX - d + MIN);
    long c = 0;
    for (int i = 0; i < iters; ++i) {
      Node *t = make(d);
      c += check(t);
      drop(t);
    }
    printf("%d trees of depth %d check %ld\n", iters, d, c);
    total += c;
  }
  printf("long lived %ld total %ld\n", check(longLived), total);
  drop(longLived);
  return 0;
}
