#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef struct { int x, y; } Pt;            /* coerced to i64 */
typedef struct { double a, b; } Dd;         /* coerced to two doubles */
typedef struct { long a, b, c, d; } Big;    /* byval / sret */
typedef struct { char name[12]; int score; } Rec;
static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
static int cmp_rec(const void *a, const void *b) {
  const Rec *x = a, *y = b;
  return x->score != y->score ? y->score - x->score : strcmp(x->name, y->name);
}
Pt addp(Pt a, Pt b) { Pt r = {a.x + b.x, a.y + b.y}; return r; }
Dd scale(Dd d, double k) { Dd r = {d.a * k, d.b * k}; return r; }
Big mk(Big b, long k) { Big r = {b.a * k, b.b + k, b.c - k, b.d ^ k}; return r; }
static int sq(int x) { return x * x; }
static int neg(int x) { return -x; }
static int twice(int x) { return 2 * x; }
int (*table[])(int) = {sq, neg, twice};
struct Op { const char *name; int (*fn)(int); } ops[] = {{"sq", sq}, {"neg", neg}};
int apply(int (*f)(int), int v) { return f(v); }
int counter = 5;
int *pc = &counter;
const char *names[] = {"zero", "one", "two"};
int main(void) {
  int a[20];
  for (int i = 0; i < 20; i++) a[i] = (i * 7919) % 31 - 15;
  qsort(a, 20, sizeof a[0], cmp_int);
  for (int i = 0; i < 20; i++) printf("%d ", a[i]);
  printf("\n");
  Rec r[5] = {{"bob", 3}, {"al", 9}, {"cy", 3}, {"di", 7}, {"ed", 9}};
  qsort(r, 5, sizeof r[0], cmp_rec);
  for (int i = 0; i < 5; i++) printf("%s:%d ", r[i].name, r[i].score);
  printf("\n");
  Pt p = addp((Pt){1, 2}, (Pt){30, 40});
  Dd d = scale((Dd){1.5, -2.25}, 3.0);
  Big b = mk((Big){1, 2, 3, 4}, 10);
  printf("%d %d %g %g %ld %ld %ld %ld\n", p.x, p.y, d.a, d.b, b.a, b.b, b.c, b.d);
  int s = 0;
  for (int i = 0; i < 3; i++) s += table[i](i + 3) + apply(table[i], i);
  for (int i = 0; i < 2; i++) printf("%s(%d)=%d ", ops[i].name, 6, ops[i].fn(6));
  *pc += 10;
  printf("%d %d %s\n", s, counter, names[2]);
  return 0;
}
