#include "Engine.h"
#include "EarlyCompiles.h"

#include "../interp/Interpreter.h"
#include "../jit/DataImage.h"
#include "../jit/EntryThunks.h"
#include "../jit/Jit.h"
#include "../jit/TierUnit.h"
#include "../policy/CompileQueue.h"
#include "../policy/TierPolicy.h"
#include "../runtime/AppHeap.h"
#include "../runtime/Cpus.h"
#include "../runtime/HostSymbols.h"
#include "../runtime/Pretouch.h"

#include "llvm/ADT/Sequence.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/StructuralHash.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sched.h>
#include <x86intrin.h>

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
// The app's atexit(): its handlers must run before its destructors and
// before the engine stops (exitApp).
extern "C" int gtsAtExit(void (*Fn)());

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
  O.LoopTransfer = TierUpCheck && !Top;
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

// Object code linked into this run (compiled or from a snapshot), kept for
// the next snapshot.
struct CompiledObject {
  ObjectKind Kind;
  Tier Level;
  std::unique_ptr<MemoryBuffer> Object;
};

// Where a function's current code lives.
struct CodeRef {
  int Object = -1;  // index into Objects
  std::string Body; // its symbol there (empty: local to that unit)
};

// Compiled back-edges of an outlined loop, in units of the interpreter's
// loop threshold, before it climbs from a lower tier to O3.
constexpr uint64_t CompiledLoopFactor = 10;

double millisSince(std::chrono::steady_clock::time_point T) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - T)
      .count();
}

std::string thunkDataSymbol(size_t Id) {
  return "__gts_idata_" + std::to_string(Id);
}

class TieredEngine final : public Engine {
public:
  TieredEngine(PreparedModule App, EngineOptions Opts)
      : App(std::move(App)), Opts(Opts), Policy(Opts.Thresholds, Opts.Policy) {}
  ~TieredEngine() override { finish(); }

  Error init();
  Error runMain(const std::vector<std::string> &Args) override;
  [[noreturn]] void exitApp(int Status);
  void atExit(void (*Fn)()) { AtExitHandlers.push_back(Fn); }
  const Profile &profile() const override { return *Prof; }
  RunSummary summary() const override;
  Expected<Snapshot> snapshot() const override;
  void recordConvergence(const std::vector<FunctionRecord> &Fns,
                         BootRecord &B) const;
  void onHot(int Id);
  void onLoopHot(int Id);
  bool onLoopTick(int Id, void *Body, uint64_t BackEdges);

private:
  void finish();
  Error checkResume(const Snapshot &S);
  Error resume(const Snapshot &S);
  const ObjectRecord *savedObject(ObjectKind Kind) const;
  Error linkObject(ObjectKind Kind, Tier Level,
                   std::unique_ptr<MemoryBuffer> Obj);
  Error compileAndLink(Module &M, ObjectKind Kind, Tier Level, StringRef Name);
  Error linkData();
  Error startPinned(Tier Level);
  Error startInterpreted();
  void startCompileThread();
  void resumeTierUps();
  void compileForNextBoot();
  void deferToExit(CompileRequest R);
  void stopCompileThread();
  void runCompiledInstead(int Id, StringRef Why);
  [[noreturn]] void fatal(Error E);
  unsigned nextSeq();
  Error installEntryStubs(const std::vector<int> &Ids);
  Error installEntryThunks(const std::vector<ThunkRequest> &Thunks,
                           const std::vector<int> &Ids);
  void absorbInterpreterProfile(int Id);
  uint64_t callsSoFar(int Id);
  double callRate(int Id, uint64_t Calls);
  void request(CompileRequest R);
  Expected<void *> interpreterLabelTable(const GlobalVariable &G);
  Expected<Compiler *> compiler();
  Error initCompileModule();
  std::string preparedApp() const;
  Error ensureCompileModule();
  Error compileAndInstall(const UnitRequest &R);
  bool tierUp(const CompileRequest &R);
  bool onlyInterpretedCallers(int Id);
  void interruptCompile();
  void traceTierChange(const CompileRequest &R, double StartMillis);
  std::vector<std::pair<uint64_t, int>> structors(StringRef Name) const;
  Error runConstructors();
  void collectDestructors();
  void runAppExitHandlers();

  PreparedModule App;
  EngineOptions Opts;
  TierPolicy Policy;
  std::unique_ptr<Profile> Prof;
  std::unique_ptr<Compiler> Comp; // made by compiler(), under CompMade
  // A compile was interrupted (interruptCompile) and the compiler's
  // cancellation is still to be lifted.
  std::atomic<bool> Interrupted = false;
  std::mutex CompMade;
  std::unique_ptr<Jit> J;
  std::optional<DataImage> Data; // the app's globals, unless a unit has them
  // The compiler's own copy of the app, in its own context: compilation may
  // run on another thread while the app's thread uses App.
  LLVMContext CompileContext;
  std::unique_ptr<Module> CompileModule;
  std::vector<Function *> CompileFunctions;
  mutable std::mutex CompileLock;
  unsigned Seq = 0;
  std::vector<CompiledObject> Objects;
  std::vector<CodeRef> Code; // by function id
  size_t Compilations = 0;
  double CompileMillis = 0;
  size_t LoadedFunctions = 0;
  std::chrono::steady_clock::time_point Started =
      std::chrono::steady_clock::now();
  uint64_t StartedTsc = __rdtsc();
  uint64_t AppCycles = 0;        // engine start to the app's exit, what cycles
                                 // shares are of (not the compiles after it)
  uint64_t EarlierRunCycles = 0; // of the boots the resumed profile spans
  // The snapshot being resumed, during init() only.
  const Snapshot *Resume = nullptr;
  bool Resumed = false;
  // Compiles left to the end of an in-place run: what a resumed profile
  // asked for, and the climbs a warm boot defers (TierPolicy.h).
  std::vector<CompileRequest> ForNextBoot;
  std::unique_ptr<CompileQueue> Queue;
  std::unique_ptr<Interpreter> Interp;
  std::vector<bool> Absorbed;  // Interpreter profile already in Prof.
  std::vector<Tier> Requested; // Highest tier asked for, by function.
  // By function: when it first got hot (engine ms) and its calls then.
  std::vector<std::optional<std::pair<double, uint64_t>>> FirstHot;
  DenseMap<const GlobalVariable *, std::unique_ptr<uint64_t[]>> LabelTables;
  std::vector<void (*)()> AtExitHandlers; // In registration order.
  std::vector<int> Destructors;           // Ids, the last runs first.
};

