// Power-cut test program: saves a snapshot file the way the engine does
// (temporary file, fsync, rename over the old name, fsync of the directory)
// again and again, each save with a counter and a checksum. At start it
// checks the snapshot the last run left. tests/qemu/powercut.py kills QEMU
// at random instants and boots again to see that the last complete save
// survived.
//
//   powercut SAVES     resume check, then SAVES saves, exit 0
//
// Console lines (one write each): "powercut: no snapshot", "powercut:
// resume counter=N ok", "powercut: saved counter=N" after each complete
// save, "powercut: done". Any failure: "powercut: FAILED: what" and exit 1;
// a snapshot that does not verify: "powercut: CORRUPT: why", exit 3.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR "/state"
#define SNAP DIR "/powercut.snapshot"
#define TMP SNAP ".tmp"
#define MAXLEN 70000

static char payload[MAXLEN], file[MAXLEN + 128];

static void fail(const char *what) {
  dprintf(1, "powercut: FAILED: %s (errno %d)\n", what, errno);
  exit(1);
}

static uint32_t fnv1a(const char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i)
    h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

// Deterministic content for save number `counter`: sizes vary from 1 KB to
// 61 KB, so saves reuse, grow and shrink cluster chains.
static size_t makePayload(unsigned counter) {
  size_t len = 1024 + (counter * 7919u) % 60000u;
  uint32_t x = counter * 2654435761u + 1;
  for (size_t i = 0; i < len; ++i) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    payload[i] = (char)x;
  }
  return len;
}

static void writeAll(int fd, const char *p, size_t n) {
  while (n) {
    size_t chunk = n < 4096 ? n : 4096;
    ssize_t w = write(fd, p, chunk);
    if (w <= 0)
      fail("write");
    p += w, n -= (size_t)w;
  }
}

static void save(unsigned counter) {
  size_t len = makePayload(counter);
  int h = snprintf(file, 128, "gts-powercut v1 counter=%u len=%zu sum=%08x\n",
                   counter, len, fnv1a(payload, len));
  memcpy(file + h, payload, len);
  int fd = open(TMP, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    fail("open " TMP);
  writeAll(fd, file, (size_t)h + len);
  if (fsync(fd) != 0 || close(fd) != 0)
    fail("fsync " TMP);
  if (rename(TMP, SNAP) != 0)
    fail("rename");
  int d = open(DIR, O_RDONLY | O_DIRECTORY);
  if (d < 0 || fsync(d) != 0 || close(d) != 0)
    fail("fsync " DIR);
  dprintf(1, "powercut: saved counter=%u\n", counter);
}

static void corrupt(const char *why) {
  dprintf(1, "powercut: CORRUPT: %s\n", why);
  exit(3);
}

// The counter of the snapshot on the disk (0: none), after verifying it.
static unsigned resume(void) {
  int fd = open(SNAP, O_RDONLY);
  if (fd < 0) {
    if (errno != ENOENT)
      fail("open " SNAP);
    dprintf(1, "powercut: no snapshot\n");
    return 0;
  }
  ssize_t n = 0, r;
  while ((r = read(fd, file + n, sizeof file - (size_t)n)) > 0)
    n += r;
  close(fd);
  // The header is the first line, cut out before parsing: the payload may
  // begin with bytes that scanf would skip as white space.
  unsigned counter, sum;
  size_t len;
  const char *nl = memchr(file, '\n', n < 127 ? (size_t)n : 127);
  if (!nl)
    corrupt("bad header");
  size_t h = (size_t)(nl - file) + 1;
  char header[128] = {0};
  memcpy(header, file, h - 1);
  if (sscanf(header, "gts-powercut v1 counter=%u len=%zu sum=%08x", &counter,
             &len, &sum) != 3)
    corrupt("bad header");
  if ((size_t)n != h + len)
    corrupt("length does not match the header");
  if (fnv1a(file + h, len) != sum)
    corrupt("checksum mismatch");
  if (makePayload(counter) != len || memcmp(payload, file + h, len) != 0)
    corrupt("content is not the one saved with this counter");
  dprintf(1, "powercut: resume counter=%u ok\n", counter);
  return counter;
}

int main(int argc, char **argv) {
  unsigned saves = argc > 1 ? (unsigned)atoi(argv[1]) : 20;
  if (mkdir(DIR, 0755) != 0 && errno != EEXIST)
    fail("mkdir " DIR);
  int root = open("/", O_RDONLY | O_DIRECTORY);
  if (root < 0 || fsync(root) != 0 || close(root) != 0)
    fail("fsync /");
  unsigned counter = resume();
  for (unsigned i = 0; i < saves; ++i)
    save(++counter);
  dprintf(1, "powercut: done\n");
  return 0;
}
