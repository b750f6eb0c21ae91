// Little-endian fields of FAT on-disk structures, and the long-name
// checksum: shared by the driver (fat16.cpp) and the mount-time repair.
#pragma once
#include <stdint.h>

namespace gts::fs {

inline uint16_t rd16(const uint8_t *p) { return uint16_t(p[0] | p[1] << 8); }
inline uint32_t rd32(const uint8_t *p) {
  return rd16(p) | uint32_t(rd16(p + 2)) << 16;
}
inline void wr16(uint8_t *p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
inline void wr32(uint8_t *p, uint32_t v) {
  wr16(p, uint16_t(v));
  wr16(p + 2, uint16_t(v >> 16));
}

// The checksum of an 8.3 name that its LFN slots carry.
inline uint8_t lfnChecksum(const uint8_t *name11) {
  uint8_t sum = 0;
  for (int i = 0; i < 11; ++i)
    sum = uint8_t(((sum & 1) << 7) + (sum >> 1) + name11[i]);
  return sum;
}

} // namespace gts::fs
