#include "mm/heap.h"
#include <cstring>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <random>
#include <vector>

using gts::mm::Heap;

namespace {

struct Arena {
  explicit Arena(size_t n) : mem(new uint8_t[n + 64]), size(n) {}
  // Deliberately misaligned: the heap must align by itself.
  void *base() { return mem.get() + 8; }
  std::unique_ptr<uint8_t[]> mem;
  size_t size;
};

bool aligned(const void *p, size_t a) {
  return reinterpret_cast<uintptr_t>(p) % a == 0;
}

void fill(void *p, size_t n, uint8_t seed) {
  auto *b = static_cast<uint8_t *>(p);
  for (size_t i = 0; i < n; ++i)
    b[i] = uint8_t(seed + i * 7);
}

bool intact(const void *p, size_t n, uint8_t seed) {
  auto *b = static_cast<const uint8_t *>(p);
  for (size_t i = 0; i < n; ++i)
    if (b[i] != uint8_t(seed + i * 7))
      return false;
  return true;
}

TEST(Heap, AlignsEveryPointer) {
  Arena a(1 << 20);
  Heap h;
  h.init(a.base(), a.size);
  for (size_t n : {0, 1, 15, 16, 17, 100, 1000, 5000}) {
    void *p = h.malloc(n);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(aligned(p, 16)) << n;
    EXPECT_GE(h.usableSize(p), n);
  }
  for (size_t al : {32, 64, 256, 4096, 65536}) {
    void *p = h.alignedAlloc(al, 100);
    ASSERT_NE(p, nullptr) << al;
    EXPECT_TRUE(aligned(p, al)) << al;
    fill(p, 100, 1);
    h.free(p);
  }
  EXPECT_EQ(h.alignedAlloc(48, 10), nullptr); // not a power of two
  EXPECT_TRUE(h.check());
}

TEST(Heap, FreeingEverythingCoalescesBackToOneBlock) {
  Arena a(8 << 20);
  Heap h;
  h.init(a.base(), a.size);
  Heap::Stats empty = h.stats();
  EXPECT_EQ(empty.largestFree, empty.freeBytes);
  std::vector<void *> ps;
  std::mt19937 rng(1);
  for (int i = 0; i < 5000; ++i)
    ps.push_back(h.malloc(rng() % 1500));
  std::shuffle(ps.begin(), ps.end(), rng);
  for (void *p : ps)
    h.free(p);
  EXPECT_TRUE(h.check());
  Heap::Stats after = h.stats();
  EXPECT_EQ(after.freeBytes, empty.freeBytes);
  EXPECT_EQ(after.largestFree, empty.largestFree);
  EXPECT_EQ(after.usedBlocks, 0u);
}

TEST(Heap, LargeBlocks) {
  Arena a(96 << 20);
  Heap h;
  h.init(a.base(), a.size);
  void *big = h.malloc(40 << 20);
  void *big2 = h.malloc(40 << 20);
  ASSERT_NE(big, nullptr);
  ASSERT_NE(big2, nullptr);
  EXPECT_EQ(h.malloc(40 << 20), nullptr);
  fill(big, 40 << 20, 3);
  h.free(big2);
  big = h.realloc(big, 60 << 20); // grows in place into the freed neighbour
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(intact(big, 40 << 20, 3));
  h.free(big);
  EXPECT_EQ(h.stats().largestFree, h.stats().freeBytes);
}

TEST(Heap, ExhaustionReturnsNullAndKeepsData) {
  Arena a(4 << 20);
  Heap h;
  h.init(a.base(), a.size);
  std::vector<std::pair<void *, size_t>> live;
  std::mt19937 rng(2);
  for (;;) {
    size_t n = rng() % 20000 + 1;
    void *p = h.malloc(n);
    if (!p)
      break;
    fill(p, n, uint8_t(live.size()));
    live.push_back({p, n});
  }
  EXPECT_GT(live.size(), 200u);
  EXPECT_EQ(h.malloc(size_t(1) << 62), nullptr);
  EXPECT_EQ(h.malloc(size_t(-1)), nullptr);
  EXPECT_EQ(h.calloc(size_t(1) << 40, size_t(1) << 40), nullptr);
  EXPECT_EQ(h.realloc(live[0].first, 8 << 20), nullptr);
  EXPECT_EQ(h.alignedAlloc(4096, 8 << 20), nullptr);
  EXPECT_TRUE(h.check());
  for (size_t i = 0; i < live.size(); ++i)
    ASSERT_TRUE(intact(live[i].first, live[i].second, uint8_t(i))) << i;
  for (auto &[p, n] : live)
    h.free(p);
  EXPECT_EQ(h.stats().largestFree, h.stats().freeBytes);
}

TEST(Heap, CallocZeroesAndReallocKeepsContent) {
  Arena a(1 << 20);
  Heap h;
  h.init(a.base(), a.size);
  auto *p = static_cast<uint8_t *>(h.malloc(4000));
  memset(p, 0xAB, 4000);
  h.free(p);
  auto *z = static_cast<uint8_t *>(h.calloc(100, 40));
  ASSERT_NE(z, nullptr);
  for (int i = 0; i < 4000; ++i)
    ASSERT_EQ(z[i], 0) << i;
  fill(z, 4000, 9);
  z = static_cast<uint8_t *>(h.realloc(z, 100)); // shrink
  EXPECT_TRUE(intact(z, 100, 9));
  void *blocker = h.malloc(64); // forces the next growth to move
  z = static_cast<uint8_t *>(h.realloc(z, 50000));
  ASSERT_NE(z, nullptr);
  EXPECT_TRUE(intact(z, 100, 9));
  EXPECT_EQ(h.realloc(z, 0), nullptr);
  h.free(blocker);
  EXPECT_TRUE(h.check());
  EXPECT_EQ(h.stats().usedBlocks, 0u);
}

// The grow callback hands out chunks of a big buffer; adjacent chunks merge
// into one region so large blocks can span them.
TEST(Heap, GrowsThroughTheCallback) {
  struct Pool {
    Arena arena{64 << 20};
    size_t used = 0;
    int calls = 0;
    bool gap = false;
  } pool;
  auto grow = [](void *ctx, size_t min, void **base, size_t *size) {
    auto *p = static_cast<Pool *>(ctx);
    size_t chunk = std::max<size_t>(min, 1 << 20);
    chunk = (chunk + 4095) & ~size_t(4095);
    size_t skip = p->gap ? 4096 : 0;
    if (p->used + skip + chunk > p->arena.size)
      return false;
    *base = p->arena.mem.get() + p->used + skip; // page-like, aligned
    *size = chunk;
    p->used += skip + chunk;
    ++p->calls;
    return true;
  };
  Heap h;
  h.init(nullptr, 0);
  h.setGrow(grow, &pool);
  std::vector<void *> ps;
  for (int i = 0; i < 100; ++i) {
    ps.push_back(h.malloc(100000));
    ASSERT_NE(ps.back(), nullptr) << i;
  }
  EXPECT_GE(pool.calls, 9);
  for (void *p : ps)
    h.free(p);
  Heap::Stats s = h.stats();
  EXPECT_EQ(s.largestFree, s.freeBytes); // one region, one block
  EXPECT_NE(h.malloc(s.largestFree - 64), nullptr);
  EXPECT_TRUE(h.check());

  Heap g; // non-adjacent chunks stay separate regions
  pool.used = 0;
  pool.gap = true;
  g.init(nullptr, 0);
  g.setGrow(grow, &pool);
  for (int i = 0; i < 10; ++i)
    EXPECT_NE(g.malloc(900000), nullptr);
  EXPECT_TRUE(g.check());
  EXPECT_EQ(g.malloc(80 << 20), nullptr);
  EXPECT_TRUE(g.check());
}

TEST(Heap, RandomStressKeepsContents) {
  Arena a(64 << 20);
  Heap h;
  h.init(a.base(), a.size);
  struct Live {
    size_t size;
    uint8_t seed;
  };
  std::map<void *, Live> live;
  std::mt19937 rng(3);
  auto randomSize = [&]() -> size_t {
    switch (rng() % 10) {
    case 0:
      return rng() % (1 << 20);
    case 1:
      return rng() % 100000;
    default:
      return rng() % 512;
    }
  };
  for (int step = 0; step < 60000; ++step) {
    int op = rng() % 10;
    if (op < 5 || live.empty()) {
      size_t n = randomSize();
      void *p =
          op == 0 ? h.alignedAlloc(size_t(32) << (rng() % 8), n) : h.malloc(n);
      if (!p)
        continue;
      ASSERT_TRUE(aligned(p, 16));
      ASSERT_EQ(live.count(p), 0u);
      uint8_t seed = uint8_t(rng());
      fill(p, n, seed);
      live[p] = {n, seed};
      continue;
    }
    auto it = live.begin();
    std::advance(it, rng() % std::min<size_t>(live.size(), 64));
    auto [p, l] = *it;
    ASSERT_TRUE(intact(p, l.size, l.seed)) << "step " << step;
    live.erase(it);
    if (op < 8) {
      h.free(p);
      continue;
    }
    size_t n = randomSize();
    void *q = h.realloc(p, n);
    if (!q) {
      if (n)
        live[p] = l; // failed realloc leaves the block alone
      continue;
    }
    ASSERT_TRUE(intact(q, std::min(n, l.size), l.seed)) << "step " << step;
    fill(q, n, l.seed);
    live[q] = {n, l.seed};
    if (step % 5000 == 0)
      ASSERT_TRUE(h.check()) << step;
  }
  for (auto &[p, l] : live) {
    ASSERT_TRUE(intact(p, l.size, l.seed));
    h.free(p);
  }
  EXPECT_TRUE(h.check());
  EXPECT_EQ(h.stats().largestFree, h.stats().freeBytes);
}

} // namespace
