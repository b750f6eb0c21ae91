// An app may define C library names itself (C allows it): its own rand and
// srand win over the C library's, at every tier, for direct calls and
// through pointers.
#include <stdio.h>
#include <stdlib.h>

static unsigned long long State = 1;

int rand(void) {
  State = State * 6364136223846793005ULL + 1442695040888963407ULL;
  return (int)(State >> 33) % 1000;
}

void srand(unsigned Seed) { State = Seed; }

static int roll(int (*Gen)(void)) { return Gen() % 6 + 1; }

int main(void) {
  srand(42);
  int Sum = 0;
  for (int I = 0; I < 500; ++I)
    Sum += rand();
  int (*volatile Gen)(void) = rand;
  int Roll = roll(Gen);
  int Next = rand();
  printf("sum %d, roll %d, next %d\n", Sum, Roll, Next);
  return Sum % 100;
}
