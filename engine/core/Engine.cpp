#include "Engine.h"

#include "../jit/Jit.h"
#include "../jit/TierUnit.h"
#include "../policy/CompileQueue.h"
#include "../policy/TierPolicy.h"
#include "../runtime/HostSymbols.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <mutex>

extern char **environ;

using namespace llvm;

namespace gts {

namespace {

class TieredEngine;
TieredEngine *ActiveEngine = nullptr;

// Called by JIT code when a function's call count reaches NextTierAt.
extern "C" void gtsHot(int Id);

// rdtsc costs tens of cycles: timing every call would dominate small hot
// functions, so compiled code times one call in 64. The top tiers carry no
// instrumentation (as HotSpot's C2 code): even the call counter's memory
// increment doubles fib's time at O3. --profile-top-tier keeps the counter.
InstrumentOptions instrumentFor(Tier Level, bool TierUpCheck,
                                bool ProfileTopTier) {
  InstrumentOptions O;
  bool Top = Level == Tier::O3 || Level == Tier::Os || Level == Tier::Oz;
  O.None = Top && !ProfileTopTier;
  O.SamplePeriod = Top ? 0 : 64;
  O.TierUpCheck = TierUpCheck;
  return O;
}

// Object code of one compilation, kept for snapshots.
struct CompiledObject {
  std::vector<int> Ids;
  Tier Level;
  std::unique_ptr<MemoryBuffer> Object;
};

class TieredEngine final : public Engine {
public:
  TieredEngine(PreparedModule App, EngineOptions Opts)
      : App(std::move(App)), Opts(Opts), Policy(Opts.Thresholds) {}
  ~TieredEngine() override { finish(); }

  Error init();
  Expected<int> runMain(const std::vector<std::string> &Args) override;
  void finish() override {
    if (Queue)
      Queue->stop();
  }
  const Profile &profile() const override { return *Prof; }
  void onHot(int Id);

private:
  Error initCompileModule();
  Error compileAndInstall(const UnitRequest &R);
  void tierUp(const CompileRequest &R);
  Error runConstructors();

