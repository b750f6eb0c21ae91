// Finds the FAT16 partition in an MBR. Pure: host-testable.
#pragma once
#include <stdint.h>

namespace gts::init {

// First primary entry of type 0x04, 0x06 or 0x0E (FAT16 variants) with a
// non-zero start. Returns null or a one-line error.
const char *findFat16Partition(const uint8_t mbr[512], uint64_t *startLba,
                               uint64_t *sectors);

} // namespace gts::init
