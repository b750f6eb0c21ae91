// The app's heap: small blocks freed and allocated again in many sizes (the
// engine caches them per thread), calloc zeroing reused blocks, realloc,
// blocks from strdup and posix_memalign, blocks freed by another thread, and
// no live block handed out twice.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 4000, ROUNDS = 6 };

static void *blocks[N];
static size_t sizes[N];
static void *volatile escaped;

static unsigned next(unsigned *s) { return *s = *s * 1103515245u + 12345u; }

static void fill(unsigned char *p, size_t n, unsigned char v) {
  for (size_t i = 0; i < n; ++i)
    p[i] = (unsigned char)(v + i);
}

static int intact(const unsigned char *p, size_t n, unsigned char v) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != (unsigned char)(v + i))
      return 0;
  return 1;
}

static int byAddress(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (void *const *)a,
            y = (uintptr_t) * (void *const *)b;
  return x < y ? -1 : x > y;
}

// Live blocks never overlap.
static int disjoint(void) {
  static void *sorted[N];
  size_t live = 0;
  for (size_t i = 0; i < N; ++i)
    if (blocks[i])
      sorted[live++] = blocks[i];
  qsort(sorted, live, sizeof *sorted, byAddress);
  for (size_t i = 1; i < live; ++i)
    if (sorted[i - 1] == sorted[i])
      return 0;
  return 1;
}

static void *freeHalf(void *arg) {
  unsigned s = *(unsigned *)arg;
  for (size_t i = 0; i < N; ++i)
    if (blocks[i] && next(&s) % 2) {
      free(blocks[i]);
      blocks[i] = NULL;
    }
  return NULL;
}

int main(void) {
  unsigned s = 7;
  long sum = 0, bad = 0;
  for (int r = 0; r < ROUNDS; ++r) {
    for (size_t i = 0; i < N; ++i) {
      if (blocks[i])
        continue;
      size_t n = next(&s) % 300;
      unsigned char *p = (r % 2) ? calloc(1, n + 1) : malloc(n + 1);
      if (!p)
        return 2;
      if (r % 2)
        for (size_t k = 0; k <= n; ++k)
          bad += p[k] != 0;
      fill(p, n + 1, (unsigned char)i);
      blocks[i] = p;
      sizes[i] = n + 1;
    }
    bad += !disjoint();
    for (size_t i = 0; i < N; ++i)
      bad += !intact(blocks[i], sizes[i], (unsigned char)i);
    if (r == 2) { // another thread frees half of this thread's blocks
      pthread_t t;
      unsigned seed = s;
      if (pthread_create(&t, NULL, freeHalf, &seed) || pthread_join(t, NULL))
        return 3;
      next(&s);
    } else {
      freeHalf(&s);
      next(&s);
    }
    for (size_t i = 0; i < N; i += 7)
      if (blocks[i]) {
        size_t n = sizes[i] * 3;
        unsigned char *p = realloc(blocks[i], n);
        if (!p)
          return 4;
        bad += !intact(p, sizes[i], (unsigned char)i);
        fill(p, n, (unsigned char)i);
        blocks[i] = p;
        sizes[i] = n;
      }
    for (int k = 0; k < 50; ++k) {
      char *d = strdup("a string from the C library");
      void *a = NULL;
      if (!d || posix_memalign(&a, 64, 40 + k) || ((uintptr_t)a & 63))
        return 5;
      sum += (long)strlen(d);
      free(d);
      free(a);
    }
  }
  for (size_t i = 0; i < N; ++i) {
    if (blocks[i])
      sum += (long)sizes[i];
    free(blocks[i]);
  }
  void *huge = calloc(SIZE_MAX / 2, 4);
  escaped = huge; // or clang drops the call and assumes success
  printf("sum %ld bad %ld huge calloc %s\n", sum, bad,
         huge ? "succeeded" : "failed");
  free(NULL);
  return bad != 0;
}
