// A small bytecode virtual machine: a switch dispatch loop running a program
// that sums a series with nested loops.
#include <stdio.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, JNZ, JMP, LT, HALT };

static long run(const int *code, long *vars) {
  long stack[64];
  int sp = 0, pc = 0;
  for (;;) {
    int op = code[pc++];
    switch (op) {
    case PUSH: stack[sp++] = code[pc++]; break;
    case LOAD: stack[sp++] = vars[code[pc++]]; break;
    case STORE: vars[code[pc++]] = stack[--sp]; break;
    case ADD: sp--; stack[sp - 1] += stack[sp]; break;
    case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
    case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
    case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
    case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
    case JNZ: if (stack[--sp]) pc = code[pc]; else pc++; break;
    case JMP: pc = code[pc]; break;
    case HALT: return vars[0];
    }
  }
}

int main(void) {
  // v0 = sum; v1 = i; for i in 0..N: v0 = (v0 + i * i % 7) % 1000003
  const int code[] = {
      PUSH, 0, STORE, 0, PUSH, 0, STORE, 1,           // 0
      LOAD, 1, PUSH, 7000000, LT, JNZ, 18, HALT,     // 8
      0, 0,                                           // 16 (unused)
      LOAD, 0, LOAD, 1, LOAD, 1, MUL, PUSH, 7, MOD,  // 18
      ADD, PUSH, 1000003, MOD, STORE, 0,             // 28
      LOAD, 1, PUSH, 1, ADD, STORE, 1, JMP, 8};      // 34
  long vars[4] = {0};
  printf("%ld\n", run(code, vars));
  return 0;
}
