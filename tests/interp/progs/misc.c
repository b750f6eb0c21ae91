#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct Item { const char *name; int qty; double price; };
static struct Item stock[] = {{"apple", 3, 0.5}, {"pear", 0, 0.75}, {"fig", 12, 2.0}};
static struct Item *best = &stock[2];
static const char *const *alias = &stock[1].name;
static int grid[4][5];
static char msg[] = "Hello, Interpreter 42!";
struct Tree { int key; struct Tree *l, *r; };
static struct Tree *insert(struct Tree *t, int k) {
  if (!t) { t = calloc(1, sizeof *t); t->key = k; return t; }
  if (k < t->key) t->l = insert(t->l, k); else t->r = insert(t->r, k);
  return t;
}
static int depth(const struct Tree *t) {
  if (!t) return 0;
  int a = depth(t->l), b = depth(t->r);
  return 1 + (a > b ? a : b);
}
static long walk(const struct Tree *t) { return t ? walk(t->l) * 3 + t->key + walk(t->r) : 0; }
static bool is_vowel(char c) {
  switch (tolower((unsigned char)c)) {
  case 'a': case 'e': case 'i': case 'o': case 'u': return true;
  default: return false;
  }
}
static int next_id(void) { static int id = 100; return id++; }
int main(int argc, char **argv) {
  int digits = 0, vowels = 0, upper = 0;
  for (const char *p = msg; *p; p++) {
    digits += isdigit((unsigned char)*p) != 0;
    vowels += is_vowel(*p);
    upper += isupper((unsigned char)*p) ? 1 : 0;
  }
  printf("%d %d %d %zu %s\n", digits, vowels, upper, strlen(msg), strchr(msg, 'I'));
  double total = 0;
  for (unsigned i = 0; i < sizeof stock / sizeof stock[0]; i++) total += stock[i].qty * stock[i].price;
  printf("%.2f %s %s %d\n", total, best->name, *alias, argc);
  for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) grid[i][j] = (i + 1) * (j - 2);
  int neg = 0;
  for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) neg += grid[i][j] < 0;
  struct Tree *t = NULL;
  for (int i = 0; i < 40; i++) t = insert(t, (i * 37) % 101);
  printf("%d %d %ld\n", neg, depth(t), walk(t) % 1000003);
  signed char sc = -5; unsigned char uc = 250; short s = -300;
  printf("%d %d %d %d\n", sc < 3, uc > sc, s / 7, (sc * uc) % 17);
  struct Item copy = stock[0];
  copy.qty += 40;
  printf("%s %d %d\n", copy.name, copy.qty, stock[0].qty);
  int ids = next_id() + next_id() + next_id();
  unsigned long long a = 0xfedcba9876543210ULL;
  printf("%d %llu %llu %lld\n", ids, a / 12345, a % 9999, (long long)a >> 12);
  char buf[32];
  strcpy(buf, argv[argc - 1]);
  strcat(buf, "|");
  printf("%s %d %d\n", buf, strcmp("abc", "abd") < 0, memcmp("xy", "xz", 2) > 0);
  return digits;
}
