#include "init/partition.h"
#include <cstring>
#include <gtest/gtest.h>

using gts::init::findFat16Partition;

namespace {
void entry(uint8_t *mbr, int i, uint8_t type, uint32_t start, uint32_t n) {
  uint8_t *e = mbr + 446 + 16 * i;
  e[4] = type;
  std::memcpy(e + 8, &start, 4);
  std::memcpy(e + 12, &n, 4);
}
} // namespace

TEST(Partition, FindsFirstFat16Entry) {
  uint8_t mbr[512] = {};
  mbr[510] = 0x55;
  mbr[511] = 0xAA;
  entry(mbr, 0, 0x83, 63, 1000); // Linux: skipped
  entry(mbr, 1, 0x0E, 2048, 63488);
  uint64_t start = 0, count = 0;
  EXPECT_EQ(findFat16Partition(mbr, &start, &count), nullptr);
  EXPECT_EQ(start, 2048u);
  EXPECT_EQ(count, 63488u);
}

TEST(Partition, Errors) {
  uint8_t mbr[512] = {};
  uint64_t s, c;
  EXPECT_STREQ(findFat16Partition(mbr, &s, &c), "no MBR signature");
  mbr[510] = 0x55;
  mbr[511] = 0xAA;
  entry(mbr, 0, 0x0C, 2048, 100); // FAT32
  EXPECT_STREQ(findFat16Partition(mbr, &s, &c),
               "no FAT16 partition (type 04, 06 or 0E) in the MBR");
}
