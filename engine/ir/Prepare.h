// IR preparation: loads an app module and makes it ready for tiered execution.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <memory>
#include <string>
#include <vector>

namespace gts {

// An app module after preparation, with a dense id for every defined function.
struct PreparedModule {
  std::unique_ptr<llvm::LLVMContext> Context;
  std::unique_ptr<llvm::Module> M;
  std::vector<llvm::Function *> Functions; // id -> function
  llvm::DenseMap<const llvm::Function *, int> Ids;
  // By id: the function was local (static) in the app, and nothing but
  // direct calls uses it. A unit holding all of its callers may keep it
  // local, as clang does, so that it inlines like a static function.
  std::vector<bool> PrivateToCallers;
  // The module as bitcode, for prepareCopy: what loadPrepared read, or
  // what keepBitcode wrote.
  std::unique_ptr<llvm::MemoryBuffer> Bitcode;
  // M reads function bodies when they are materialized (loadPrepared).
  bool Lazy = false;
  // Dense id of a defined function, or -1.
  int idOf(const llvm::Function &F) const {
    auto It = Ids.find(&F);
    return It == Ids.end() ? -1 : It->second;
  }
};

// The data layout of x86-64 Linux (clang 19's, and the code generator's):
// app modules must have it, or none (then they get it).
inline constexpr const char *X86_64DataLayout =
    "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:"
    "64-S128";

// Error kinds, so the driver can map them to documented exit codes.
enum class LoadErrorKind { NoInput, BadIR, NoMain, Unresolved, Unsupported };

class LoadError : public llvm::ErrorInfo<LoadError> {
public:
  static char ID;
  LoadError(LoadErrorKind Kind, std::string Msg)
      : Kind(Kind), Msg(std::move(Msg)) {}
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  LoadErrorKind Kind;
  std::string Msg;
};

// Parses APP.ll or APP.bc, checks it (verifier, x86-64 Linux target triple
// and data layout, `main` and its signature, every external symbol provided
// by the engine) and prepares it:
// - internal and private symbols become external (hidden), so code compiled
//   in separate tier units can refer to them;
// - -O0 artifacts that would stop the tiers from optimizing (noinline,
//   optnone, frame-pointer, per-function target CPU) are removed;
// - with ForInterpreter, the interpreter's own preparation (mem2reg, every
//   outermost loop, and inner ones under loops of few iterations, outlined
//   into functions of their own) runs before functions get their ids.
//   OutlineLoops=false leaves the loops in place:
//   when nothing will be compiled (--tier=interp) an outlined loop is only a
//   call more per entry (15-20% of whetstone's interpreted time).
llvm::Expected<PreparedModule> loadAndPrepare(llvm::StringRef Path,
                                              bool ForInterpreter,
                                              bool OutlineLoops = true);
// The same for IR already in memory (NUL-terminated, as MemoryBuffer makes
// it); errors name the buffer's identifier.
// A file whose reading faults inside LLVM gives a BadIR error, not a crash
// (where signals are delivered: not on our kernel, see Prepare.cpp).
llvm::Expected<PreparedModule> loadAndPrepare(llvm::MemoryBufferRef Buffer,
                                              bool ForInterpreter,
                                              bool OutlineLoops = true);

// A warm boot's app: the bitcode of a prepared module (keepBitcode) that a
// snapshot kept, read lazily: a function's body is read when it is first
// materialized (the interpreter's first call), never for functions whose
// saved code runs. No checks run: the snapshot vouches for the bytes (this
// build wrote them when it prepared the same app). PrivateToCallers: the ids
// the boot that wrote them found so.
llvm::Expected<PreparedModule>
loadPrepared(std::unique_ptr<llvm::MemoryBuffer> Bitcode,
             llvm::ArrayRef<uint32_t> PrivateToCallers);

// The bitcode of a prepared module, use-list order included.
std::string preparedBitcode(const llvm::Module &M);

// Writes P.M as bitcode into P.Bitcode (unless it is there): on the thread
// that uses P.M, before another thread makes its prepareCopy. About 1 ms
// for TinyLlama, against 7-9 ms to read and prepare the app again.
void keepBitcode(PreparedModule &P);

// The same module again in Ctx, read lazily from P.Bitcode (keepBitcode):
// a copy for another thread, as an LLVM context is used by one thread at a
// time. Its functions (P's ids) are read when materialized.
llvm::Expected<std::unique_ptr<llvm::Module>>
prepareCopy(const PreparedModule &P, llvm::LLVMContext &Ctx);

} // namespace gts
