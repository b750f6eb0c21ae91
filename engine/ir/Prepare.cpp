#include "Prepare.h"

#include "../interp/Interpreter.h"
#include "../runtime/HostSymbols.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/IR/Verifier.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace gts {

char LoadError::ID = 0;

namespace {

Error loadError(LoadErrorKind Kind, const Twine &Msg) {
  return make_error<LoadError>(Kind, Msg.str());
}

Expected<std::unique_ptr<Module>> parse(StringRef Path, LLVMContext &Ctx) {
  if (!sys::fs::exists(Path))
    return loadError(LoadErrorKind::NoInput, Path + ": no such file");
  if (sys::fs::is_directory(Path))
    return loadError(LoadErrorKind::NoInput, Path + ": is a directory");
  SMDiagnostic Diag;
  std::unique_ptr<Module> M = parseIRFile(Path, Diag, Ctx);
  if (!M) {
    std::string Msg;
    raw_string_ostream OS(Msg);
    OS << Path << ":" << Diag.getLineNo() << ": " << Diag.getMessage();
    return loadError(LoadErrorKind::BadIR, OS.str());
  }
  std::string VerifyMsg;
  raw_string_ostream VOS(VerifyMsg);
  if (verifyModule(*M, &VOS)) {
    StringRef First = StringRef(VerifyMsg).split('\n').first;
    return loadError(LoadErrorKind::BadIR, Path + ": invalid module: " + First);
  }
  return std::move(M);
}

// Every symbol the app needs from outside must come from the engine's table.
Error checkExternals(const Module &M, StringRef Path) {
  const StringMap<void *> &Host = hostSymbols();
  std::string Missing;
  for (const GlobalValue &GV : M.global_values()) {
    if (!GV.isDeclaration() || GV.use_empty())
      continue;
    if (const auto *F = dyn_cast<Function>(&GV); F && F->isIntrinsic())
      continue;
    if (Host.count(GV.getName()))
      continue;
    Missing += Missing.empty() ? "" : ", ";
    Missing += GV.getName();
  }
  if (Missing.empty())
    return Error::success();
  return loadError(LoadErrorKind::Unresolved,
                   Path + ": unresolved external symbols: " + Missing);
}

void externalize(GlobalValue &GV) {
  if (GV.isDeclaration())
    return;
  if (GV.hasLocalLinkage() || GV.hasLinkOnceLinkage() || GV.hasWeakLinkage() ||
      GV.hasCommonLinkage()) {
    GV.setLinkage(GlobalValue::ExternalLinkage);
    GV.setVisibility(GlobalValue::HiddenVisibility);
  }
  // Private symbols may be nameless or clash after externalization.
  if (!GV.hasName())
    GV.setName("__gts_anon");
}

void stripO0Artifacts(Function &F) {
  F.removeFnAttr(Attribute::NoInline);
  F.removeFnAttr(Attribute::OptimizeNone);
  for (StringRef A :
       {"frame-pointer", "target-cpu", "target-features", "tune-cpu"})
    F.removeFnAttr(A);
}

} // namespace

Expected<PreparedModule> loadAndPrepare(StringRef Path, bool ForInterpreter,
                                        bool OutlineLoops) {
  PreparedModule P;
  P.Context = std::make_unique<LLVMContext>();
  auto M = parse(Path, *P.Context);
  if (!M)
    return M.takeError();
  P.M = std::move(*M);
  Function *Main = P.M->getFunction("main");
  if (!Main || Main->isDeclaration())
    return loadError(LoadErrorKind::NoMain, Path + ": no definition of main");
  if (Error E = checkExternals(*P.M, Path))
    return std::move(E);
  if (ForInterpreter)
    if (Error E = prepareForInterp(*P.M, OutlineLoops))
      return std::move(E);
  for (Function &F : *P.M) {
    if (F.isDeclaration())
      continue;
    stripO0Artifacts(F);
    P.Ids[&F] = static_cast<int>(P.Functions.size());
    P.Functions.push_back(&F);
    P.PrivateToCallers.push_back(F.hasLocalLinkage() && !F.hasAddressTaken());
  }
  for (GlobalValue &GV : P.M->global_values())
    externalize(GV);
  return std::move(P);
}

} // namespace gts
