// memcpy for exported programs, linked before musl's libc.a (compiled with
// -ffreestanding -fno-builtin: no call to itself).
//
// musl's x86-64 memcpy starts every copy with `rep movsq`, whose start-up
// cost dominates the many tiny copies stdio makes (TinyLlama reads its
// tokenizer 4 bytes at a time: 96,000 freads, a third of its start-up time).
// Up to 16 bytes: two overlapping loads and stores; beyond: `rep movsb`,
// which CPUs with fast string moves (ERMS) run at full speed.
//
// musl's memmove jumps to __memcpy_fwd (defined next to its memcpy) for
// copies that may run forward; both copies here read everything before
// writing, or copy forward byte by byte, so this one serves for both.
#include <stddef.h>
#include <stdint.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) Unaligned64;
typedef uint32_t __attribute__((may_alias, aligned(1))) Unaligned32;

void *memcpy(void *restrict Dst, const void *restrict Src, size_t N) {
  unsigned char *D = Dst;
  const unsigned char *S = Src;
  if (N <= 16) {
    if (N >= 8) {
      uint64_t A = *(const Unaligned64 *)S;
      uint64_t B = *(const Unaligned64 *)(S + N - 8);
      *(Unaligned64 *)D = A;
      *(Unaligned64 *)(D + N - 8) = B;
    } else if (N >= 4) {
      uint32_t A = *(const Unaligned32 *)S;
      uint32_t B = *(const Unaligned32 *)(S + N - 4);
      *(Unaligned32 *)D = A;
      *(Unaligned32 *)(D + N - 4) = B;
    } else if (N) {
      unsigned char A = S[0], B = S[N / 2], C = S[N - 1];
      D[0] = A;
      D[N / 2] = B;
      D[N - 1] = C;
    }
    return Dst;
  }
  __asm__ volatile("rep movsb" : "+D"(D), "+S"(S), "+c"(N) : : "memory");
  return Dst;
}

__attribute__((alias("memcpy"), visibility("hidden"))) void *
__memcpy_fwd(void *, const void *, size_t);