extern "C" void gtsHot(int Id) { ActiveEngine->onHot(Id); }
// A sampled call of compiled code (jit/Instrument.cpp): its start, and its
// end with the start.
extern "C" uint64_t gtsCycles() { return __rdtsc(); }
extern "C" void gtsTimeCall(FunctionCounters *C, uint64_t Start) {
  uint64_t D = __rdtsc() - Start;
  C->Cycles += D;
  ++C->TimedCalls;
  C->MinCycles = std::min(C->MinCycles, D);
  C->MaxCycles = std::max(C->MaxCycles, D);
}
extern "C" bool gtsLoopTick(int Id, void *Body, uint64_t BackEdges) {
  return ActiveEngine->onLoopTick(Id, Body, BackEdges);
}
extern "C" void gtsExit(int Status) { ActiveEngine->exitApp(Status); }
extern "C" int gtsAtExit(void (*Fn)()) {
  ActiveEngine->atExit(Fn);
  return 0;
}

// The host symbol table with the engine's own versions of some entries.
const StringMap<void *> &appSymbols() {
  static const StringMap<void *> Table = [] {
    StringMap<void *> T = hostSymbols();
    T["exit"] = reinterpret_cast<void *>(&gtsExit);
    T["atexit"] = reinterpret_cast<void *>(&gtsAtExit);
    T["malloc"] = reinterpret_cast<void *>(&appMalloc);
    T["calloc"] = reinterpret_cast<void *>(&appCalloc);
    T["free"] = reinterpret_cast<void *>(&appFree);
    T["pthread_create"] = reinterpret_cast<void *>(&appPthreadCreate);
    T["system"] = reinterpret_cast<void *>(&appSystem);
    T["popen"] = reinterpret_cast<void *>(&appPopen);
    return T;
  }();
  return Table;
}

// The compiler, made at the first compile: setting the code generator up
// (the x86 target and its passes registered) takes about 1 ms, which a
// warm boot that compiles nothing never pays and a cold one pays on its
// compile thread.
Expected<Compiler *> TieredEngine::compiler() {
  std::lock_guard<std::mutex> G(CompMade);
  if (!Comp && Opts.Early)
    Comp = Opts.Early->takeCompiler();
  if (!Comp) {
    auto C = Compiler::create(Opts.Cpu, App.M->getDataLayout());
    if (!C)
      return C.takeError();
    Comp = std::move(*C);
  }
  return Comp.get();
}

// The compiler's copy of the app, made on the thread that compiles: a boot
// whose code all comes from a snapshot never pays for it, and the app's
// thread never does when there is a compile thread.
Error TieredEngine::ensureCompileModule() {
  return CompileModule ? Error::success() : initCompileModule();
}

Error TieredEngine::initCompileModule() {
  auto M = prepareCopy(App, CompileContext);
  if (!M)
    return M.takeError();
  std::vector<Function *> Fns;
  for (Function &F : **M)
    if (!F.isDeclaration())
      Fns.push_back(&F);
  bool Same = Fns.size() == App.Functions.size() &&
              llvm::all_of(llvm::seq(Fns.size()), [&](size_t I) {
                return Fns[I]->getName() == App.Functions[I]->getName();
              });
  if (!Same)
    return createStringError(inconvertibleErrorCode(),
                             "preparing the app again gave other functions");
  CompileModule = std::move(*M);
  CompileFunctions = std::move(Fns);
  return Error::success();
}

Error TieredEngine::init() {
  std::vector<std::string> Names;
  for (Function *F : App.Functions)
    Names.push_back(F->getName().str());
  Prof = std::make_unique<Profile>(Names, Opts.Boot);
  Code.assign(App.Functions.size(), {});
  Resume = Opts.Resume;
  Resumed = Resume != nullptr;
  if (Resume) {
    if (Error E = checkResume(*Resume))
      return E;
    for (const BootRecord &B : Resume->History)
      EarlierRunCycles += B.RunCycles;
  }
  auto NewJit = Jit::create(App.M->getDataLayout());
  if (!NewJit)
    return NewJit.takeError();
  J = std::move(*NewJit);
  // The compiler's copy of the app is read from bitcode that only this
  // thread can write (App.M is its to use).
  if (!Opts.Pinned || *Opts.Pinned != Tier::Interp)
    keepBitcode(App);
  if (!Opts.Pinned && !Opts.SyncCompile)
    startCompileThread();
  StringMap<void *> Symbols = appSymbols();
  // The app's own definition of a C library name (C lets a program define
  // rand) wins, as with a C linker: its entry takes the name.
  for (const GlobalValue &GV : App.M->global_values())
    if (!GV.isDeclaration())
      Symbols.erase(GV.getName());
  Symbols["__gts_counters"] = Prof->counters();
  Symbols["__gts_hot"] = reinterpret_cast<void *>(&gtsHot);
  Symbols["__gts_cycles"] = reinterpret_cast<void *>(&gtsCycles);
  Symbols["__gts_time_call"] = reinterpret_cast<void *>(&gtsTimeCall);
  Symbols["__gts_loop_tick"] = reinterpret_cast<void *>(&gtsLoopTick);
  Symbols[EntryHandlerSymbol] =
      reinterpret_cast<void *>(Interpreter::entryHandler());
  J->defineOnLookup(std::move(Symbols));
  if (Error E = J->createEntries(Names))
    return E;
  if (Error E = linkData())
    return E;

  ActiveEngine = this;
  Absorbed.assign(App.Functions.size(), false);
  Requested.assign(App.Functions.size(), Tier::Interp);
  FirstHot.assign(App.Functions.size(), std::nullopt);
  if (Resume)
    if (Error E = resume(*Resume))
      return E;
  if (Error E = usesInterpreter(Opts) ? startInterpreted()
                                      : startPinned(*Opts.Pinned))
    return E;
  Resume = nullptr;
  if (Opts.Resume && !Opts.Pinned)
    resumeTierUps();
  return Error::success();
}

