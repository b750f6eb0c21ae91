#include "drivers/console.h"
#include <gtest/gtest.h>
#include <string>

// console.cpp sends kprintf output here; ksnprintf never does.
namespace gts::drivers {
std::string serialOut;
void serialWrite(const char *s, size_t n) { serialOut.append(s, n); }
} // namespace gts::drivers

using gts::ksnprintf;

namespace {
std::string fmt(const char *f, auto... args) {
  char buf[128];
  size_t n = ksnprintf(buf, sizeof buf, f, args...);
  EXPECT_EQ(n, std::string(buf).size());
  return buf;
}
} // namespace

TEST(Console, Conversions) {
  EXPECT_EQ(fmt("%d %i %u", -42, 7, 3000000000u), "-42 7 3000000000");
  EXPECT_EQ(fmt("%x %X %lx", 255u, 255u, 0xFFFFFFFF80100000ul),
            "ff FF ffffffff80100000");
  EXPECT_EQ(fmt("%016lx|%4d|%-s", 0x1234ul, 5, "x"),
            "0000000000001234|   5|%-s");
  EXPECT_EQ(fmt("%s %s %c %%", "abc", (const char *)nullptr, 'z'),
            "abc (null) z %");
  EXPECT_EQ(fmt("%p", (void *)0x10), "0x0000000000000010");
  EXPECT_EQ(
      fmt("%ld %lu %zu", -9000000000l, 18446744073709551615ul, size_t(12)),
      "-9000000000 18446744073709551615 12");
  EXPECT_EQ(fmt("%05d", -42), "-0042");
}

TEST(Console, TruncatesAndTerminates) {
  char buf[8];
  size_t n = ksnprintf(buf, sizeof buf, "%s", "0123456789");
  EXPECT_EQ(n, 7u);
  EXPECT_STREQ(buf, "0123456");
}

TEST(Console, KprintfGoesToSerialInChunks) {
  gts::drivers::serialOut.clear();
  std::string big(1000, 'q');
  gts::kprintf("[%s]\n", big.c_str());
  EXPECT_EQ(gts::drivers::serialOut, "[" + big + "]\n");
}
