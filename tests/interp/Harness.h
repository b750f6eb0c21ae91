// Minimal stand-in for the engine: ids, entry == slot == closure, globals
// allocated here, externals resolved through the explicit native table.
#ifndef GTS_TESTS_INTERP_HARNESS_H
#define GTS_TESTS_INTERP_HARNESS_H

#include "Interpreter.h"
#include "llvm/IR/LLVMContext.h"
#include <memory>
#include <vector>

namespace gts {

struct Harness {
  llvm::LLVMContext Ctx;
  std::unique_ptr<llvm::Module> M;
  std::unique_ptr<Interpreter> Interp;
  std::vector<llvm::Function *> Funcs;
  std::vector<std::atomic<void *>> Slots;
  llvm::DenseMap<const llvm::GlobalValue *, void *> Globals;
  std::function<void(int)> OnHot, OnLoopHot; // forwarded from InterpEnv
  std::vector<std::unique_ptr<uint8_t[]>> Storage;

  // Parses IR text or a file (.ll/.bc), prepares, creates the interpreter.
  llvm::Error loadFile(const std::string &Path, bool Outline = true);
  llvm::Error loadText(const std::string &IR, bool Outline = true);
  llvm::Expected<void *> entry(const std::string &Name);
  int idOf(const llvm::Function &F) const;

private:
  llvm::Error setUp(bool Outline);
  llvm::Expected<void *> addressOf(const llvm::GlobalValue &GV);
};

} // namespace gts

#endif
