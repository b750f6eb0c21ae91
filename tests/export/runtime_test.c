// The export's own C library functions (engine/export/runtime), linked into
// this test in place of the C library's: memcpy for every size up to 300 and
// every alignment, forward-overlapping copies as musl's memmove makes them;
// qsort sorts and is stable (equal keys keep their order, as in glibc) for
// many sizes and element widths.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__memcpy_fwd(void *, const void *, size_t);

static int failures;

static void check(int Ok, const char *What, size_t A, size_t B) {
  if (!Ok && failures++ < 10)
    printf("FAIL: %s (%zu, %zu)\n", What, A, B);
}

static void testMemcpy(void) {
  static unsigned char Src[400], Dst[400], Buf[400];
  for (size_t I = 0; I < sizeof Src; ++I)
    Src[I] = (unsigned char)(I * 7 + 3);
  for (size_t N = 0; N <= 300; ++N)
    for (size_t Off = 0; Off < 16; ++Off) {
      memset(Dst, 0xEE, sizeof Dst);
      void *R = memcpy(Dst + Off, Src + (15 - Off), N);
      check(R == Dst + Off, "memcpy returns its destination", N, Off);
      check(memcmp(Dst + Off, Src + (15 - Off), N) == 0, "memcpy bytes", N,
            Off);
      check(Dst[Off + N] == 0xEE && (Off == 0 || Dst[Off - 1] == 0xEE),
            "memcpy stays in bounds", N, Off);
      // Forward copy onto itself shifted down: what memmove asks of it.
      memcpy(Buf, Src, sizeof Buf);
      __memcpy_fwd(Buf, Buf + Off + 1, N);
      check(memcmp(Buf, Src + Off + 1, N) == 0, "overlapping forward copy", N,
            Off);
    }
}

struct Item {
  int Key;
  int Order;
  char Pad[4];
};

static int byKey(const void *A, const void *B) {
  int X = ((const struct Item *)A)->Key, Y = ((const struct Item *)B)->Key;
  return (X > Y) - (X < Y);
}

static int byInt(const void *A, const void *B) {
  int X = *(const int *)A, Y = *(const int *)B;
  return (X > Y) - (X < Y);
}

static void testQsort(void) {
  unsigned Seed = 12345;
  for (size_t N = 0; N < 3000; N = N < 40 ? N + 1 : N * 3 / 2) {
    struct Item *Items = malloc((N + 1) * sizeof *Items);
    int *Ints = malloc((N + 1) * sizeof *Ints);
    for (size_t I = 0; I < N; ++I) {
      Seed = Seed * 1103515245u + 12345u;
      Items[I].Key = (int)(Seed >> 16) % 17; // many equal keys
      Items[I].Order = (int)I;
      Ints[I] = (int)(Seed >> 8) - 1000000;
    }
    qsort(Items, N, sizeof *Items, byKey);
    qsort(Ints, N, sizeof *Ints, byInt);
    for (size_t I = 1; I < N; ++I) {
      check(Items[I - 1].Key <= Items[I].Key, "qsort order (12 bytes)", N, I);
      check(Items[I - 1].Key < Items[I].Key ||
                Items[I - 1].Order < Items[I].Order,
            "qsort stable", N, I);
      check(Ints[I - 1] <= Ints[I], "qsort order (4 bytes)", N, I);
    }
    free(Items);
    free(Ints);
  }
}

int main(void) {
  testMemcpy();
  testQsort();
  if (failures)
    return 1;
  printf("PASS: memcpy and qsort\n");
  return 0;
}
