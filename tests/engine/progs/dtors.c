// llvm.global_dtors run at exit, highest priority first and after the atexit
// handlers, as in C; also when the app leaves through exit() and when an
// atexit handler registers another one.
#include <stdio.h>
#include <stdlib.h>

static int Calls;

__attribute__((constructor)) static void setUp(void) { Calls = 1; }
__attribute__((destructor(101))) static void lastDtor(void) {
  printf("dtor 101 (Calls %d)\n", Calls);
}
__attribute__((destructor(300))) static void firstDtor(void) {
  printf("dtor 300\n");
}
__attribute__((destructor)) static void plainDtorA(void) { printf("dtor A\n"); }
__attribute__((destructor)) static void plainDtorB(void) { printf("dtor B\n"); }
__attribute__((destructor(200))) static void midDtor(void) {
  printf("dtor 200\n");
}

static void late(void) { printf("atexit late\n"); }
static void first(void) {
  printf("atexit first\n");
  atexit(late);
}
static void second(void) { printf("atexit second\n"); }

static void leave(int Code) {
  printf("leaving with %d\n", Code);
  exit(Code);
}

int main(int argc, char **argv) {
  (void)argv;
  atexit(first);
  atexit(second);
  for (int I = 0; I < 300; ++I)
    Calls += I % 3;
  if (argc < 5)
    leave(Calls % 50);
  return 0;
}
