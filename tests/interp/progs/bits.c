#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
struct Flags { unsigned a : 3, b : 5, c : 11; int d : 7; unsigned long long e : 40; };
static unsigned rotl(unsigned x, int r) { return (x << r) | (x >> (32 - r)); }
int main(void) {
  unsigned __int128 f = 1;
  for (int i = 1; i <= 30; i++) f *= i;
  __int128 neg = -(__int128)f / 7;
  printf("%llu %llu %lld %llu\n", (unsigned long long)(f >> 64), (unsigned long long)f,
         (long long)(neg >> 70), (unsigned long long)(f % 1000000007));
  uint64_t v = 0x0123456789abcdefULL;
  printf("%d %d %d %d %d\n", __builtin_popcountll(v), __builtin_clzll(v), __builtin_ctzll(v << 4),
         __builtin_popcount(0xF0F0u), __builtin_clz(1u));
  printf("%llx %x %x %x\n", (unsigned long long)__builtin_bswap64(v), __builtin_bswap32(0x11223344u),
         __builtin_bswap16(0xabcd), rotl(0x80000001u, 3));
  int r; long long rl; unsigned ru;
  int o1 = __builtin_sadd_overflow(0x7fffffff, 1, &r);
  int o2 = __builtin_smulll_overflow(1LL << 40, 1LL << 30, &rl);
  int o3 = __builtin_usub_overflow(3u, 5u, &ru);
  int o4 = __builtin_umul_overflow(65536u, 65535u, &ru);
  printf("%d %d %d %d %d %u\n", o1, r, o2, o3, o4, ru);
  struct Flags fl = {5, 17, 1000, -20, 0xabcdef1234ULL};
  fl.b += 20; fl.d -= 50; fl.e <<= 1;
  printf("%u %u %u %d %llx\n", fl.a, fl.b, fl.c, fl.d, (unsigned long long)fl.e);
  int8_t sb = -100; int16_t sh = -30000; uint8_t ub = 200; uint16_t uh = 60000;
  sb = (int8_t)(sb * 3); sh = (int16_t)(sh - 10000); ub = (uint8_t)(ub + ub); uh = (uint16_t)(uh * 2);
  printf("%d %d %u %u %d %d\n", sb, sh, ub, uh, sb >> 2, (int8_t)ub / 3);
  int64_t big = INT64_MIN + 5;
  printf("%lld %llu %d %d\n", (long long)(big / -3), (unsigned long long)big % 1000, abs(-42), (int)(big >> 63));
  uint32_t h = 2166136261u;
  for (int i = 0; i < 1000; i++) h = (h ^ (uint32_t)i) * 16777619u;
  printf("%u %d\n", h, (int)(h > 0x80000000u));
  return 0;
}
