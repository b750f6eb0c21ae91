// A string-keyed hash table with open addressing: insert, look up, count.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CAP = 1 << 18, KEYS = 150000 };
typedef struct {
  char key[16];
  int value;
  int used;
} Slot;
static Slot table[CAP];

static uint32_t hashOf(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; ++s)
    h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

static Slot *find(const char *k) {
  for (uint32_t i = hashOf(k) & (CAP - 1);; i = (i + 1) & (CAP - 1))
    if (!table[i].used || strcmp(table[i].key, k) == 0)
      return &table[i];
}

static void keyFor(unsigned n, char *buf) {
  int len = 0;
  do {
    buf[len++] = (char)('a' + n % 26);
    n /= 26;
  } while (n);
  buf[len++] = 'x';
  buf[len] = 0;
}

int main(void) {
  char k[16];
  long hits = 0;
  for (int round = 0; round < 6; ++round) {
    memset(table, 0, sizeof table);
    unsigned s = 12345 + round;
    for (int i = 0; i < KEYS; ++i) {
      s = s * 1103515245u + 12345u;
      keyFor(s >> 8 & 0xfffff, k);
      Slot *e = find(k);
      if (!e->used) {
        e->used = 1;
        strcpy(e->key, k);
      }
      e->value++;
    }
    for (unsigned i = 0; i < 2 * KEYS; ++i) {
      keyFor(i * 7, k);
      Slot *e = find(k);
      hits += e->used ? e->value : 0;
    }
  }
  printf("%ld\n", hits);
  return 0;
}