// The compile thread starts while the app's thread gets the interpreter
// ready (the rest of init() compiles in the app's own context, on the
// app's thread). On a cold start, where compiles soon follow, it makes the
// compiler's copy of the app meanwhile; a resumed boot may compile nothing.
void TieredEngine::startCompileThread() {
  std::function<void()> Prepare;
  bool Warmed = Opts.Early && Opts.Early->Queue;
  if (!Opts.Resume)
    Prepare = [this, Warmed] {
      // The first compiles fill about 3 MiB of this thread's fresh arena.
      if (!Warmed)
        pretouchHeap(4);
      std::lock_guard<std::mutex> G(CompileLock);
      // An error here is reported by the first compilation, which tries
      // again.
      consumeError(compiler().takeError());
      consumeError(ensureCompileModule());
    };
  CompileQueue::Worker W{[this](const CompileRequest &R) { return tierUp(R); },
                         std::move(Prepare), [this] { interruptCompile(); }};
  if (Warmed) {
    Queue = std::move(Opts.Early->Queue);
    Queue->serve(std::move(W));
  } else {
    Queue = CompileQueue::start(std::move(W));
  }
  if (!Queue)
    errs() << "gts: no compile thread (cannot start threads): compiling "
              "in place, as with --sync-compile\n";
}

// Every record must belong to a function of this app with the same IR; the
// snapshot's objects are only linked once all of them do.
Error TieredEngine::checkResume(const Snapshot &S) {
  StringMap<int> IdByName;
  for (size_t Id = 0; Id < App.Functions.size(); ++Id)
    IdByName[App.Functions[Id]->getName()] = static_cast<int>(Id);
  for (const FunctionRecord &R : S.Functions) {
    auto It = IdByName.find(R.Profile.Name);
    if (It == IdByName.end())
      return createStringError(inconvertibleErrorCode(),
                               "inconsistent record: the app has no function " +
                                   R.Profile.Name);
    // A module read from the snapshot is the one its records describe.
    if (!App.Lazy &&
        StructuralHash(*App.Functions[It->second], true) != R.IrHash)
      return createStringError(inconvertibleErrorCode(),
                               "inconsistent record: " + R.Profile.Name +
                                   " has other IR in this app");
  }
  return Error::success();
}

const ObjectRecord *TieredEngine::savedObject(ObjectKind Kind) const {
  if (!Resume)
    return nullptr;
  for (const ObjectRecord &O : Resume->Objects)
    if (O.Kind == Kind)
      return &O;
  return nullptr;
}

// Links Obj and keeps a copy of its bytes for the next snapshot. The JIT
// gets a copy of its own: it links lazily, at the first lookup of a symbol,
// which may come after the snapshot Obj was read from is gone (a saved data
// object that only a lazily translated function refers to).
Error TieredEngine::linkObject(ObjectKind Kind, Tier Level,
                               std::unique_ptr<MemoryBuffer> Obj) {
  Objects.push_back({Kind, Level,
                     MemoryBuffer::getMemBufferCopy(
                         Obj->getBuffer(), Obj->getBufferIdentifier())});
  return J->addObject(MemoryBuffer::getMemBufferCopy(
      Obj->getBuffer(), Obj->getBufferIdentifier()));
}

Error TieredEngine::compileAndLink(Module &M, ObjectKind Kind, Tier Level,
                                   StringRef Name) {
  auto Start = std::chrono::steady_clock::now();
  auto C = compiler();
  if (!C)
    return C.takeError();
  auto Obj = (*C)->compile(M, Level, Name);
  if (!Obj)
    return Obj.takeError();
  CompileMillis += millisSince(Start);
  ++Compilations;
  if (!Opts.DumpObjects.empty())
    dumpObject(Opts.DumpObjects + "/" + Name.str() + ".o", (*Obj)->getBuffer());
  return linkObject(Kind, Level, std::move(*Obj));
}

// The app's global variables, defined once for every tier's code: written
// into memory, or, for what DataImage does not write, linked from the
// snapshot or compiled.
Error TieredEngine::linkData() {
  auto Resolve = [this](const GlobalValue &GV) -> Expected<void *> {
    if (auto *F = dyn_cast<Function>(&GV); F && App.idOf(*F) >= 0)
      return J->entry(App.idOf(*F));
    if (void *Host =
            GV.isDeclaration() ? appSymbols().lookup(GV.getName()) : nullptr)
      return Host;
    return createStringError(inconvertibleErrorCode(),
                             "no address for @" + GV.getName());
  };
  auto Image = DataImage::write(*App.M, Resolve);
  if (Image) {
    Data = std::move(*Image);
    return J->defineAbsolute(Data->symbols());
  }
  consumeError(Image.takeError()); // the data unit defines them instead
  if (const ObjectRecord *Saved = savedObject(ObjectKind::Data))
    return linkObject(ObjectKind::Data, Tier::O0,
                      MemoryBuffer::getMemBuffer(Saved->Bytes, "data", false));
  // From the app's own module, on the app's thread: nothing else uses it yet.
  return compileAndLink(*buildDataUnit(*App.M), ObjectKind::Data, Tier::O0,
                        "data");
}

