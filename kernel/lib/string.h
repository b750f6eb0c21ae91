// Freestanding memory and string helpers shared by kernel subsystems.
// They live in a namespace so that the same code links on the host next to
// libc; lib/libc_mem.cpp (kernel only) exports the C symbols that the
// compiler emits calls to (memcpy, memset, memmove, memcmp).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gts::lib {

void *memCopy(void *dst, const void *src, size_t n);
void *memMove(void *dst, const void *src, size_t n);
void *memFill(void *dst, int byte, size_t n);
int memCompare(const void *a, const void *b, size_t n);
size_t strLength(const char *s);
int strCompare(const char *a, const char *b);
// ASCII-only case folding: the kernel has no locale.
inline char toUpper(char c) { return c >= 'a' && c <= 'z' ? char(c - 32) : c; }
inline char toLower(char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; }

} // namespace gts::lib
