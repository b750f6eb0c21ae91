// The app's global variables written straight into memory.
//
// The other way to define them, compiling a data unit, runs the code
// generator on the app's thread before the app starts: 7 ms of a cold
// TinyLlama start, the first compile of the process. Here each variable gets
// its place (read+write, or read-only for constants, as the code generator's
// .data and .rodata) and its initializer's bytes (interp/ConstantBytes.h);
// zero initializers touch nothing, so a large zeroed array costs no pages
// until used.
#pragma once

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/Memory.h"

#include <vector>

namespace gts {

class DataImage {
public:
  using ResolveFn =
      llvm::function_ref<llvm::Expected<void *>(const llvm::GlobalValue &)>;

  // Every global variable M defines but label tables (which the units that
  // jump through them define). Resolve gives the address of any other
  // global value an initializer refers to. An Error when M holds what is
  // not written here (aliases, thread-locals, alignments above a page,
  // vectors of i1, blockaddress or expressions outside
  // interp/ConstantBytes.h): then the data unit is compiled.
  static llvm::Expected<DataImage> write(const llvm::Module &M,
                                         ResolveFn Resolve);

  // Name -> address of every variable written.
  const llvm::StringMap<void *> &symbols() const { return Symbols; }

private:
  std::vector<llvm::sys::OwningMemoryBlock> Blocks;
  llvm::StringMap<void *> Symbols;
};

} // namespace gts
