#include "Harness.h"
#include "ir/Outline.h"
#include "runtime/HostSymbols.h"
#include "llvm/IR/Verifier.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include <cstring>

using namespace llvm;

namespace gts {

static Error irError(const SMDiagnostic &D) {
  std::string Where = D.getFilename().str();
  if (D.getLineNo() > 0)
    Where += ":" + std::to_string(D.getLineNo());
  return createStringError(inconvertibleErrorCode(),
                           Where + ": " + D.getMessage());
}

Error Harness::loadFile(const std::string &Path, bool Outline) {
  SMDiagnostic D;
  M = parseIRFile(Path, D, Ctx);
  if (!M)
    return irError(D);
  return setUp(Outline);
}

Error Harness::loadText(const std::string &IR, bool Outline) {
  SMDiagnostic D;
  M = parseIR(MemoryBufferRef(IR, "input"), D, Ctx);
  if (!M)
    return irError(D);
  return setUp(Outline);
}

int Harness::idOf(const Function &F) const {
  for (size_t I = 0; I < Funcs.size(); ++I)
    if (Funcs[I] == &F)
      return I;
  return -1;
}

Expected<void *> Harness::addressOf(const GlobalValue &GV) {
  if (auto *F = dyn_cast<Function>(&GV); F && !F->isDeclaration())
    return Interp->closureFor(*const_cast<Function *>(F));
  if (auto *GA = dyn_cast<GlobalAlias>(&GV))
    return addressOf(*cast<GlobalValue>(GA->getAliasee()->stripPointerCasts()));
  if (void *P = Globals.lookup(&GV))
    return P;
  if (void *P = hostSymbols().lookup(GV.getName()))
    return P;
  return createStringError(inconvertibleErrorCode(),
                           "unresolved external symbol @" + GV.getName());
}

Error Harness::setUp(bool Outline) {
  std::string Msg;
  raw_string_ostream OS(Msg);
  if (verifyModule(*M, &OS))
    return createStringError(inconvertibleErrorCode(), "invalid IR: " + Msg);
  if (Error E = prepareForInterp(*M, Outline))
    return E;
  for (Function &F : *M)
    if (!F.isDeclaration())
      Funcs.push_back(&F);
  Slots = std::vector<std::atomic<void *>>(Funcs.size());
  const DataLayout &DL = M->getDataLayout();
  for (GlobalVariable &G : M->globals()) {
    if (G.isDeclaration())
      continue;
    uint64_t Size = DL.getTypeAllocSize(G.getValueType());
    uint64_t Align = std::max<uint64_t>(G.getAlign().valueOrOne().value(), 16);
    Storage.emplace_back(new uint8_t[Size + Align]());
    uintptr_t P = (uintptr_t(Storage.back().get()) + Align - 1) & ~(Align - 1);
    Globals[&G] = reinterpret_cast<void *>(P);
  }
  InterpEnv Env;
  Env.addressOf = [this](const GlobalValue &GV) { return addressOf(GV); };
  Env.idOf = [this](const Function &F) { return idOf(F); };
  Env.slots = Slots.data();
  Env.onHot = [this](int Id) {
    if (OnHot)
      OnHot(Id);
  };
  Env.onLoopHot = [this](int Id) {
    if (OnLoopHot)
      OnLoopHot(Id);
  };
  Expected<std::unique_ptr<Interpreter>> I = Interpreter::create(*M, Env);
  if (!I)
    return I.takeError();
  Interp = std::move(*I);
  for (size_t K = 0; K < Funcs.size(); ++K) {
    Expected<void *> C = Interp->closureFor(*Funcs[K]);
    if (!C)
      return C.takeError();
    Slots[K] = *C;
  }
  for (GlobalVariable &G : M->globals())
    if (!G.isDeclaration() && G.hasInitializer())
      if (Error E = Interp->writeConstant(*G.getInitializer(), Globals[&G]))
        return E;
  return Error::success();
}

Expected<void *> Harness::entry(const std::string &Name) {
  Function *F = M->getFunction(Name);
  if (!F || F->isDeclaration())
    return createStringError(inconvertibleErrorCode(), "no function @" + Name);
  return Slots[idOf(*F)];
}

} // namespace gts
