// A Dhrystone-like mix: records, pointers, enums, string copies and
// compares, small procedures.
#include <stdio.h>
#include <string.h>

typedef enum { Ident1, Ident2, Ident3, Ident4, Ident5 } Enum;
typedef struct Record {
  struct Record *next;
  Enum disc;
  Enum comp;
  int intComp;
  char str[31];
} Record;

static Record *glob;
static int intGlob;
static char char1Glob, char2Glob;
static int arr1[50], arr2[50][50];

static Enum func1(char c1, char c2) {
  char l1 = c1, l2 = l1;
  if (l2 != c2)
    return Ident1;
  char1Glob = l1;
  return Ident2;
}

static int func2(const char *s1, const char *s2) {
  int i = 2;
  char c = 0;
  while (i <= 2)
    if (func1(s1[i], s2[i + 1]) == Ident1) {
      c = 'A';
      i += 1;
    }
  if (c >= 'W' && c < 'Z')
    i = 7;
  if (c == 'R')
    return 1;
  if (strcmp(s1, s2) > 0) {
    intGlob = i + 7;
    return 1;
  }
  return 0;
}

static int func3(Enum e) { return e == Ident3; }

static void proc6(Enum in, Enum *out) {
  *out = in;
  if (!func3(in))
    *out = Ident4;
  switch (in) {
  case Ident1: *out = Ident1; break;
  case Ident2: *out = intGlob > 100 ? Ident1 : Ident4; break;
  case Ident3: *out = Ident2; break;
  case Ident4: break;
  case Ident5: *out = Ident3; break;
  }
}

static void proc7(int a, int b, int *out) { *out = b + a + 2; }

static void proc8(int *a1, int a2[50][50], int i1, int i2) {
  int loc = i1 + 5;
  a1[loc] = i2;
  a1[loc + 1] = a1[loc];
  a1[loc + 30] = loc;
  for (int i = loc; i <= loc + 1; ++i)
    a2[loc][i] = loc;
  a2[loc][loc - 1] += 1;
  a2[loc + 20][loc] = a1[loc];
  intGlob = 5;
}

static void proc3(Record **p) {
  if (glob)
    *p = glob->next;
  proc7(10, intGlob, &glob->intComp);
}

static void proc1(Record *p) {
  Record *next = p->next;
  *next = *glob;
  p->intComp = 5;
  next->intComp = p->intComp;
  next->next = p->next;
  proc3(&next->next);
  if (next->disc == Ident1) {
    next->intComp = 6;
    proc6(p->comp, &next->comp);
    next->next = glob->next;
    proc7(next->intComp, 10, &next->intComp);
  } else {
    *p = *p->next;
  }
}

int main(void) {
  static Record a, b;
  glob = &a;
  a.next = &b;
  a.disc = Ident1;
  a.comp = Ident3;
  a.intComp = 40;
  strcpy(a.str, "DHRYSTONE PROGRAM, SOME STRING");
  char s1[31], s2[31];
  strcpy(s1, "DHRYSTONE PROGRAM, 1'ST STRING");
  arr2[8][7] = 10;
  long sum = 0;
  for (int run = 0; run < 15000000; ++run) {
    char1Glob = 'A';
    int i1 = 2, i2 = 3, i3;
    strcpy(s2, "DHRYSTONE PROGRAM, 2'ND STRING");
    s2[20 + (run & 7)] = (char)('A' + run % 26); // keeps strcmp a real call
    Enum e = Ident2;
    int boolGlob = !func2(s1, s2);
    while (i1 < i2) {
      i3 = 5 * i1 - i2;
      proc7(i1, i2, &i3);
      i1 += 1;
    }
    proc8(arr1, arr2, i1, i3);
    proc1(glob);
    for (char c = 'A'; c <= char2Glob; ++c)
      if (e == func1(c, 'C'))
        proc6(Ident1, &e);
    char2Glob = 'B';
    i2 = i2 * i1;
    i1 = i2 / i3;
    i2 = 7 * (i2 - i3) - i1;
    sum += i1 + i2 + i3 + e + boolGlob + glob->intComp + (run & 7);
  }
  printf("%ld %d %d\n", sum, intGlob, arr2[8][7]);
  return 0;
}
