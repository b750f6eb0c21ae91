#include "drivers/serial.h"
#include "arch/x86.h"

namespace gts::drivers {
using arch::inb;
using arch::outb;

static constexpr uint16_t Com1 = 0x3F8;

void serialInit() {
  outb(Com1 + 1, 0x00); // no interrupts: we poll
  outb(Com1 + 3, 0x80); // DLAB
  outb(Com1 + 0, 0x01); // divisor 1: 115200 baud
  outb(Com1 + 1, 0x00);
  outb(Com1 + 3, 0x03); // 8N1
  outb(Com1 + 2, 0xC7); // FIFO on, cleared
  outb(Com1 + 4, 0x03); // DTR, RTS
}

// Bytes that fit in the transmit FIFO since it was last seen empty: port
// I/O is the expensive part under virtualisation, so poll once per 16.
static unsigned fifoRoom;

static void putByte(char c) {
  if (fifoRoom == 0) {
    while (!(inb(Com1 + 5) & 0x20)) { // THRE: FIFO empty
    }
    fifoRoom = 16;
  }
  outb(Com1, uint8_t(c));
  --fifoRoom;
}

void serialWrite(const char *s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == '\n')
      putByte('\r');
    putByte(s[i]);
  }
}

int serialTryRead() {
  if (!(inb(Com1 + 5) & 0x01))
    return -1;
  return inb(Com1);
}

} // namespace gts::drivers
