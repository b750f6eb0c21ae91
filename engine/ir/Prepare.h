// IR preparation: loads an app module and makes it ready for tiered execution.
#pragma once

#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

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
  // Dense id of a defined function, or -1.
  int idOf(const llvm::Function &F) const {
    auto It = Ids.find(&F);
    return It == Ids.end() ? -1 : It->second;
  }
};

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

// Parses APP.ll or APP.bc, checks it (verifier, `main`, every external symbol
// provided by the engine) and prepares it:
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

} // namespace gts
