// The exported program tells the kernel it reached main (syscall 1000,
// gts_main_reached): a trial boot of a new program (/CMDLINE.NEW, docs/
// EXPORT.md) becomes the default configuration only once that call is made.
// Linux answers -ENOSYS, which the program ignores.
#include "Steps.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"

using namespace llvm;

namespace gts {

Error insertMainReached(Module &M) {
  Function *Main = M.getFunction("main");
  if (!Main || Main->isDeclaration())
    return exportError(ExportErrorKind::Mismatch, "the app has no main");
  LLVMContext &C = M.getContext();
  Type *I64 = Type::getInt64Ty(C);
  // The syscall instruction clobbers rcx and r11; memory, so that nothing
  // the program does is moved before it.
  InlineAsm *Syscall = InlineAsm::get(
      FunctionType::get(I64, {I64}, false), "syscall",
      "={rax},{rax},~{rcx},~{r11},~{memory},~{dirflag},~{fpsr},~{flags}",
      /*hasSideEffects=*/true);
  BasicBlock &Entry = Main->getEntryBlock();
  IRBuilder<> B(&Entry, Entry.getFirstNonPHIOrDbgOrAlloca());
  B.CreateCall(Syscall, {B.getInt64(GtsMainReachedSyscall)});
  return Error::success();
}

} // namespace gts
