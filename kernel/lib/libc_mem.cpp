// KERNEL ONLY: the C symbols clang emits calls to even when freestanding
// (struct copies, zero-initialisation, __builtin_memcpy).
#include "lib/string.h"

extern "C" {
void *memcpy(void *d, const void *s, size_t n) {
  return gts::lib::memCopy(d, s, n);
}
void *memmove(void *d, const void *s, size_t n) {
  return gts::lib::memMove(d, s, n);
}
void *memset(void *d, int c, size_t n) { return gts::lib::memFill(d, c, n); }
int memcmp(const void *a, const void *b, size_t n) {
  return gts::lib::memCompare(a, b, n);
}
}
