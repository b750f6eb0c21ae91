#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 300;
  unsigned long s = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      for (int k = 0; k < 64; k++)
        s += (unsigned long)(i ^ j) * (unsigned)(k + 1) + (s >> 7);
  printf("%lu\n", s);
  return 0;
}
