// PCI configuration space through the legacy 0xCF8/0xCFC ports.
#pragma once
#include <stdint.h>

namespace gts::drivers {

struct PciDevice {
  uint8_t bus, slot, func;
  uint16_t vendor, device;
  uint8_t classCode, subclass;
};

uint32_t pciRead32(const PciDevice &d, uint8_t off);
uint16_t pciRead16(const PciDevice &d, uint8_t off);
void pciWrite16(const PciDevice &d, uint8_t off, uint16_t v);

// Walks bus 0 and every bus behind a PCI-PCI bridge; prints each device.
// Returns how many were stored in `out`.
int pciEnumerate(PciDevice *out, int max);

} // namespace gts::drivers
