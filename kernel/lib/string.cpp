#include "lib/string.h"

namespace gts::lib {

// Accesses are volatile so the optimiser cannot turn these loops back into
// calls to memcpy/memset, which in the kernel are these very functions.
void *memCopy(void *dst, const void *src, size_t n) {
  auto *d = static_cast<volatile uint8_t *>(dst);
  auto *s = static_cast<const uint8_t *>(src);
  // Word steps when both pointers share alignment: file I/O copies megabytes.
  if ((reinterpret_cast<uintptr_t>(d) & 7) ==
      (reinterpret_cast<uintptr_t>(s) & 7)) {
    while (n && (reinterpret_cast<uintptr_t>(d) & 7)) {
      *d++ = *s++;
      --n;
    }
    auto *dw = reinterpret_cast<volatile uint64_t *>(d);
    auto *sw = reinterpret_cast<const uint64_t *>(s);
    for (; n >= 8; n -= 8)
      *dw++ = *sw++;
    d = reinterpret_cast<volatile uint8_t *>(dw);
    s = reinterpret_cast<const uint8_t *>(sw);
  }
  while (n--)
    *d++ = *s++;
  return dst;
}

void *memMove(void *dst, const void *src, size_t n) {
  auto *d = static_cast<volatile uint8_t *>(dst);
  auto *s = static_cast<const uint8_t *>(src);
  if (d <= s || d >= s + n)
    return memCopy(dst, src, n);
  while (n--)
    d[n] = s[n];
  return dst;
}

void *memFill(void *dst, int byte, size_t n) {
  auto *d = static_cast<volatile uint8_t *>(dst);
  uint64_t word = uint8_t(byte) * 0x0101010101010101ull;
  while (n && (reinterpret_cast<uintptr_t>(d) & 7)) {
    *d++ = uint8_t(byte);
    --n;
  }
  auto *dw = reinterpret_cast<volatile uint64_t *>(d);
  for (; n >= 8; n -= 8)
    *dw++ = word;
  d = reinterpret_cast<volatile uint8_t *>(dw);
  while (n--)
    *d++ = uint8_t(byte);
  return dst;
}

int memCompare(const void *a, const void *b, size_t n) {
  auto *x = static_cast<const uint8_t *>(a);
  auto *y = static_cast<const uint8_t *>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strLength(const char *s) {
  size_t n = 0;
  while (s[n])
    ++n;
  return n;
}

int strCompare(const char *a, const char *b) {
  while (*a && *a == *b) {
    ++a;
    ++b;
  }
  return uint8_t(*a) - uint8_t(*b);
}

} // namespace gts::lib
