// Native entries into the interpreter, compiled by the JIT.
//
// libffi closures need memory that is writable and executable at once (or a
// second, shared mapping of it), which our kernel's W^X forbids. These
// thunks are ordinary JIT code instead: per function, one with the same
// signature that stores its arguments in an array and calls
//   void Handler(void *Ret, void **Args, void *Data)
// the interpreter's entry (libffi closure convention: Args[i] points to
// argument i, to the struct itself for byval; integer results are widened to
// 64 bits in Ret). A variadic function's entry must leave the argument
// registers as the caller set them: it is a naked stub that loads Data into
// r11 and jumps to the interpreter's variadic entry.
#pragma once

#include "llvm/IR/Module.h"

#include <memory>
#include <string>
#include <vector>

namespace gts {

struct ThunkRequest {
  const llvm::Function *Target; // Signature and ABI attributes to copy.
  void *Data;                   // Passed to the handler.
  std::string Name;             // Symbol of the thunk.
};

// Whether F's signature has a thunk (its types are ones a thunk handles).
bool thunkable(const llvm::Function &F, llvm::LLVMContext &Ctx);

// A module holding one thunk per request, in Ctx, calling Handler (or
// jumping to VarargHandler for variadic targets).
std::unique_ptr<llvm::Module>
buildEntryThunks(llvm::LLVMContext &Ctx, const llvm::DataLayout &DL,
                 const std::vector<ThunkRequest> &Reqs, void *Handler,
                 void *VarargHandler);

} // namespace gts
