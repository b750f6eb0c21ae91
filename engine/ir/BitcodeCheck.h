// Checks a bitcode file for what LLVM's reader trusts before validating it.
#pragma once

#include "llvm/Support/MemoryBufferRef.h"

#include <string>

namespace gts {

// An attribute group names the parameter it belongs to by an index (0 the
// return value, ~0U the function, I + 1 parameter I). LLVM 19's reader sizes
// a table by that index before checking anything: a mutated index makes it
// allocate and clear gigabytes (8 GB resident and 50 s for one file, an out
// of memory abort for another). Returns a one-line complaint about such an
// index, or "" for text IR, sane groups, or a stream too broken to tell
// (the reader then says why).
std::string checkAttributeGroups(llvm::MemoryBufferRef Buffer);

} // namespace gts
