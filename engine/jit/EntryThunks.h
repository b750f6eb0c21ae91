// Native entries into the interpreter, compiled by the JIT, for the
// signatures that Interpreter::hasEntryStub leaves out (byval and sret
// arguments, long double, vectors, i128, aggregates).
//
// libffi closures need memory that is writable and executable at once (or a
// second, shared mapping of it), which our kernel's W^X forbids. These
// thunks are ordinary JIT code instead: per function, one with the same
// signature that stores its arguments in an array and calls
//   void Handler(void *Ret, void **Args, void *Data)
// the interpreter's entry (libffi closure convention: Args[i] points to
// argument i, to the struct itself for byval; integer results are widened to
// 64 bits in Ret). Variadic functions always have a stub.
//
// The code holds no addresses: Handler and each Data are symbols
// (EntryHandlerSymbol, ThunkRequest::DataSymbol) defined at link time, so
// the object can be saved in a snapshot and linked again at the next boot.
#pragma once

#include "llvm/IR/Module.h"

#include <memory>
#include <string>
#include <vector>

namespace gts {

inline constexpr const char *EntryHandlerSymbol = "__gts_interp_entry";

struct ThunkRequest {
  const llvm::Function *Target; // Signature and ABI attributes to copy.
  std::string DataSymbol;       // Its address is passed to the handler.
  std::string Name;             // Symbol of the thunk.
};

// Whether F's signature has a thunk (not variadic; types a thunk handles).
bool thunkable(const llvm::Function &F, llvm::LLVMContext &Ctx);

// A module holding one thunk per request, in Ctx, calling the entry handler.
std::unique_ptr<llvm::Module>
buildEntryThunks(llvm::LLVMContext &Ctx, const llvm::DataLayout &DL,
                 const std::vector<ThunkRequest> &Reqs);

} // namespace gts
