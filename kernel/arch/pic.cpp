#include "arch/pic.h"
#include "arch/x86.h"

namespace gts::arch {

void picInit() {
  outb(0x20, 0x11); // ICW1: init, ICW4 follows
  outb(0xA0, 0x11);
  outb(0x21, 32); // ICW2: vector bases
  outb(0xA1, 40);
  outb(0x21, 4); // ICW3: slave on line 2
  outb(0xA1, 2);
  outb(0x21, 1); // ICW4: 8086 mode
  outb(0xA1, 1);
  outb(0x21, 0xFB); // everything masked but the cascade
  outb(0xA1, 0xFF);
}

void picUnmask(unsigned line) {
  uint16_t port = line < 8 ? 0x21 : 0xA1;
  outb(port, inb(port) & ~(1u << (line & 7)));
}

void picEoi(unsigned line) {
  if (line >= 8)
    outb(0xA0, 0x20);
  outb(0x20, 0x20);
}

} // namespace gts::arch
