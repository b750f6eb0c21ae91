// What stage 2 hands the kernel (at a physical address in RDI).
#pragma once
#include <stdint.h>

namespace gts::boot {

inline constexpr uint32_t BootInfoMagic = 0x42535447; // "GTSB"
inline constexpr uint32_t E820Max = 128;
inline constexpr uint32_t E820Usable = 1;

struct E820Entry {
  uint64_t base;
  uint64_t length;
  uint32_t type;
  uint32_t acpi;
};

struct BootInfo {
  uint32_t magic;
  uint32_t e820Count;
  uint32_t bootDrive; // BIOS drive number (0x80 = first hard disk)
  uint32_t reserved;
  E820Entry e820[E820Max];
};

} // namespace gts::boot
