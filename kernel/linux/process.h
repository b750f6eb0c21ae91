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
  // The boot files and their directories (Stat::ino; 0: none): the
  // program may read them, never change them (init/boot_ab.h).
  // Four files, two programs with paths of up to 255 bytes (128 levels).
  uint64_t protectedIno[4 + 2 * 128] = {};
  // Set just before the kernel ends the program ("a page fault", ...).
  const char *killedBy = nullptr;
  // Runs in exitProcess before the disk is synced; returns the status to
  // power off with (the A/B trial's end, init/boot_ab.h).
  int (*onExit)(int status) = nullptr;
};

// Whether `ino` is one of the boot files the program may not change.
bool isProtectedIno(uint64_t ino);

Process &process();
// Syncs and unmounts the file system, then powers off with `status`.
[[noreturn]] void exitProcess(int status);
// The same for a program the kernel ends: `why` completes "killed by".
[[noreturn]] void killProcess(const char *why);

} // namespace gts::sys
