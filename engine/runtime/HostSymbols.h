// The C library and compiler-runtime symbols that app code may call.
//
// gts is a static binary: it cannot dlsym itself, so every external symbol an
// app may reference is listed here explicitly.
#pragma once

#include "llvm/ADT/StringMap.h"

namespace gts {

// Name -> address of every symbol the engine provides to apps.
const llvm::StringMap<void *> &hostSymbols();

} // namespace gts
