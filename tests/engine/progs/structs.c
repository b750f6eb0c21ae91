// Structs by value, global data, static locals.
#include <stdio.h>
#include <string.h>

typedef struct {
  int x, y;
} Pt;
typedef struct {
  double re, im;
} Cx;
typedef struct {
  char name[24];
  long vals[6];
} Big;

static Pt Path[] = {{1, 2}, {3, 5}, {-4, 7}, {10, -1}};
static const char *Words[] = {"alpha", "beta", "gamma"};
static int Counter = 5;

static Pt addPt(Pt a, Pt b) { return (Pt){a.x + b.x, a.y + b.y}; }
static Cx mulCx(Cx a, Cx b) {
  return (Cx){a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}
static Big bump(Big b, long d) {
  for (int i = 0; i < 6; ++i)
    b.vals[i] += d * i;
  strcat(b.name, "+");
  return b;
}
static int next(void) {
  static int n = 100;
  return n++ + Counter++;
}

int main(void) {
  Pt s = {0, 0};
  for (int i = 0; i < 1000; ++i)
    s = addPt(s, Path[i % 4]);
  Cx z = {1.0, 0.5};
  for (int i = 0; i < 50; ++i)
    z = mulCx(z, (Cx){0.99, 0.05});
  Big b = {"big", {1, 2, 3, 4, 5, 6}};
  for (int i = 0; i < 5; ++i)
    b = bump(b, i);
  int n = 0;
  for (int i = 0; i < 10; ++i)
    n += next();
  printf("pt %d %d cx %.12f %.12f\n", s.x, s.y, z.re, z.im);
  printf("big %s %ld %ld n %d %s\n", b.name, b.vals[0], b.vals[5], n,
         Words[n % 3]);
  return 0;
}
