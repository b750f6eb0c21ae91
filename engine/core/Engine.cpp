#include "Engine.h"

#include "../interp/Interpreter.h"
#include "../jit/EntryThunks.h"
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
#include <cstdio>
#include <cstdlib>
#include <mutex>

extern char **environ;

using namespace llvm;

namespace gts {

namespace {

class TieredEngine;
TieredEngine *ActiveEngine = nullptr;

// Called by JIT code when a function's call count reaches NextTierAt.
extern "C" void gtsHot(int Id);
// The app's exit(): the compile thread must stop before exit() runs static
// destructors, LLVM's among them, under its feet.
extern "C" [[noreturn]] void gtsExit(int Status);

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

void dumpObject(const std::string &Path, StringRef Bytes) {
  std::error_code EC;
  raw_fd_ostream OS(Path, EC);
  if (EC)
    errs() << "gts: warning: cannot write " << Path << ": " << EC.message()
           << "\n";
  else
    OS << Bytes;
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
  Error runMain(const std::vector<std::string> &Args) override;
  [[noreturn]] void exitApp(int Status);
  const Profile &profile() const override { return *Prof; }
  void onHot(int Id);
  void onLoopHot(int Id);

private:
  void finish();
  RunSummary summary();
  Error startPinned(Tier Level);
  Error startInterpreted();
  Error installEntryThunks(const std::vector<ThunkRequest> &Thunks,
                           const std::vector<int> &Ids);
  void absorbInterpreterProfile(int Id);
  uint64_t callsSoFar(int Id);
  void request(const CompileRequest &R);
  Expected<void *> interpreterLabelTable(const GlobalVariable &G);
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
  std::unique_ptr<Interpreter> Interp;
  std::vector<bool> Absorbed;  // Interpreter profile already in Prof.
  std::vector<Tier> Requested; // Highest tier asked for, by function.
  DenseMap<const GlobalVariable *, std::unique_ptr<uint64_t[]>> LabelTables;
};

extern "C" void gtsHot(int Id) { ActiveEngine->onHot(Id); }
extern "C" void gtsExit(int Status) { ActiveEngine->exitApp(Status); }

// The host symbol table with the engine's own versions of some entries.
const StringMap<void *> &appSymbols() {
  static const StringMap<void *> Table = [] {
    StringMap<void *> T = hostSymbols();
    T["exit"] = reinterpret_cast<void *>(&gtsExit);
    return T;
  }();
  return Table;
}

Error TieredEngine::initCompileModule() {
  SmallVector<char, 0> Bitcode;
  raw_svector_ostream OS(Bitcode);
  WriteBitcodeToFile(*App.M, OS);
  auto M = parseBitcodeFile(
      MemoryBufferRef(StringRef(Bitcode.data(), Bitcode.size()), "app"),
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
  StringMap<void *> Symbols = appSymbols();
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

  ActiveEngine = this;
  Absorbed.assign(App.Functions.size(), false);
  Requested.assign(App.Functions.size(), Tier::Interp);
  if (Error E = usesInterpreter(Opts) ? startInterpreted()
                                      : startPinned(*Opts.Pinned))
    return E;
  if (!Opts.Pinned && !Opts.SyncCompile) {
    Queue = CompileQueue::start([this](const CompileRequest &R) { tierUp(R); });
    if (!Queue)
      errs() << "gts: no compile thread (cannot start threads): compiling "
                "in place, as with --sync-compile\n";
  }
  return Error::success();
}

// A pinned JIT tier compiles the whole app once, as one unit.
Error TieredEngine::startPinned(Tier Level) {
  UnitRequest All{
      {}, Level, Seq++, instrumentFor(Level, false, Opts.ProfileTopTier)};
  All.DirectCallsBetweenTargets = true;
  for (size_t I = 0; I < App.Functions.size(); ++I) {
    All.Targets.push_back(static_cast<int>(I));
    if (App.PrivateToCallers[I])
      All.LocalTargets.push_back(static_cast<int>(I));
    Prof->setInitialTier(static_cast<int>(I), Level);
  }
  return compileAndInstall(All);
}

// The interpreter's own copy of a label table: its block addresses are
// interpreter tokens, not code addresses.
Expected<void *> TieredEngine::interpreterLabelTable(const GlobalVariable &G) {
  std::unique_ptr<uint64_t[]> &Copy = LabelTables[&G];
  if (!Copy) {
    uint64_t Size = App.M->getDataLayout().getTypeAllocSize(G.getValueType());
    Copy.reset(new uint64_t[(Size + 7) / 8]());
    if (Error E = Interp->writeConstant(*G.getInitializer(), Copy.get()))
      return std::move(E);
  }
  return Copy.get();
}

// Every function starts in the interpreter; those it cannot run start at O0.
Error TieredEngine::startInterpreted() {
  InterpEnv Env;
  Env.addressOf = [this](const GlobalValue &GV) -> Expected<void *> {
    if (auto *F = dyn_cast<Function>(&GV); F && App.idOf(*F) >= 0)
      return J->entry(App.idOf(*F));
    if (GV.isDeclaration())
      if (void *Host = appSymbols().lookup(GV.getName()))
        return Host;
    if (auto *G = dyn_cast<GlobalVariable>(&GV); G && isBlockAddressTable(*G))
      return interpreterLabelTable(*G);
    return J->lookup(GV.getName());
  };
  Env.idOf = [this](const Function &F) { return App.idOf(F); };
  Env.slots = J->targets();
  Env.onHot = [this](int Id) { onHot(Id); };
  Env.onLoopHot = [this](int Id) { onLoopHot(Id); };
  auto I = Interpreter::create(*App.M, std::move(Env));
  if (!I)
    return I.takeError();
  Interp = std::move(*I);

  bool Tiered = !Opts.Pinned;
  UnitRequest Compiled{
      {}, Tier::O0, Seq++, instrumentFor(Tier::O0, true, false)};
  std::vector<ThunkRequest> Thunks;
  std::vector<int> ThunkIds;
  for (size_t Id = 0; Id < App.Functions.size(); ++Id) {
    Function &F = *App.Functions[Id];
    Error Why = Interp->canRun(F);
    if (!Why && thunkable(F, CompileContext)) {
      auto Data = Interp->entryData(F);
      if (!Data)
        return Data.takeError();
      Thunks.push_back({&F, *Data, "__gts_i" + std::to_string(Id)});
      ThunkIds.push_back(static_cast<int>(Id));
    } else if (!Why) {
      auto Closure = Interp->closureFor(F);
      if (Closure)
        J->setTarget(static_cast<int>(Id), *Closure);
      else
        Why = Closure.takeError();
    }
    if (Why) {
      std::string Msg = toString(std::move(Why));
      if (!Tiered)
        return make_error<LoadError>(LoadErrorKind::Unsupported,
                                     "cannot interpret " + F.getName().str() +
                                         ": " + Msg);
      errs() << "gts: " << F.getName() << " starts at O0: " << Msg << "\n";
      Compiled.Targets.push_back(static_cast<int>(Id));
      Prof->setInitialTier(static_cast<int>(Id), Tier::O0);
      Prof->counters(static_cast<int>(Id)).NextTierAt = Opts.Thresholds[1];
      continue;
    }
    Prof->setInitialTier(static_cast<int>(Id), Tier::Interp);
    if (Tiered) {
      Interp->setCallThreshold(F, Policy.first());
      Interp->setLoopThreshold(F, Opts.LoopThreshold);
    }
  }
  if (Error E = installEntryThunks(Thunks, ThunkIds))
    return E;
  if (Compiled.Targets.empty())
    return Error::success();
  return compileAndInstall(Compiled);
}

// JIT-compiled native entries into the interpreter (see EntryThunks.h).
Error TieredEngine::installEntryThunks(const std::vector<ThunkRequest> &Thunks,
                                       const std::vector<int> &Ids) {
  if (Thunks.empty())
    return Error::success();
  auto M =
      buildEntryThunks(CompileContext, Comp->dataLayout(), Thunks,
                       reinterpret_cast<void *>(Interpreter::entryHandler()),
                       Interpreter::varargThunk());
  auto Obj = Comp->compile(*M, Tier::O0, "interp-entries");
  if (!Obj)
    return Obj.takeError();
  if (Error E = J->addObject(std::move(*Obj)))
    return E;
  for (size_t I = 0; I < Ids.size(); ++I) {
    auto Code = J->lookup(Thunks[I].Name);
    if (!Code)
      return Code.takeError();
    Interp->adoptEntry(*App.Functions[Ids[I]], *Code);
    J->setTarget(Ids[I], *Code);
  }
  return Error::success();
}

void TieredEngine::absorbInterpreterProfile(int Id) {
  if (!Interp || Absorbed[Id])
    return;
  Absorbed[Id] = true;
  const FuncProfile *P = Interp->profile(*App.Functions[Id]);
  if (!P)
    return;
  Prof->absorb(Id, {P->Calls, P->Cycles, P->MinCycles, P->MaxCycles,
                    P->BlockCounts, P->BackEdges});
}

void TieredEngine::finish() {
  if (Queue)
    Queue->stop();
  for (size_t Id = 0; Id < App.Functions.size(); ++Id)
    absorbInterpreterProfile(static_cast<int>(Id));
}

Error TieredEngine::compileAndInstall(const UnitRequest &R) {
  std::lock_guard<std::mutex> G(CompileLock);
  UnitModule U = buildTierUnit(*CompileModule, CompileFunctions, R);
  std::string Name = "unit" + std::to_string(R.Seq);
  auto Obj = Comp->compile(*U.M, R.Level, Name);
  if (!Obj)
    return Obj.takeError();
  Objects.push_back(
      {R.Targets, R.Level,
       MemoryBuffer::getMemBufferCopy((*Obj)->getBuffer(), Name)});
  if (!Opts.DumpObjects.empty())
    dumpObject(Opts.DumpObjects + "/" + Name + ".o", (*Obj)->getBuffer());
  if (Error E = J->addObject(std::move(*Obj)))
    return E;
  for (size_t I = 0; I < R.Targets.size(); ++I) {
    if (U.BodySymbols[I].empty())
      continue;
    auto Code = J->lookup(U.BodySymbols[I]);
    if (!Code)
      return Code.takeError();
    // Calls the interpreter counted so far go into the profile now: compiled
    // code counts on from there.
    if (Prof->currentTier(R.Targets[I]) == Tier::Interp)
      absorbInterpreterProfile(R.Targets[I]);
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
  UnitRequest U{
      {R.Id},
      R.Level,
      MySeq,
      instrumentFor(R.Level, R.Level != Tier::O3, Opts.ProfileTopTier)};
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

uint64_t TieredEngine::callsSoFar(int Id) {
  if (Prof->currentTier(Id) != Tier::Interp)
    return Prof->counters(Id).Calls;
  const FuncProfile *P = Interp->profile(*App.Functions[Id]);
  return P ? P->Calls : 0;
}

void TieredEngine::request(const CompileRequest &R) {
  Requested[R.Id] = R.Level;
  if (Queue)
    Queue->push(R);
  else
    tierUp(R);
}

// Called when calls >= NextTierAt (compiled code) or at the interpreter's
// call threshold. Counts may have passed several thresholds while a compile
// was pending: the step is to the highest one reached.
void TieredEngine::onHot(int Id) {
  uint64_t Calls = callsSoFar(Id);
  std::optional<TierPolicy::Step> S = Policy.stepAt(Calls);
  FunctionCounters &C = Prof->counters(Id);
  C.NextTierAt = S ? S->NextAt : Policy.first();
  if (S && S->To > Requested[Id])
    request({Id, S->To, Calls});
}

// A loop outlined into function Id ran LoopThreshold back-edges in the
// interpreter: its running activation moves to O3 code (see Interpreter.h).
void TieredEngine::onLoopHot(int Id) {
  Prof->counters(Id).NextTierAt = UINT64_MAX;
  if (Requested[Id] < Tier::O3)
    request({Id, Tier::O3, callsSoFar(Id)});
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

RunSummary TieredEngine::summary() {
  std::lock_guard<std::mutex> G(CompileLock);
  RunSummary S;
  S.Compilations = Objects.size();
  for (const CompiledObject &O : Objects)
    S.ObjectBytes += O.Object->getBufferSize();
  return S;
}

void TieredEngine::exitApp(int Status) {
  static bool Exiting = false;
  if (!Exiting) {
    Exiting = true;
    finish();
    std::fflush(nullptr);
    if (Opts.AtExit)
      Opts.AtExit(*Prof, summary());
  }
  std::exit(Status);
}

Error TieredEngine::runMain(const std::vector<std::string> &Args) {
  if (Error E = runConstructors())
    return std::move(E);
  std::vector<char *> Argv;
  for (const std::string &A : Args)
    Argv.push_back(const_cast<char *>(A.c_str()));
  Argv.push_back(nullptr);
  int MainId = App.idOf(*App.M->getFunction("main"));
  // Passing envp too is harmless for mains that take fewer parameters.
  auto *Main =
      reinterpret_cast<int (*)(int, char **, char **)>(J->entry(MainId));
  exitApp(Main(static_cast<int>(Args.size()), Argv.data(), environ));
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