// Counts continue from the snapshot; saved code is linked and installed at
// its tier. Functions without code start in the interpreter (or as a fresh
// run would) and keep profiling.
Error TieredEngine::resume(const Snapshot &S) {
  std::vector<int> Linked(S.Objects.size(), -1);
  for (const FunctionRecord &R : S.Functions) {
    int Id = App.idOf(*App.M->getFunction(R.Profile.Name));
    Prof->restore(Id, R.Profile);
    if (R.Object < 0)
      continue;
    const ObjectRecord &O = S.Objects[R.Object];
    if (Linked[R.Object] < 0) {
      if (Error E =
              linkObject(ObjectKind::Unit, O.Level,
                         MemoryBuffer::getMemBuffer(O.Bytes, "saved", false)))
        return E;
      Linked[R.Object] = static_cast<int>(Objects.size() - 1);
    }
    Code[Id] = {Linked[R.Object], R.Body};
    Requested[Id] = R.Profile.Current;
    Prof->counters(Id).NextTierAt = Policy.nextAfter(R.Profile.Current);
    ++LoadedFunctions;
  }
  // Linking happens at the first lookup: all bodies before any target moves.
  std::vector<std::pair<int, void *>> Targets;
  for (size_t Id = 0; Id < Code.size(); ++Id) {
    if (Code[Id].Body.empty())
      continue;
    auto Addr = J->lookup(Code[Id].Body);
    if (!Addr)
      return Addr.takeError();
    Targets.emplace_back(static_cast<int>(Id), *Addr);
  }
  for (auto [Id, Addr] : Targets)
    J->setTarget(Id, Addr);
  return Error::success();
}

// What the resumed profile asks for (the policy decides): queued for the
// compile thread at start, or, with one thread, compiled after the app.
void TieredEngine::resumeTierUps() {
  std::vector<FunctionProfile> Fns = Prof->records();
  std::vector<Tier> Want = Policy.atResume(Fns, EarlierRunCycles);
  for (size_t Id = 0; Id < Fns.size(); ++Id) {
    if (Want[Id] == Tier::Interp || Want[Id] <= Requested[Id])
      continue;
    // What earlier boots found hot: this boot runs without it (as they
    // did) if the machine has no idle core for it.
    CompileRequest R{static_cast<int>(Id), Want[Id], Fns[Id].Counters.Calls};
    R.Background = true;
    // With one thread, compiling now would delay the app's start: the app
    // runs from the saved code (climbing as usual) and these compiles run
    // when it has ended, for the next boot.
    if (Queue)
      request(R);
    else
      deferToExit(R);
  }
}

// Compiled once the app has ended (one thread, in place), for the next boot.
void TieredEngine::deferToExit(CompileRequest R) {
  R.AskedMillis = millisSince(Started);
  ForNextBoot.push_back(R);
}

void TieredEngine::compileForNextBoot() {
  // One compile per function, at the highest tier asked for; none for what
  // this boot compiled since.
  std::vector<CompileRequest> Todo;
  for (const CompileRequest &R : ForNextBoot) {
    auto Same = llvm::find_if(
        Todo, [&](const CompileRequest &T) { return T.Id == R.Id; });
    if (Same == Todo.end())
      Todo.push_back(R);
    else if (R.Level > Same->Level)
      *Same = R;
  }
  llvm::erase_if(Todo, [&](const CompileRequest &R) {
    return R.Level <= Prof->currentTier(R.Id);
  });
  if (!Todo.empty())
    errs() << "gts: compiling " << Todo.size()
           << (Todo.size() == 1 ? " function" : " functions")
           << " for the next boot\n";
  for (const CompileRequest &R : Todo) {
    if (Error E = ensureCompileModule()) {
      errs() << "gts: warning: nothing compiled for the next boot: "
             << toString(std::move(E)) << "\n";
      return;
    }
    Requested[R.Id] = R.Level;
    tierUp(R);
  }
}

