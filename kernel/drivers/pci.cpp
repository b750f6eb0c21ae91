#include "drivers/pci.h"
#include "arch/x86.h"
#include "drivers/console.h"

namespace gts::drivers {
namespace {

uint32_t address(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off) {
  return 0x80000000u | uint32_t(bus) << 16 | uint32_t(slot) << 11 |
         uint32_t(func) << 8 | (off & 0xFC);
}

uint32_t read32(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off) {
  arch::outl(0xCF8, address(bus, slot, func, off));
  return arch::inl(0xCFC);
}

void scanBus(uint8_t bus, PciDevice *out, int max, int *n, int depth) {
  for (uint8_t slot = 0; slot < 32; ++slot) {
    uint8_t funcs = 1;
    for (uint8_t func = 0; func < funcs; ++func) {
      uint32_t id = read32(bus, slot, func, 0);
      if ((id & 0xFFFF) == 0xFFFF)
        continue;
      uint32_t cls = read32(bus, slot, func, 8);
      uint8_t header = uint8_t(read32(bus, slot, func, 0x0C) >> 16);
      if (func == 0 && (header & 0x80))
        funcs = 8; // multi-function device
      PciDevice d{bus,
                  slot,
                  func,
                  uint16_t(id),
                  uint16_t(id >> 16),
                  uint8_t(cls >> 24),
                  uint8_t(cls >> 16)};
      kprintf("pci %02x:%02x.%x %04x:%04x class %02x.%02x\n", bus, slot, func,
              d.vendor, d.device, d.classCode, d.subclass);
      if (*n < max)
        out[(*n)++] = d;
      if (d.classCode == 0x06 && d.subclass == 0x04 && depth < 8)
        scanBus(uint8_t(read32(bus, slot, func, 0x18) >> 8), out, max, n,
                depth + 1);
    }
  }
}

} // namespace

uint32_t pciRead32(const PciDevice &d, uint8_t off) {
  return read32(d.bus, d.slot, d.func, off);
}

uint16_t pciRead16(const PciDevice &d, uint8_t off) {
  return uint16_t(pciRead32(d, off) >> ((off & 2) * 8));
}

void pciWrite16(const PciDevice &d, uint8_t off, uint16_t v) {
  arch::outl(0xCF8, address(d.bus, d.slot, d.func, off));
  arch::outw(uint16_t(0xCFC + (off & 2)), v);
}

int pciEnumerate(PciDevice *out, int max) {
  int n = 0;
  scanBus(0, out, max, &n, 0);
  return n;
}

} // namespace gts::drivers
