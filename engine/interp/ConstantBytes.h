//===- ConstantBytes.h - the in-memory bytes of an IR constant ------------===//
//
// What the code generator would emit for a constant, written straight into
// memory: the interpreter's constant pools and label tables, and the app's
// global variables when they need no data unit (jit/DataImage.h).
//
//===----------------------------------------------------------------------===//
#ifndef GTS_ENGINE_INTERP_CONSTANTBYTES_H
#define GTS_ENGINE_INTERP_CONSTANTBYTES_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/IR/Constant.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace gts {

struct ConstantAddresses {
  // The address of a global value an initializer refers to.
  llvm::function_ref<llvm::Expected<void *>(const llvm::GlobalValue &)> Global;
  // The value of a blockaddress (the interpreter's block tokens); none: a
  // constant holding one is not written.
  llvm::function_ref<void *(const llvm::BasicBlock &)> Block = nullptr;
};

// Writes C's bytes at Dst as DL lays them out. An Error names the kind of
// constant (or constant expression) that is not written. Vectors of i1 take
// a byte per element (the interpreter's registers, not memory's bits).
llvm::Error writeConstantBytes(const llvm::Constant &C, uint8_t *Dst,
                               const llvm::DataLayout &DL,
                               const ConstantAddresses &Addresses);

} // namespace gts

#endif
