// The one process: its executable, program break, mmap cursor, and the
// exit path (sync the disk, report, power off).
#pragma once
#include "fs/fat16.h"
#include <stdint.h>

namespace gts::sys {

inline constexpr uint64_t StackTop = 0x00007FFFFFFFF000ull;
inline constexpr uint64_t StackReserve = 64ull << 20; // lazily backed
inline constexpr uint64_t MmapTop = 0x00007F0000000000ull;

struct Process {
  fs::Fat16 *fs = nullptr;
  uint64_t volumeSectors = 0; // size of the FAT16 partition
  char exePath[256] = {};
  uint64_t brkStart = 0, brkCur = 0;
  uint64_t mmapCursor = MmapTop; // grows down
  bool diskFlushes = false;      // the device can commit its cache
  bool auditWx = false;          // page-table audit at exit (mm/wx_audit.h)
  // /KERNEL.BIN and /CMDLINE.TXT (Stat::ino; 0: none): read-only.
  uint64_t protectedIno[2] = {};
};

// Whether `ino` is one of the boot files the program may not change.
bool isProtectedIno(uint64_t ino);

Process &process();
// Syncs and unmounts the file system, then powers off with `status`.
[[noreturn]] void exitProcess(int status);

} // namespace gts::sys
