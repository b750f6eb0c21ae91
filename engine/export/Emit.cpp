// Code generation and the link: an ELF object from the annotated module,
// linked by LLD (as a library) with musl into a static executable.
#include "Steps.h"

#include "lld/Common/Driver.h"
#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Scalar/LoopPassManager.h"
#include "llvm/Transforms/Scalar/LoopUnrollAndJamPass.h"

LLD_HAS_DRIVER(elf)

using namespace llvm;

namespace gts {

namespace {

// Generic x86-64 and no fused multiply-adds: the results stay bit-identical
// to the app's clang -O3 build. Static code (no PIC) for a static program;
// one section per function so hot and cold code are laid out apart.
Expected<std::unique_ptr<TargetMachine>> createMachine(const Triple &TT) {
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  // The gts_main_reached call is inline assembly (MainReached.cpp).
  InitializeNativeTargetAsmParser();
  std::string Err;
  const Target *T = TargetRegistry::lookupTarget(TT.str(), Err);
  if (!T)
    return exportError(ExportErrorKind::Link, "no target: " + Err);
  TargetOptions Opts;
  Opts.AllowFPOpFusion = FPOpFusion::Strict;
  Opts.FunctionSections = true;
  Opts.DataSections = true;
  std::unique_ptr<TargetMachine> TM(
      T->createTargetMachine(TT.str(), "x86-64", "", Opts, Reloc::Static,
                             CodeModel::Small, CodeGenOptLevel::Aggressive));
  if (!TM)
    return exportError(ExportErrorKind::Link, "cannot create target machine");
  return std::move(TM);
}

void optimize(Module &M, TargetMachine &TM, unsigned &Jammed) {
  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  PipelineTuningOptions PTO;
  PTO.LoopVectorization = true;
  PTO.SLPVectorization = true;
  PassBuilder PB(&TM, PTO);
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
  // At the end of each function's simplification: its loops are in
  // canonical form, and it is not yet inlined into its callers.
  PB.registerScalarOptimizerLateEPCallback(
      [&](FunctionPassManager &FPM, OptimizationLevel) {
        FPM.addPass(JamRowsPass(Jammed));
        FPM.addPass(createFunctionToLoopPassAdaptor(LoopUnrollAndJamPass(3)));
      });
  PB.buildPerModuleDefaultPipeline(OptimizationLevel::O3).run(M, MAM);
}

std::string runtimeFile(StringRef Runtime, StringRef Name) {
  SmallString<256> P(Runtime);
  sys::path::append(P, Name);
  return std::string(P);
}

} // namespace

Expected<std::string> compileModule(Module &M, ExportSummary &Summary) {
  Triple TT("x86_64-pc-linux-gnu");
  auto TM = createMachine(TT);
  if (!TM)
    return TM.takeError();
  M.setTargetTriple(TT.str());
  M.setDataLayout((*TM)->createDataLayout());
  // Scheduling as clang's without -mtune.
  for (Function &F : M)
    if (!F.isDeclaration())
      F.addFnAttr("tune-cpu", "generic");
  optimize(M, **TM, Summary.JammedNests);
  SmallString<0> Obj;
  raw_svector_ostream OS(Obj);
  legacy::PassManager CodeGen;
  if ((*TM)->addPassesToEmitFile(CodeGen, OS, nullptr,
                                 CodeGenFileType::ObjectFile))
    return exportError(ExportErrorKind::Link, "target cannot emit objects");
  CodeGen.run(M);
  return std::string(Obj.str());
}

Error linkProgram(StringRef Object, StringRef Runtime, StringRef Output) {
  // Beside the output, whose folder is known to be writable (the guest has
  // no /tmp).
  SmallString<128> ObjPath;
  int Fd;
  if (std::error_code EC =
          sys::fs::createUniqueFile(Output + "-%%%%%%.o", Fd, ObjPath))
    return exportError(ExportErrorKind::CantCreate,
                       "cannot create a temporary object: " + EC.message());
  {
    raw_fd_ostream OS(Fd, /*shouldClose=*/true);
    OS << Object;
    if (OS.has_error())
      return exportError(ExportErrorKind::CantCreate,
                         "cannot write " + ObjPath);
  }
  std::string Crt1 = runtimeFile(Runtime, "crt1.o"),
              Crti = runtimeFile(Runtime, "crti.o"),
              Crtn = runtimeFile(Runtime, "crtn.o"),
              Memcpy = runtimeFile(Runtime, "memcpy.o"),
              Qsort = runtimeFile(Runtime, "qsort.o"),
              Libc = runtimeFile(Runtime, "libc.a"),
              Builtins = runtimeFile(Runtime, "libclang_rt.builtins-x86_64.a"),
              Out = Output.str();
  // Hot and cold code keep their .text.hot / .text.unlikely prefixes and
  // land apart; sections nothing refers to (unused C library code) go.
  // Our memcpy and qsort come before libc.a, so musl's are not used.
  // One thread: the kernel runs one. The output is written, not mapped:
  // the kernel maps files privately, without write-back.
  const char *Args[] = {"ld.lld",
                        "--threads=1",
                        "--no-mmap-output-file",
                        "-static",
                        "--gc-sections",
                        "--strip-all",
                        "-z",
                        "keep-text-section-prefix",
                        "-z",
                        "noexecstack",
                        "-o",
                        Out.c_str(),
                        Crt1.c_str(),
                        Crti.c_str(),
                        ObjPath.c_str(),
                        Memcpy.c_str(),
                        Qsort.c_str(),
                        "--start-group",
                        Libc.c_str(),
                        Builtins.c_str(),
                        "--end-group",
                        Crtn.c_str()};
  std::string Log;
  raw_string_ostream LogOS(Log);
  lld::Result R =
      lld::lldMain(Args, LogOS, LogOS, {{lld::Gnu, &lld::elf::link}});
  sys::fs::remove(ObjPath);
  if (R.retCode != 0) {
    StringRef First = StringRef(Log).trim().split('\n').first;
    if (First.contains("cannot open output file"))
      return exportError(ExportErrorKind::CantCreate, First.str());
    return exportError(ExportErrorKind::Link, "link failed: " + First);
  }
  return Error::success();
}

} // namespace gts
