// File descriptors: 0..2 are the serial console, the rest FAT16 nodes.
#pragma once
#include "fs/fat16.h"
#include <stdint.h>

namespace gts::sys {

inline constexpr int MaxFds = 256;
inline constexpr int MaxPath = 1024;
inline constexpr int AtFdCwd = -100;

// memfd_create's anonymous file: eagerly backed page frames, freed when
// the last descriptor closes (or a truncate drops them) and no MAP_SHARED
// mapping holds them any more (pmm shareFrame).
struct MemFile {
  uint32_t refs;
  uint64_t size;
  uint64_t pages; // frames[0..pages)
  uint64_t capacity;
  uint64_t *frames;
};

struct File {
  enum Kind : uint8_t { Free, Console, Regular, Directory, Memfd } kind = Free;
  int flags = 0; // open(2) flags
  fs::Node *node = nullptr;
  MemFile *mem = nullptr;
  uint64_t offset = 0;  // byte offset, or readdir cursor
  char *path = nullptr; // directories: absolute path, for *at() calls
};

void filesInit();
File *fileFor(int64_t fd); // null if not open
File *fileSlot(int fd);    // 0 <= fd < MaxFds, free or not
// Builds the absolute path of `userPath` relative to `dirfd` into out
// (MaxPath bytes). 0 or -errno.
int64_t resolveAt(int64_t dirfd, uint64_t userPath, char *out);

} // namespace gts::sys