// A pinned JIT tier compiles the whole app once, as one unit (or links it
// from the snapshot).
Error TieredEngine::startPinned(Tier Level) {
  if (LoadedFunctions)
    return Error::success();
  UnitRequest All{
      {}, Level, Seq++, instrumentFor(Level, false, Opts.ProfileTopTier)};
  All.DirectCallsBetweenTargets = true;
  All.Boot = Opts.Boot;
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

// Every function starts in the interpreter; those it cannot enter (their
// signature) start at O0, and those it cannot run move to O0 at their first
// call.
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
  Env.onCannotRun = [this](int Id, const std::string &Why) {
    runCompiledInstead(Id, Why);
  };
  auto I = Interpreter::create(*App.M, std::move(Env));
  if (!I)
    return I.takeError();
  Interp = std::move(*I);

  bool Tiered = !Opts.Pinned;
  UnitRequest Compiled{
      {}, Tier::O0, Seq++, instrumentFor(Tier::O0, true, false)};
  Compiled.Boot = Opts.Boot;
  std::vector<int> StubIds; // Entries without compiled code.
  std::vector<ThunkRequest> Thunks;
  std::vector<int> ThunkIds;
  auto AddThunk = [&](Function &F, size_t Id) {
    Thunks.push_back({&F, thunkDataSymbol(Id), "__gts_i" + std::to_string(Id)});
    ThunkIds.push_back(static_cast<int>(Id));
  };
  for (size_t Id = 0; Id < App.Functions.size(); ++Id) {
    Function &F = *App.Functions[Id];
    // Saved code runs it, never the interpreter: no translation (a warm
    // start's largest setup cost), and its entry only needs to link.
    if (Code[Id].Object >= 0) {
      if (!Interpreter::hasEntryStub(F) && thunkable(F, App.M->getContext()))
        AddThunk(F, Id);
      continue;
    }
    // Only the signature is checked here (an entry stub or thunk needs it);
    // the body is translated at its first call, if any, and what the
    // interpreter cannot run is compiled then (runCompiledInstead).
    Error Why = Interp->canEnter(F);
    if (!Why && Interpreter::hasEntryStub(F)) {
      StubIds.push_back(static_cast<int>(Id));
    } else if (!Why && thunkable(F, App.M->getContext())) {
      AddThunk(F, Id);
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
    if (Tiered) {
      // Calls of earlier boots count towards the first threshold; past it,
      // resumeTierUps() asks for a compile.
      uint64_t Saved = Prof->counters(static_cast<int>(Id)).Calls;
      if (Saved < Policy.first())
        Interp->setCallThreshold(F, Policy.first() - Saved);
      Interp->setLoopThreshold(F, Opts.LoopThreshold);
    }
  }
  if (Error E = installEntryStubs(StubIds))
    return E;
  if (Error E = installEntryThunks(Thunks, ThunkIds))
    return E;
  if (Compiled.Targets.empty())
    return Error::success();
  return compileAndInstall(Compiled);
}

// A function the interpreter cannot run, found at its first call (on the
// app's thread, which waits for the code): tiered, it starts at O0 as it
// would have at start-up; pinned to the interpreter, the run ends.
void TieredEngine::runCompiledInstead(int Id, StringRef Why) {
  if (Prof->currentTier(Id) != Tier::Interp)
    return; // an earlier entry compiled it
  StringRef Name = App.Functions[Id]->getName();
  std::fflush(stdout);
  if (Opts.Pinned)
    fatal(make_error<LoadError>(LoadErrorKind::Unsupported,
                                "cannot interpret " + Name.str() + ": " +
                                    Why.str()));
  errs() << "gts: " << Name << " starts at O0: " << Why << "\n";
  Prof->setInitialTier(Id, Tier::O0);
  Prof->counters(Id).NextTierAt = Opts.Thresholds[1];
  UnitRequest U{
      {Id}, Tier::O0, nextSeq(), instrumentFor(Tier::O0, true, false)};
  U.Boot = Opts.Boot;
  if (Error E = compileAndInstall(U))
    fatal(std::move(E));
}

void TieredEngine::fatal(Error E) {
  Opts.OnFatal(std::move(E));
  std::_Exit(70); // OnFatal does not return
}

// Native entries into the interpreter that need no compiling: most
// signatures have one (Interpreter::hasEntryStub).
Error TieredEngine::installEntryStubs(const std::vector<int> &Ids) {
  auto Stubs = J->writeCode(
      Ids.size(), Interpreter::EntryStubBytes, [&](size_t I, void *Mem) {
        return Interp->writeEntryStub(*App.Functions[Ids[I]], Mem);
      });
  if (!Stubs)
    return Stubs.takeError();
  for (size_t I = 0; I < Ids.size(); ++I) {
    Interp->adoptEntry(*App.Functions[Ids[I]], (*Stubs)[I]);
    J->setTarget(Ids[I], (*Stubs)[I]);
  }
  return Error::success();
}

// JIT-compiled native entries into the interpreter, for the signatures
// without a stub (see EntryThunks.h).
Error TieredEngine::installEntryThunks(const std::vector<ThunkRequest> &Thunks,
                                       const std::vector<int> &Ids) {
  if (Thunks.empty())
    return Error::success();
  // Functions that saved code runs keep a dormant entry: linked, never
  // adopted (a boot that could not interpret one left it out of the saved
  // entries object, so it is not looked up either).
  auto Dormant = [&](size_t I) { return Code[Ids[I]].Object >= 0; };
  StringMap<void *> Data;
  for (size_t I = 0; I < Ids.size(); ++I) {
    Function &F = *App.Functions[Ids[I]];
    if (Dormant(I)) {
      Data[Thunks[I].DataSymbol] = Interp->dormantEntryData(F);
      continue;
    }
    auto D = Interp->entryData(F);
    if (!D)
      return D.takeError();
    Data[Thunks[I].DataSymbol] = *D;
  }
  if (Error E = J->defineAbsolute(Data))
    return E;
  Error E = Error::success();
  if (const ObjectRecord *Saved = savedObject(ObjectKind::Entries))
    E = linkObject(ObjectKind::Entries, Tier::O0,
                   MemoryBuffer::getMemBuffer(Saved->Bytes, "entries", false));
  else
    E = compileAndLink(
        *buildEntryThunks(App.M->getContext(), App.M->getDataLayout(), Thunks),
        ObjectKind::Entries, Tier::O0, "interp-entries");
  if (E)
    return E;
  for (size_t I = 0; I < Ids.size(); ++I) {
    if (Dormant(I))
      continue;
    auto Entry = J->lookup(Thunks[I].Name);
    if (!Entry)
      return Entry.takeError();
    Interp->adoptEntry(*App.Functions[Ids[I]], *Entry);
    J->setTarget(Ids[I], *Entry);
  }
  return Error::success();
}

// The interpreter's counters change under the app's thread without
// synchronization: only that thread reads them, here, once the function has
// left the interpreter (at its next onHot/onLoopHot, or at exit).
void TieredEngine::absorbInterpreterProfile(int Id) {
  if (!Interp || Absorbed[Id])
    return;
  Absorbed[Id] = true;
  if (std::optional<FunctionProfile> P = Interp->profile(*App.Functions[Id]))
    Prof->absorb(Id, *P);
}

void TieredEngine::finish() {
  if (Queue)
    stopCompileThread();
  for (size_t Id = 0; Id < App.Functions.size(); ++Id)
    absorbInterpreterProfile(static_cast<int>(Id));
}

// A boot that saves a snapshot compiles what the worker did not get to
// for the next one: in a short run the queue may hold the whole hot set
// (the resumed boot's climbs), and dropping it would delay convergence by a
// boot each time. Not on a busy machine (the worker had less than half a
// core although there is more than one): background work waits for a boot
// with idle time (the next one asks for it again), the compile in progress
// too, or this process would wait for code it does not run. With one CPU
// the app itself was the load, and that CPU is free now. Without a
// snapshot, no compile is waited for.
void TieredEngine::stopCompileThread() {
  std::optional<double> Share = Queue->cpuShare();
  bool Busy = Share && *Share < 0.5 && CompileQueue::allowedCpus() > 1;
  // Compiled for no one (no snapshot), or left to a later boot.
  auto Dropped = [&](const CompileRequest &R) {
    return !Opts.Boot || (Busy && R.Background);
  };
  size_t Left = 0;
  auto Cancel = [&](const CompileRequest &R) {
    if (!Dropped(R))
      return;
    std::lock_guard<std::mutex> G(CompMade);
    if (Comp)
      Comp->setCancelled(true);
    ++Left;
  };
  for (const CompileRequest &R : Queue->stop(Cancel)) {
    if (Dropped(R))
      ++Left;
    else
      ForNextBoot.push_back(R);
  }
  if (Comp)
    Comp->setCancelled(false);
  if (Opts.Boot && Left)
    errs() << "gts: " << Left << " background "
           << (Left == 1 ? "compile" : "compiles")
           << " left to a later boot (busy machine: the compile thread had "
           << static_cast<int>(*Share * 100) << "% of a core)\n";
}

Error TieredEngine::compileAndInstall(const UnitRequest &R) {
  std::lock_guard<std::mutex> G(CompileLock);
  // An interrupt stops the compile it was meant for, or none if that one
  // had finished: not this one.
  if (Interrupted.exchange(false))
    Comp->setCancelled(false);
  if (Error E = ensureCompileModule())
    return E;
  if (Error E = readBodies(CompileFunctions, R))
    return E;
  UnitModule U = buildTierUnit(*CompileModule, CompileFunctions, R);
  if (Error E = compileAndLink(*U.M, ObjectKind::Unit, R.Level,
                               "unit" + std::to_string(R.Seq)))
    return E;
  int Object = static_cast<int>(Objects.size() - 1);
  for (size_t I = 0; I < R.Targets.size(); ++I) {
    Code[R.Targets[I]] = {Object, U.BodySymbols[I]};
    if (U.BodySymbols[I].empty())
      continue;
    auto Body = J->lookup(U.BodySymbols[I]);
    if (!Body)
      return Body.takeError();
    // Calls the interpreter counted so far go into the profile now when
    // compiling on the app's thread; from the compile thread, callsSoFar
    // moves them later. Compiled code counts on from there.
    if (!Queue && Prof->currentTier(R.Targets[I]) == Tier::Interp)
      absorbInterpreterProfile(R.Targets[I]);
    J->setTarget(R.Targets[I], *Body);
  }
  return Error::success();
}

unsigned TieredEngine::nextSeq() {
  std::lock_guard<std::mutex> G(CompileLock);
  return Seq++;
}

// The queue's lock is held: the compile in progress stops soon, and the
// next compile starts anew (compileAndInstall).
void TieredEngine::interruptCompile() {
  std::lock_guard<std::mutex> G(CompMade);
  if (!Comp)
    return;
  Interrupted = true;
  Comp->setCancelled(true);
}

// False when the compile was cancelled (interrupted, or the run ends).
bool TieredEngine::tierUp(const CompileRequest &R) {
  // The top tier no longer checks for tier-ups.
  UnitRequest U{
      {R.Id},
      R.Level,
      nextSeq(),
      instrumentFor(R.Level, R.Level != Tier::O3, Opts.ProfileTopTier)};
  U.Boot = Opts.Boot;
  double StartMillis = millisSince(Started);
  if (Error E = compileAndInstall(U)) {
    if (E.isA<CompileCancelled>()) {
      consumeError(std::move(E));
      return false;
    }
    errs() << "gts: warning: " << App.Functions[R.Id]->getName()
           << " stays in its tier: " << toString(std::move(E)) << "\n";
    return true;
  }
  Prof->recordTierChange(R.Id, R.Level, R.AtCall);
  if (Opts.TraceTiers)
    traceTierChange(R, StartMillis);
  return true;
}

// When the code was asked for, how long it waited and compiled, and when it
// took over (ms since the engine started): where a run's start-up goes.
void TieredEngine::traceTierChange(const CompileRequest &R,
                                   double StartMillis) {
  double Now = millisSince(Started);
  errs() << "gts: " << App.Functions[R.Id]->getName() << " -> "
         << tierName(R.Level) << " at call " << R.AtCall
         << format(" (%.1f ms: asked at %.1f, waited %.1f, compiled in %.1f)\n",
                   Now, R.AskedMillis, StartMillis - R.AskedMillis,
                   Now - StartMillis);
}

// On the app's thread: calls of earlier boots and compiled calls (in the
// profile) plus the interpreter's own until they move into the profile.
uint64_t TieredEngine::callsSoFar(int Id) {
  if (Prof->currentTier(Id) != Tier::Interp)
    absorbInterpreterProfile(Id);
  uint64_t Calls = Prof->counters(Id).Calls;
  if (Interp && !Absorbed[Id])
    Calls += Interp->calls(*App.Functions[Id]);
  return Calls;
}

// Calls a millisecond since Id first got hot (0 until a millisecond passed).
double TieredEngine::callRate(int Id, uint64_t Calls) {
  double Now = millisSince(Started);
  if (!FirstHot[Id]) {
    FirstHot[Id] = {Now, Calls};
    return 0;
  }
  double Elapsed = Now - FirstHot[Id]->first;
  return Elapsed < 1 ? 0 : (Calls - FirstHot[Id]->second) / Elapsed;
}

void TieredEngine::request(CompileRequest R) {
  Requested[R.Id] = R.Level;
  R.AskedMillis = millisSince(Started);
  if (Queue)
    Queue->push(R);
  else
    tierUp(R);
}

// A trivial leaf (jit/TierUnit.h) that only interpreted code has called
// runs there as fast as a call from interpreted into compiled code would
// take, and compiled callers inline it: with the compile thread and the
// adaptive policy, it is compiled once native code calls it (a C library
// callback, an indirect call from compiled code). TinyLlama's read_i32
// asked for O0 code 0.1 ms before its caller, the tokenizer loop, whose
// code then came 1 ms later. In place and under the seed policy the
// ladder follows the counts alone.
bool TieredEngine::onlyInterpretedCallers(int Id) {
  const Function &F = *App.Functions[Id];
  return Queue && Policy.leafWaitsForNativeCaller() && Interp &&
         Prof->currentTier(Id) == Tier::Interp && Interp->nativeCalls(F) == 0 &&
         isTrivialLeaf(F);
}

// Called when calls >= NextTierAt (compiled code) or at the interpreter's
// call threshold. Counts may have passed several thresholds while a compile
// was pending: the step is to the highest one reached.
void TieredEngine::onHot(int Id) {
  if (onlyInterpretedCallers(Id)) {
    // Asked again at ten times as many calls.
    Interp->setCallThreshold(*App.Functions[Id], 10 * callsSoFar(Id));
    return;
  }
  uint64_t Calls = callsSoFar(Id);
  std::optional<TierPolicy::Step> S =
      Queue ? Policy.stepAt(Calls, callRate(Id, Calls)) : Policy.stepAt(Calls);
  FunctionCounters &C = Prof->counters(Id);
  C.NextTierAt = S ? S->NextAt : Policy.first();
  if (!S || S->To <= Requested[Id])
    return;
  if (!Queue && Resumed && Policy.defersInPlaceClimb(Prof->currentTier(Id))) {
    Requested[Id] = S->To;
    deferToExit({Id, S->To, Calls});
    return;
  }
  CompileRequest R{Id, S->To, Calls};
  // Climbs of compiled code in a resumed boot: the hot set is at its top
  // tier already (TierPolicy::atResume), so they are of code that was cold.
  R.FromInterpreter = Prof->currentTier(Id) == Tier::Interp;
  R.Background = Resumed && !R.FromInterpreter;
  request(R);
}

// A loop outlined into function Id ran LoopThreshold back-edges in the
// interpreter: its running activation moves to O0 code (see Interpreter.h),
// cheap to make (about 2 ms against 12-16 ms at O3 for TinyLlama's loops),
// which climbs to O3 if it keeps running (onLoopTick). A loop that is about
// to end then costs the compile thread little, and work that waits for it
// (a comparison function's first tier-up) little delay.
void TieredEngine::onLoopHot(int Id) {
  Prof->counters(Id).NextTierAt = UINT64_MAX;
  if (Requested[Id] < Tier::O0)
    request({Id, Tier::O0, callsSoFar(Id), /*Urgent=*/true});
}

// Compiled code below the top tier ran BackEdges back-edges of outlined
// loop Id (instrumentFunction): from CompiledLoopFactor times the
// interpreter's threshold on (compiled back-edges are that much cheaper) it
// asks for O3. True when Id's entry leads to newer code than Body: the
// activation moves there.
bool TieredEngine::onLoopTick(int Id, void *Body, uint64_t BackEdges) {
  if (BackEdges >= CompiledLoopFactor * Opts.LoopThreshold &&
      Requested[Id] < Tier::O3) {
    Prof->counters(Id).NextTierAt = UINT64_MAX;
    request({Id, Tier::O3, callsSoFar(Id), /*Urgent=*/true});
  }
  return J->target(Id) != Body;
}

// The (priority, function id) entries of llvm.global_ctors or
// llvm.global_dtors, in the order listed.
std::vector<std::pair<uint64_t, int>>
TieredEngine::structors(StringRef Name) const {
  std::vector<std::pair<uint64_t, int>> List;
  auto *G = App.M->getNamedGlobal(Name);
  auto *Init = G && G->hasInitializer()
                   ? dyn_cast<ConstantArray>(G->getInitializer())
                   : nullptr;
  if (!Init)
    return List;
  for (const Use &Op : Init->operands()) {
    auto *CS = cast<ConstantStruct>(Op.get());
    auto *Prio = cast<ConstantInt>(CS->getOperand(0));
    auto *Fn = dyn_cast<Function>(CS->getOperand(1)->stripPointerCasts());
    if (Fn && App.idOf(*Fn) >= 0)
      List.emplace_back(Prio->getZExtValue(), App.idOf(*Fn));
  }
  return List;
}

// llvm.global_ctors, in priority order, through the functions' entries.
Error TieredEngine::runConstructors() {
  std::vector<std::pair<uint64_t, int>> Order = structors("llvm.global_ctors");
  std::stable_sort(Order.begin(), Order.end());
  for (auto &[Prio, Id] : Order)
    reinterpret_cast<void (*)()>(J->entry(Id))();
  return Error::success();
}

// llvm.global_dtors: C runs the highest priority first and, within one
// priority, the last listed first (.fini_array order).
void TieredEngine::collectDestructors() {
  std::vector<std::pair<uint64_t, int>> Order = structors("llvm.global_dtors");
  std::stable_sort(Order.begin(), Order.end(),
                   [](auto &A, auto &B) { return A.first < B.first; });
  for (auto &[Prio, Id] : Order)
    Destructors.push_back(Id);
}

// What C's exit() does for the app: atexit handlers, last registered first,
// then destructors. Each is taken off its list before it runs, so an exit()
// from one of them goes on with the rest, as glibc's does.
void TieredEngine::runAppExitHandlers() {
  while (!AtExitHandlers.empty()) {
    void (*Fn)() = AtExitHandlers.back();
    AtExitHandlers.pop_back();
    Fn();
  }
  while (!Destructors.empty()) {
    int Id = Destructors.back();
    Destructors.pop_back();
    reinterpret_cast<void (*)()>(J->entry(Id))();
  }
}

RunSummary TieredEngine::summary() const {
  std::lock_guard<std::mutex> G(CompileLock);
  RunSummary S;
  S.Compilations = Compilations;
  S.CompileMillis = CompileMillis;
  S.LoadedFunctions = LoadedFunctions;
  for (const CompiledObject &O : Objects)
    S.ObjectBytes += O.Object->getBufferSize();
  return S;
}

// Instructions of F, and those in blocks seen running. Block counts come
// from the interpreter; a function compiled before it was interpreted has
// none, and counts as run whole once called.
void countInstructions(const Function &F, FunctionRecord &R) {
  const std::vector<uint64_t> &Blocks = R.Profile.BlockCounts;
  bool PerBlock = Blocks.size() == F.size();
  size_t I = 0;
  for (const BasicBlock &BB : F) {
    R.Instructions += BB.size();
    if (PerBlock ? Blocks[I] > 0 : R.Profile.Counters.Calls > 0)
      R.InstructionsRun += BB.size();
    ++I;
  }
}

// The seed's ConvergenceState for this boot: how many hot functions run at
// their final tier, and which functions are hot. Tiered, code at O3 counts
// as hot: only hot code gets there, and it no longer counts its cycles.
void TieredEngine::recordConvergence(const std::vector<FunctionRecord> &Fns,
                                     BootRecord &B) const {
  std::vector<uint64_t> Cycles;
  for (const FunctionRecord &F : Fns)
    Cycles.push_back(estimatedCycles(F.Profile.Counters));
  Tier Final = Opts.Pinned ? *Opts.Pinned : Tier::O3;
  std::vector<bool> Hot(Fns.size(), false);
  for (int Id :
       TierPolicy::hotFunctions(Cycles, EarlierRunCycles + B.RunCycles))
    Hot[Id] = true;
  std::string Names;
  for (size_t Id = 0; Id < Fns.size(); ++Id) {
    bool AtFinal = Fns[Id].Profile.Current == Final;
    if (!Hot[Id] && !(AtFinal && !Opts.Pinned))
      continue;
    ++B.Hot;
    B.HotAtFinalTier += AtFinal;
    Names += Fns[Id].Profile.Name + '\n';
  }
  B.HotSetHash = xxh3_64bits(arrayRefFromStringRef(Names));
}

// The prepared app for the next boot: the bytes the compiler's copy is read
// from (a warm boot's from its snapshot), or, in a run that compiles
// nothing, the app's module written now.
std::string TieredEngine::preparedApp() const {
  return App.Bitcode ? App.Bitcode->getBuffer().str() : preparedBitcode(*App.M);
}

Expected<Snapshot> TieredEngine::snapshot() const {
  std::lock_guard<std::mutex> G(CompileLock);
  // A warm boot reads function bodies as they are first called: the records
  // need all of them.
  if (Error E = App.M->materializeAll())
    return std::move(E);
  Snapshot S;
  // Only objects that code runs from now (or that every boot needs) go on.
  std::vector<int> Saved(Objects.size(), -1);
  auto Keep = [&](int I) {
    if (Saved[I] < 0) {
      Saved[I] = static_cast<int>(S.Objects.size());
      S.Objects.push_back({Objects[I].Kind, Objects[I].Level,
                           Objects[I].Object->getBuffer().str()});
    }
    return Saved[I];
  };
  for (size_t I = 0; I < Objects.size(); ++I)
    if (Objects[I].Kind != ObjectKind::Unit)
      Keep(static_cast<int>(I));
  BootRecord B;
  B.Boot = Opts.Boot;
  B.RunMillis = millisSince(Started);
  B.RunCycles = AppCycles;
  B.CompileMillis = CompileMillis;
  B.Compilations = static_cast<uint32_t>(Compilations);
  B.LoadedFunctions = static_cast<uint32_t>(LoadedFunctions);
  for (size_t Id = 0; Id < App.Functions.size(); ++Id) {
    FunctionRecord R;
    R.Profile = Prof->record(static_cast<int>(Id));
    R.IrHash = StructuralHash(*App.Functions[Id], true);
    countInstructions(*App.Functions[Id], R);
    if (R.Profile.Current != Tier::Interp && Code[Id].Object >= 0) {
      R.Object = Keep(Code[Id].Object);
      R.Body = Code[Id].Body;
    } else {
      R.Profile.Current = Tier::Interp;
    }
    ++B.FunctionsPerTier[static_cast<int>(R.Profile.Current)];
    S.Functions.push_back(std::move(R));
  }
  for (const ObjectRecord &O : S.Objects)
    B.ObjectBytes += O.Bytes.size();
  S.PreparedApp = preparedApp();
  for (size_t Id = 0; Id < App.PrivateToCallers.size(); ++Id)
    if (App.PrivateToCallers[Id])
      S.PrivateToCallers.push_back(static_cast<uint32_t>(Id));
  recordConvergence(S.Functions, B);
  S.History.push_back(B);
  return S;
}

void TieredEngine::exitApp(int Status) {
  runAppExitHandlers();
  static bool Exiting = false;
  if (!Exiting) {
    Exiting = true;
    AppCycles = __rdtsc() - StartedTsc;
    finish();
    std::fflush(nullptr);
    compileForNextBoot();
    if (Opts.AtExit)
      Opts.AtExit(*this);
  }
  std::exit(Status);
}

Error TieredEngine::runMain(const std::vector<std::string> &Args) {
  collectDestructors();
  if (Error E = runConstructors())
    return E;
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
