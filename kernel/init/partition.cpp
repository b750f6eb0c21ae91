#include "init/partition.h"

namespace gts::init {

const char *findFat16Partition(const uint8_t mbr[512], uint64_t *startLba,
                               uint64_t *sectors) {
  if (mbr[510] != 0x55 || mbr[511] != 0xAA)
    return "no MBR signature";
  for (int i = 0; i < 4; ++i) {
    const uint8_t *e = mbr + 446 + 16 * i;
    uint8_t type = e[4];
    uint32_t start = uint32_t(e[8]) | uint32_t(e[9]) << 8 |
                     uint32_t(e[10]) << 16 | uint32_t(e[11]) << 24;
    uint32_t count = uint32_t(e[12]) | uint32_t(e[13]) << 8 |
                     uint32_t(e[14]) << 16 | uint32_t(e[15]) << 24;
    if ((type == 0x04 || type == 0x06 || type == 0x0E) && start && count) {
      *startLba = start;
      *sectors = count;
      return nullptr;
    }
  }
  return "no FAT16 partition (type 04, 06 or 0E) in the MBR";
}

} // namespace gts::init
