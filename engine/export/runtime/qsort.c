// qsort for exported programs, linked before musl's libc.a.
//
// musl's qsort is a smoothsort that moves elements with variable-size
// memcpy calls: on TinyLlama's 32,000-piece vocabulary it costs more start-up
// time than the rest of loading. This one is a stable merge sort, the
// algorithm glibc's qsort uses whenever it can allocate its buffer, so equal
// elements also end up in glibc's order (a stable sort's result is unique),
// which the app's IR, built against glibc, may have been tested with.
#include <stdlib.h>
#include <string.h>

typedef int (*Compare)(const void *, const void *);

// Fixed sizes become single moves.
static void move(char *To, const char *From, size_t Size) {
  if (Size == 4)
    memcpy(To, From, 4);
  else if (Size == 8)
    memcpy(To, From, 8);
  else
    memcpy(To, From, Size);
}

static void mergeSort(char *A, char *Tmp, size_t N, size_t Size, Compare Cmp) {
  if (N < 2)
    return;
  size_t N1 = N / 2, N2 = N - N1;
  char *B = A + N1 * Size;
  mergeSort(A, Tmp, N1, Size, Cmp);
  mergeSort(B, Tmp, N2, Size, Cmp);
  char *T = Tmp, *P = A, *Q = B;
  while (N1 && N2) {
    // <= keeps the first half's element first: stable.
    if (Cmp(P, Q) <= 0) {
      move(T, P, Size);
      P += Size;
      --N1;
    } else {
      move(T, Q, Size);
      Q += Size;
      --N2;
    }
    T += Size;
  }
  if (N1)
    memcpy(T, P, N1 * Size);
  // What is left of the second half is already in place.
  memcpy(A, Tmp, (N - N2) * Size);
}

static void swap(char *X, char *Y, size_t Size) {
  while (Size--) {
    char C = *X;
    *X++ = *Y;
    *Y++ = C;
  }
}

static void siftDown(char *A, size_t Root, size_t N, size_t Size, Compare Cmp) {
  for (size_t Child; (Child = 2 * Root + 1) < N; Root = Child) {
    if (Child + 1 < N && Cmp(A + Child * Size, A + (Child + 1) * Size) < 0)
      ++Child;
    if (Cmp(A + Root * Size, A + Child * Size) >= 0)
      return;
    swap(A + Root * Size, A + Child * Size, Size);
  }
}

// Without memory for the buffer: heapsort, in place, O(n log n).
static void heapSort(char *A, size_t N, size_t Size, Compare Cmp) {
  for (size_t I = N / 2; I-- > 0;)
    siftDown(A, I, N, Size, Cmp);
  for (size_t End = N; End-- > 1;) {
    swap(A, A + End * Size, Size);
    siftDown(A, 0, End, Size, Cmp);
  }
}

void qsort(void *Base, size_t N, size_t Size, Compare Cmp) {
  if (N < 2 || Size == 0)
    return;
  char Small[1024];
  char *Tmp = NULL;
  if (N <= (size_t)-1 / Size)
    Tmp = N * Size <= sizeof Small ? Small : malloc(N * Size);
  if (!Tmp) {
    heapSort(Base, N, Size, Cmp);
    return;
  }
  mergeSort(Base, Tmp, N, Size, Cmp);
  if (Tmp != Small)
    free(Tmp);
}
