// Computed goto: a tiny bytecode interpreter.
#include <stdio.h>

static long run(const unsigned char *code, long n) {
  static void *Ops[] = {&&op_inc, &&op_dbl, &&op_dec, &&op_halt};
  long acc = 0;
  const unsigned char *pc = code;
  goto *Ops[*pc++];
op_inc:
  acc += n;
  goto *Ops[*pc++];
op_dbl:
  acc *= 2;
  goto *Ops[*pc++];
op_dec:
  acc -= 1;
  goto *Ops[*pc++];
op_halt:
  return acc;
}

int main(void) {
  const unsigned char prog[] = {0, 1, 0, 2, 1, 1, 2, 3};
  long t = 0;
  for (long i = 0; i < 3000; ++i)
    t += run(prog, i);
  printf("t = %ld\n", t);
  return 0;
}
