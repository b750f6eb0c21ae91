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
//
// The code holds no addresses: Handler, the variadic entry and each Data
// are symbols (EntryHandlerSymbol, VarargHandlerSymbol, ThunkRequest::
// DataSymbol) defined at link time, so the object can be saved in a snapshot
// and linked again at the next boot.
#pragma once

#include "llvm/IR/Module.h"

#include <memory>
#include <string>
#include <vector>

namespace gts {

inline constexpr const char *EntryHandlerSymbol = "__gts_interp_entry";
inline constexpr const char *VarargHandlerSymbol = "__gts_interp_vararg";

struct ThunkRequest {
  const llvm::Function *Target; // Signature and ABI attributes to copy.
  std::string DataSymbol;       // Its address is passed to the handler.
  std::string Name;             // Symbol of the thunk.
};

// Whether F's signature has a thunk (its types are ones a thunk handles).
bool thunkable(const llvm::Function &F, llvm::LLVMContext &Ctx);

// A module holding one thunk per request, in Ctx, calling the entry handler
// (or jumping to the variadic one for variadic targets).
std::unique_ptr<llvm::Module>
buildEntryThunks(llvm::LLVMContext &Ctx, const llvm::DataLayout &DL,
                 const std::vector<ThunkRequest> &Reqs);

} // namespace gts
