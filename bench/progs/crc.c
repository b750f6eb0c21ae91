// Table-driven CRC-32 over a buffer, repeated: bit and byte operations.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t Table[256];

static void makeTable(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    Table[i] = c;
  }
}

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i)
    crc = Table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

int main(void) {
  enum { SIZE = 1 << 20 };
  uint8_t *buf = malloc(SIZE);
  uint32_t x = 7;
  for (int i = 0; i < SIZE; ++i) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  makeTable();
  uint32_t crc = 0;
  for (int r = 0; r < 200; ++r)
    crc = crc32(buf, SIZE, crc);
  printf("%08x\n", crc);
  free(buf);
  return 0;
}
