// memfd_create files (linux/files.h MemFile): size, byte I/O and the
// frames behind them for MAP_SHARED mappings.
#pragma once
#include "linux/files.h"
#include <stdint.h>

namespace gts::sys {

int64_t memfdTruncate(MemFile *m, uint64_t size);
// Copies between the file at `off` and user memory; returns bytes moved.
int64_t memfdIo(MemFile *m, uint64_t off, uint64_t user, uint64_t len,
                bool write);
void memfdRelease(MemFile *m);

} // namespace gts::sys
