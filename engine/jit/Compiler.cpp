#include "Compiler.h"

#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/CodeGen/Passes.h"
#include "llvm/CodeGen/RegAllocRegistry.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/PassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SmallVectorMemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Utils/Mem2Reg.h"

using namespace llvm;

namespace gts {

char CompileCancelled::ID;

namespace {

CodeGenOptLevel codeGenLevel(Tier Level) {
  switch (Level) {
  case Tier::O0:
  case Tier::Interp:
    return CodeGenOptLevel::None;
  case Tier::O1:
    return CodeGenOptLevel::Less;
  case Tier::O3:
    return CodeGenOptLevel::Aggressive;
  default:
    return CodeGenOptLevel::Default;
  }
}

OptimizationLevel optLevel(Tier Level) {
  switch (Level) {
  case Tier::O1:
    return OptimizationLevel::O1;
  case Tier::O2:
    return OptimizationLevel::O2;
  case Tier::O3:
    return OptimizationLevel::O3;
  case Tier::Os:
    return OptimizationLevel::Os;
  case Tier::Oz:
    return OptimizationLevel::Oz;
  default:
    return OptimizationLevel::O0;
  }
}

// LLVM's O0 code generator pairs fast instruction selection with the fast
// register allocator, which spills every value live across blocks: a loop's
// counters and sums go through memory at each iteration. The allocators
// that work on live intervals keep them in registers for a fraction of a
// millisecond more per unit (bench/tier_costs.py); llc's -optimize-regalloc
// is the only switch for them, and it changes nothing at the levels above
// O0 (their default). Which one O0 uses: addCodeGenPasses.
Error useLiveIntervalRegAllocAtO0() {
  static std::once_flag Once;
  static bool Found;
  std::call_once(Once, [] {
    auto &Options = cl::getRegisteredOptions();
    auto It = Options.find("optimize-regalloc");
    Found = It != Options.end() &&
            !It->second->addOccurrence(0, "optimize-regalloc", "true");
  });
  if (!Found)
    return createStringError(inconvertibleErrorCode(),
                             "LLVM has no usable -optimize-regalloc option");
  return Error::success();
}

// LLVM's default for each level (greedy above O0, and at O0 with
// -optimize-regalloc), as llc -regalloc=default.
RegisterRegAlloc::FunctionPassCtor levelDefaultAllocator() {
  for (RegisterRegAlloc *R = RegisterRegAlloc::getList(); R; R = R->getNext())
    if (R->getName() == "default")
      return R->getCtor();
  return nullptr;
}

// O0 code allocates registers with LLVM's basic allocator, which does not
// split live ranges. Its code is as fast as the greedy allocator's
// (bench/tier_costs.py), and an instrumented loop costs it less: the loop's
// arguments stay live across the calls to the engine (the back-edge tick,
// the move to newer code), and the greedy allocator splits them around
// each call. TinyLlama's tokenizer loop: 1.3 against 2.0 ms of code
// generation. The allocator is a process-wide setting of LLVM's, read while
// the pipeline is built: set for each build, under a lock.
Error addCodeGenPasses(TargetMachine &TM, Tier Level, legacy::PassManager &PM,
                       raw_pwrite_stream &OS) {
  static std::mutex Lock;
  static RegisterRegAlloc::FunctionPassCtor LevelDefault =
      levelDefaultAllocator();
  if (!LevelDefault)
    return createStringError(inconvertibleErrorCode(),
                             "LLVM has no default register allocator entry");
  std::lock_guard<std::mutex> G(Lock);
  RegisterRegAlloc::FunctionPassCtor Basic = createBasicRegisterAllocator;
  RegisterRegAlloc::setDefault(
      codeGenLevel(Level) == CodeGenOptLevel::None ? Basic : LevelDefault);
  if (TM.addPassesToEmitFile(PM, OS, nullptr, CodeGenFileType::ObjectFile))
    return createStringError(inconvertibleErrorCode(),
                             "target cannot emit object code");
  return Error::success();
}

} // namespace

std::pair<std::string, std::string> Compiler::cpuFor(CpuMode Mode) {
  if (Mode == CpuMode::Baseline)
    return {"x86-64", ""};
  SubtargetFeatures SF;
  for (auto &[Name, On] : sys::getHostCPUFeatures())
    SF.AddFeature(Name, On);
  return {sys::getHostCPUName().str(), SF.getString()};
}

Expected<std::unique_ptr<Compiler>> Compiler::create(CpuMode Mode,
                                                     const DataLayout &DL) {
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  InitializeNativeTargetAsmParser();
  if (Error E = useLiveIntervalRegAllocAtO0())
    return std::move(E);
  auto C = std::make_unique<Compiler>();
  C->Mode = Mode;
  C->TT = Triple(sys::getProcessTriple());
  std::string Err;
  C->T = TargetRegistry::lookupTarget(C->TT.str(), Err);
  if (!C->T)
    return createStringError(inconvertibleErrorCode(), "no target: %s",
                             Err.c_str());
  std::tie(C->CPU, C->Features) = cpuFor(Mode);
  C->DL = DL;
  C->TuneCPU = Mode == CpuMode::Host ? C->CPU : "generic";
  return std::move(C);
}

// Made at the first compile at their level: a warm boot may compile nothing.
Expected<TargetMachine *> Compiler::machineFor(Tier Level) {
  int L = static_cast<int>(codeGenLevel(Level));
  std::call_once(MachineMade[L], [&] {
    TargetOptions Opts;
    Opts.AllowFPOpFusion = FPOpFusion::Strict;
    Machines[L].reset(T->createTargetMachine(TT.str(), CPU, Features, Opts,
                                             Reloc::PIC_, CodeModel::Small,
                                             static_cast<CodeGenOptLevel>(L)));
  });
  if (!Machines[L])
    return createStringError(inconvertibleErrorCode(),
                             "cannot create target machine");
  return Machines[L].get();
}

// At O0, -optimize-regalloc brings the machine scheduler along: it orders
// instructions for speed before registers are allocated, and cost as much as
// the rest of matmul's O0 code generation (0.60 against 0.33 ms in LLVM's
// tools), which a cold start waits for. TinyLlama's O0 code is as fast
// without it (bench/tier_costs.py).
bool Compiler::PassGate::shouldRunPass(StringRef Pass, StringRef) {
  return !Cancelled && !(AtO0 && Pass == "Machine Instruction Scheduler");
}

Error Compiler::checkNotCancelled() const {
  if (Cancelled)
    return make_error<CompileCancelled>();
  return Error::success();
}

void Compiler::optimize(Module &M, Tier Level, TargetMachine &TM) {
  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  // As clang: vectorizers from -O2 and in the size levels.
  PipelineTuningOptions PTO;
  bool Vectorize = Level == Tier::O2 || Level == Tier::O3 ||
                   Level == Tier::Os || Level == Tier::Oz;
  PTO.LoopVectorization = Vectorize;
  PTO.SLPVectorization = Vectorize;
  // Once cancelled, only the passes that are required still run.
  PassInstrumentationCallbacks PIC;
  PIC.registerShouldRunOptionalPassCallback(
      [this](StringRef, Any) { return !Cancelled; });
  PassBuilder PB(&TM, PTO, std::nullopt, &PIC);
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
  if (Level != Tier::O0 && Level != Tier::Interp) {
    PB.buildPerModuleDefaultPipeline(optLevel(Level)).run(M, MAM);
    return;
  }
  // Locals can still live in stack slots here: clang -O0's (in a pinned run,
  // nothing was prepared for the interpreter) and the loop header phis that
  // the outliner demoted. mem2reg makes them values again, which the basic
  // allocator keeps in registers (useLiveIntervalRegAllocAtO0). TinyLlama
  // pinned at O0: 4x faster, within 10% of O3 (bench/tinyllama.py).
  ModulePassManager MPM = PB.buildO0DefaultPipeline(OptimizationLevel::O0);
  MPM.addPass(createModuleToFunctionPassAdaptor(PromotePass()));
  MPM.run(M, MAM);
}

// int sum(int *p, int n) { int s = 0; for (int i = 0; i != n; ++i) s += p[i];
// return s; }: a loop, so that the register allocator's passes run too.
Error Compiler::warmUp() {
  LLVMContext Ctx;
  Module M("warm-up", Ctx);
  IRBuilder<> B(Ctx);
  Type *I32 = B.getInt32Ty();
  auto *F = Function::Create(FunctionType::get(I32, {B.getPtrTy(), I32}, false),
                             GlobalValue::ExternalLinkage, "sum", M);
  // The x86 code generator keeps a subtarget per value of this attribute:
  // clang's for code without vector types.
  F->addFnAttr("min-legal-vector-width", "0");
  auto *Entry = BasicBlock::Create(Ctx, "entry", F);
  auto *Loop = BasicBlock::Create(Ctx, "loop", F);
  auto *Exit = BasicBlock::Create(Ctx, "exit", F);
  B.SetInsertPoint(Entry);
  B.CreateCondBr(B.CreateICmpEQ(F->getArg(1), B.getInt32(0)), Exit, Loop);
  B.SetInsertPoint(Loop);
  PHINode *I = B.CreatePHI(I32, 2);
  PHINode *Sum = B.CreatePHI(I32, 2);
  Value *Elt = B.CreateLoad(I32, B.CreateGEP(I32, F->getArg(0), I));
  Value *NewSum = B.CreateAdd(Sum, Elt);
  Value *Next = B.CreateAdd(I, B.getInt32(1));
  B.CreateCondBr(B.CreateICmpEQ(Next, F->getArg(1)), Exit, Loop);
  I->addIncoming(B.getInt32(0), Entry);
  I->addIncoming(Next, Loop);
  Sum->addIncoming(B.getInt32(0), Entry);
  Sum->addIncoming(NewSum, Loop);
  B.SetInsertPoint(Exit);
  PHINode *Result = B.CreatePHI(I32, 2);
  Result->addIncoming(B.getInt32(0), Entry);
  Result->addIncoming(NewSum, Loop);
  B.CreateRet(Result);
  return compile(M, Tier::O0, "warm-up").takeError();
}

Expected<std::unique_ptr<MemoryBuffer>> Compiler::compile(Module &M, Tier Level,
                                                          StringRef Name) {
  if (Error E = checkNotCancelled())
    return std::move(E);
  auto Machine = machineFor(Level);
  if (!Machine)
    return Machine.takeError();
  TargetMachine &TM = **Machine;
  M.setDataLayout(DL);
  M.setTargetTriple(TT.str());
  // Scheduling as clang's: tuned for "generic" unless for the host CPU.
  for (Function &F : M)
    if (!F.isDeclaration())
      F.addFnAttr("tune-cpu", TuneCPU);
  M.getContext().setOptPassGate(Level == Tier::O0 ? GateAtO0 : Gate);
  optimize(M, Level, TM);
  if (Error E = checkNotCancelled())
    return std::move(E);
  SmallVector<char, 0> Obj;
  raw_svector_ostream OS(Obj);
  legacy::PassManager CodeGen;
  if (Error E = addCodeGenPasses(TM, Level, CodeGen, OS))
    return std::move(E);
  CodeGen.run(M);
  if (Error E = checkNotCancelled())
    return std::move(E);
  return std::make_unique<SmallVectorMemoryBuffer>(std::move(Obj), Name, false);
}

} // namespace gts
