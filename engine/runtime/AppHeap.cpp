#include "AppHeap.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <malloc.h>

namespace gts {

#ifdef GTS_SANITIZED

void *appMalloc(size_t Size) { return malloc(Size); }
void *appCalloc(size_t Count, size_t Size) { return calloc(Count, Size); }
void appFree(void *Block) { free(Block); }

#else

namespace {

// glibc's chunk sizes on x86-64: the request plus an 8-byte header, rounded
// up to 16, at least 32; malloc_usable_size of a chunk is its size - 8.
constexpr size_t ChunkFor(size_t Request) {
  return Request + 8 + 15 < 32 ? 32 : (Request + 8 + 15) & ~size_t(15);
}
constexpr size_t LargestCached = 256;      // chunk bytes
constexpr size_t BytesPerClass = 2u << 20; // what one class may hold
constexpr size_t Classes = LargestCached / 16 + 1;

struct FreeBlock {
  FreeBlock *Next;
};

struct BlockCache {
  FreeBlock *Head[Classes];
  uint32_t Count[Classes];
};

// Zero-initialised per thread, no constructor or destructor: the blocks of
// a thread that ends stay allocated (at most BytesPerClass per class).
thread_local BlockCache Cache;

// A cached block for a request of Bytes, or null.
void *take(size_t Bytes) {
  size_t Chunk = ChunkFor(Bytes);
  if (Chunk > LargestCached)
    return nullptr;
  size_t Class = Chunk / 16;
  FreeBlock *B = Cache.Head[Class];
  if (!B)
    return nullptr;
  Cache.Head[Class] = B->Next;
  --Cache.Count[Class];
  return B;
}

} // namespace

void *appMalloc(size_t Size) {
  void *B = take(Size);
  return B ? B : malloc(Size);
}

void *appCalloc(size_t Count, size_t Size) {
  size_t Bytes;
  if (__builtin_mul_overflow(Count, Size, &Bytes))
    return calloc(Count, Size); // glibc's ENOMEM
  void *B = take(Bytes);
  return B ? memset(B, 0, Bytes) : calloc(Count, Size);
}

void appFree(void *Block) {
  if (!Block)
    return;
  size_t Chunk = malloc_usable_size(Block) + 8;
  size_t Class = Chunk / 16;
  if (Chunk > LargestCached || Chunk % 16 ||
      Cache.Count[Class] >= BytesPerClass / Chunk) {
    free(Block);
    return;
  }
  auto *B = static_cast<FreeBlock *>(Block);
  B->Next = Cache.Head[Class];
  Cache.Head[Class] = B;
  ++Cache.Count[Class];
}

#endif

} // namespace gts