  PreparedModule App;
  EngineOptions Opts;
  TierPolicy Policy;
  std::unique_ptr<Profile> Prof;
  std::unique_ptr<Compiler> Comp;
  std::unique_ptr<Jit> J;
  // The compiler's own copy of the app, in its own context: compilation may
  // run on another thread while the app's thread uses App.
  LLVMContext CompileContext;
  std::unique_ptr<Module> CompileModule;
  std::vector<Function *> CompileFunctions;
  std::mutex CompileLock;
  unsigned Seq = 0;
  std::vector<CompiledObject> Objects;
  std::unique_ptr<CompileQueue> Queue;
};

extern "C" void gtsHot(int Id) { ActiveEngine->onHot(Id); }

Error TieredEngine::initCompileModule() {
  SmallVector<char, 0> Bitcode;
  raw_svector_ostream OS(Bitcode);
  WriteBitcodeToFile(*App.M, OS);
  auto M = parseBitcodeFile(MemoryBufferRef(StringRef(Bitcode.data(),
                                                      Bitcode.size()),
                                            "app"),
                            CompileContext);
  if (!M)
    return M.takeError();
  CompileModule = std::move(*M);
  for (Function &F : *CompileModule)
    if (!F.isDeclaration())
      CompileFunctions.push_back(&F);
  if (CompileFunctions.size() != App.Functions.size())
    return createStringError(inconvertibleErrorCode(),
                             "bitcode round trip changed the function list");
  return Error::success();
}

Error TieredEngine::init() {
  std::vector<std::string> Names;
  for (Function *F : App.Functions)
    Names.push_back(F->getName().str());
  Prof = std::make_unique<Profile>(Names);
  auto C = Compiler::create(Opts.Cpu);
  if (!C)
    return C.takeError();
  Comp = std::move(*C);
  auto NewJit = Jit::create();
  if (!NewJit)
    return NewJit.takeError();
  J = std::move(*NewJit);
  StringMap<void *> Symbols = hostSymbols();
  Symbols["__gts_counters"] = Prof->counters();
  Symbols["__gts_hot"] = reinterpret_cast<void *>(&gtsHot);
  if (Error E = J->defineAbsolute(Symbols))
    return E;
  if (Error E = J->createEntries(Names))
    return E;
  if (Error E = initCompileModule())
    return E;

  auto Data = buildDataUnit(*CompileModule);
  auto DataObj = Comp->compile(*Data, Tier::O0, "data");
  if (!DataObj)
    return DataObj.takeError();
  if (Error E = J->addObject(std::move(*DataObj)))
    return E;

  // Until the interpreter is tier 0, tiered runs start from O0 code of the
  // whole app; pinned runs compile the whole app once at their tier.
  Tier Start = Opts.Pinned.value_or(Tier::O0);
  UnitRequest All{{}, Start, Seq++,
                  instrumentFor(Start, !Opts.Pinned, Opts.ProfileTopTier)};
  All.DirectCallsBetweenTargets = Opts.Pinned.has_value();
  for (size_t I = 0; I < App.Functions.size(); ++I) {
    All.Targets.push_back(static_cast<int>(I));
    Prof->setInitialTier(static_cast<int>(I), Start);
    if (!Opts.Pinned)
      Prof->counters(static_cast<int>(I)).NextTierAt = Policy.first();
  }
  if (Error E = compileAndInstall(All))
    return E;
  if (!Opts.Pinned && !Opts.SyncCompile)
    Queue = std::make_unique<CompileQueue>(
        [this](const CompileRequest &R) { tierUp(R); });
  ActiveEngine = this;
  return Error::success();
}

Error TieredEngine::compileAndInstall(const UnitRequest &R) {
  std::lock_guard<std::mutex> G(CompileLock);
  UnitModule U = buildTierUnit(*CompileModule, CompileFunctions, R);
  std::string Name = "unit" + std::to_string(R.Seq);
  auto Obj = Comp->compile(*U.M, R.Level, Name);
  if (!Obj)
    return Obj.takeError();
  Objects.push_back({R.Targets, R.Level,
                     MemoryBuffer::getMemBufferCopy((*Obj)->getBuffer(), Name)});
  if (Error E = J->addObject(std::move(*Obj)))
    return E;
  for (size_t I = 0; I < R.Targets.size(); ++I) {
    auto Code = J->lookup(U.BodySymbols[I]);
    if (!Code)
      return Code.takeError();
    J->setTarget(R.Targets[I], *Code);
  }
  return Error::success();
}

void TieredEngine::tierUp(const CompileRequest &R) {
  unsigned MySeq;
  {
    std::lock_guard<std::mutex> G(CompileLock);
    MySeq = Seq++;
  }
  // The top tier no longer checks for tier-ups.
  UnitRequest U{{R.Id}, R.Level, MySeq,
                instrumentFor(R.Level, R.Level != Tier::O3,
                              Opts.ProfileTopTier)};
  if (Error E = compileAndInstall(U)) {
    errs() << "gts: warning: " << App.Functions[R.Id]->getName()
           << " stays in its tier: " << toString(std::move(E)) << "\n";
    return;
  }
  Prof->recordTierChange(R.Id, R.Level, R.AtCall);
  if (Opts.TraceTiers)
    errs() << "gts: " << App.Functions[R.Id]->getName() << " -> "
           << tierName(R.Level) << " at call " << R.AtCall << "\n";
}

void TieredEngine::onHot(int Id) {
  FunctionCounters &C = Prof->counters(Id);
  std::optional<TierPolicy::Step> S = Policy.stepAt(C.Calls);
  if (!S)
    return;
  C.NextTierAt = S->NextAt;
  CompileRequest R{Id, S->To, C.Calls};
  if (Queue)
    Queue->push(R);
  else
    tierUp(R);
}

// llvm.global_ctors, in priority order, through the functions' entries.
Error TieredEngine::runConstructors() {
  auto *Ctors = App.M->getNamedGlobal("llvm.global_ctors");
  if (!Ctors || !Ctors->hasInitializer())
    return Error::success();
  auto *Init = dyn_cast<ConstantArray>(Ctors->getInitializer());
  if (!Init)
    return Error::success();
  std::vector<std::pair<uint64_t, int>> Order;
  for (const Use &Op : Init->operands()) {
    auto *CS = cast<ConstantStruct>(Op.get());
    auto *Prio = cast<ConstantInt>(CS->getOperand(0));
    auto *Fn = dyn_cast<Function>(CS->getOperand(1)->stripPointerCasts());
    if (Fn && App.idOf(*Fn) >= 0)
      Order.emplace_back(Prio->getZExtValue(), App.idOf(*Fn));
  }
  std::stable_sort(Order.begin(), Order.end());
  for (auto &[Prio, Id] : Order)
    reinterpret_cast<void (*)()>(J->entry(Id))();
  return Error::success();
}

Expected<int> TieredEngine::runMain(const std::vector<std::string> &Args) {
  if (Error E = runConstructors())
    return std::move(E);
  std::vector<char *> Argv;
  for (const std::string &A : Args)
    Argv.push_back(const_cast<char *>(A.c_str()));
  Argv.push_back(nullptr);
  int MainId = App.idOf(*App.M->getFunction("main"));
  // Passing envp too is harmless for mains that take fewer parameters.
  auto *Main = reinterpret_cast<int (*)(int, char **, char **)>(
      J->entry(MainId));
  return Main(static_cast<int>(Args.size()), Argv.data(), environ);
}

} // namespace

Expected<std::unique_ptr<Engine>> Engine::create(PreparedModule App,
                                                 EngineOptions Opts) {
  auto E = std::make_unique<TieredEngine>(std::move(App), Opts);
  if (Error Err = E->init())
    return std::move(Err);
  return std::move(E);
}

} // namespace gts
