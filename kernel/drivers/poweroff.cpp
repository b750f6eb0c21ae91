#include "drivers/poweroff.h"
#include "arch/x86.h"

namespace gts::drivers {

void powerOff(int status) {
  // Statuses above 127 would alias after the shift: clamp them.
  uint8_t s = status < 0 || status > 127 ? 127 : uint8_t(status);
  arch::cli();
  arch::outb(0xF4, s);
  // No debug-exit device: ACPI S5 on QEMU's PIIX4 PM block, then halt.
  arch::outw(0x604, 0x2000);
  for (;;)
    arch::hlt();
}

} // namespace gts::drivers
