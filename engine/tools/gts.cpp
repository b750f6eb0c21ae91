// gts: the grow-to-shrink engine driver.
//
//   gts run APP.bc|APP.ll [options] [-- app arguments]
//   gts snapshot show FILE [--json]
//   gts report --state DIR [--state DIR...] [--plot OUT.svg]
//   gts export --state DIR [--state DIR...] [APP.bc] -o PROGRAM
//   gts export --state DIR [APP.bc] --image OUT.img [--args "..."]
//              [--file SRC[:DEST]]... [--boot-files DIR]
//
// Exit status: the app's own, or one of ExitCode below when gts cannot run it.
#include "../core/EarlyCompiles.h"
#include "../core/Engine.h"
#include "../export/Export.h"
#include "../ir/Prepare.h"
#include "../runtime/OutputClock.h"
#include "../runtime/Pretouch.h"
#include "../snapshot/Report.h"
#include "../snapshot/StateDir.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace llvm;
using namespace gts;

namespace {

// sysexits.h values, documented in README.
enum ExitCode {
  Usage = 64,       // bad command line
  DataErr = 65,     // malformed IR or bitcode, no main
  NoInput = 66,     // input file missing
  Unavailable = 69, // app needs symbols the engine does not provide
  Software = 70,    // JIT or compilation failure
  CantCreate = 73,  // cannot write the profile, the state folder or snapshot
};

cl::OptionCategory Cat("gts run options");
cl::SubCommand RunCmd("run", "Run an LLVM IR app in tiers");
cl::opt<std::string> Input(cl::Positional, cl::desc("<app.bc|app.ll>"),
                           cl::sub(RunCmd), cl::cat(Cat));
cl::list<std::string> AppArgs(cl::Positional, cl::desc("[-- app arguments]"),
                              cl::sub(RunCmd), cl::cat(Cat));
cl::opt<std::string>
    TierOpt("tier",
            cl::desc("Pin every function to one tier: "
                     "interp|O0|O1|O2|O3|Os|Oz (default: tiered)"),
            cl::sub(RunCmd), cl::cat(Cat));
cl::opt<std::string> Thresholds(
    "tier-thresholds",
    cl::desc("Call counts for O0,O1,O2,O3 (default 100,1000,10000,100000)"),
    cl::sub(RunCmd), cl::cat(Cat));
cl::opt<uint64_t> LoopThreshold(
    "loop-threshold",
    cl::desc("Back-edges after which an interpreted loop moves to O0 code "
             "(a tenth of them in one call do too), and 10 times as many "
             "there to O3 (default 10000)"),
    cl::init(10000), cl::sub(RunCmd), cl::cat(Cat));
cl::opt<std::string> PolicyOpt(
    "policy",
    cl::desc("adaptive (default: functions hot in earlier boots start at "
             "O3) or seed (call counts alone, accumulated across boots)"),
    cl::init("adaptive"), cl::sub(RunCmd), cl::cat(Cat));
cl::opt<bool> SyncCompile("sync-compile",
                          cl::desc("Compile on the app's thread, in place"),
                          cl::sub(RunCmd), cl::cat(Cat));
cl::opt<bool> Stats("stats",
                    cl::desc("Print the profile table on stderr at exit"),
                    cl::sub(RunCmd), cl::cat(Cat));
cl::opt<std::string> ProfileOut("profile-out",
                                cl::desc("Write the profile as JSON to FILE"),
                                cl::value_desc("FILE"), cl::sub(RunCmd),
                                cl::cat(Cat));
cl::opt<std::string> Cpu("cpu",
                         cl::desc("baseline (generic x86-64, default) or host "
                                  "(host features, multiply-adds unfused)"),
                         cl::init("baseline"), cl::sub(RunCmd), cl::cat(Cat));
cl::opt<bool> ProfileTopTier(
    "profile-top-tier",
    cl::desc("Count calls in O3/Os/Oz code too (costs time in hot code)"),
    cl::sub(RunCmd), cl::cat(Cat));
cl::opt<std::string> DumpObjects(
    "dump-objects",
    cl::desc("Write every compiled object file to DIR (for inspection)"),
    cl::value_desc("DIR"), cl::sub(RunCmd), cl::cat(Cat));
cl::opt<bool> TraceTiers(
    "trace-tiers",
    cl::desc("Print a line per tier change on stderr: when the code was "
             "asked for, waited, compiled and took over"),
    cl::sub(RunCmd), cl::cat(Cat));
cl::opt<std::string>
    State("state",
          cl::desc("Resume from the newest valid DIR/boot_NNNN.snap and save "
                   "this boot's snapshot there at exit"),
          cl::value_desc("DIR"), cl::sub(RunCmd), cl::cat(Cat));
cl::opt<std::string> ExportAtConvergence(
    "export-at-convergence",
    cl::desc("With --state: once a boot has converged, export the app to PATH "
             "and write CMDLINE.NEW beside it (the next boot's trial)"),
    cl::value_desc("PATH"), cl::sub(RunCmd), cl::cat(Cat));
cl::opt<std::string>
    RunRuntime("runtime",
               cl::desc("C library folder for --export-at-convergence"),
               cl::init(GTS_EXPORT_RUNTIME), cl::value_desc("DIR"),
               cl::sub(RunCmd), cl::cat(Cat));
cl::opt<unsigned> Keep("keep",
                       cl::desc("Snapshots kept in the state folder, the new "
                                "one included (default 3)"),
                       cl::init(3), cl::sub(RunCmd), cl::cat(Cat));

cl::SubCommand SnapshotCmd("snapshot", "Inspect snapshots");
cl::list<std::string> SnapshotArgs(cl::Positional, cl::desc("show FILE"),
                                   cl::sub(SnapshotCmd), cl::cat(Cat));
cl::opt<bool> SnapshotJson("json", cl::desc("Print JSON instead of a table"),
                           cl::sub(SnapshotCmd), cl::cat(Cat));

cl::SubCommand ReportCmd("report", "Convergence across boots");
cl::list<std::string> ReportStates("state",
                                   cl::desc("State folder (repeatable)"),
                                   cl::value_desc("DIR"), cl::sub(ReportCmd),
                                   cl::cat(Cat));
cl::opt<std::string> ReportPlot("plot",
                                cl::desc("Draw the boots as an SVG to FILE"),
                                cl::value_desc("FILE"), cl::sub(ReportCmd),
                                cl::cat(Cat));
cl::SubCommand ExportCmd("export",
                         "Build a static native program from the app and its "
                         "profile");
cl::opt<std::string> ExportApp(cl::Positional, cl::desc("<app.bc|app.ll>"),
                               cl::sub(ExportCmd), cl::cat(Cat));
cl::list<std::string>
    ExportStates("state",
                 cl::desc("State folder whose newest snapshot gives counts "
                          "(repeat: counts add up)"),
                 cl::value_desc("DIR"), cl::sub(ExportCmd), cl::cat(Cat));
cl::opt<std::string> ExportOut("o", cl::desc("The program to write"),
                               cl::value_desc("PROGRAM"), cl::sub(ExportCmd),
                               cl::cat(Cat));
cl::opt<std::string>
    ExportRuntime("runtime",
                  cl::desc("Folder with musl's crt1.o, crti.o, crtn.o, libc.a "
                           "and compiler-rt builtins"),
                  cl::init(GTS_EXPORT_RUNTIME), cl::value_desc("DIR"),
                  cl::sub(ExportCmd), cl::cat(Cat));
cl::opt<std::string> ExportImage("image",
                                 cl::desc("Also build a bootable disk image "
                                          "with only the program as /NATIVE"),
                                 cl::value_desc("OUT.img"), cl::sub(ExportCmd),
                                 cl::cat(Cat));
cl::opt<std::string> ImageArgs("args",
                               cl::desc("--image: the program's arguments, "
                                        "split like a shell"),
                               cl::sub(ExportCmd), cl::cat(Cat));
cl::list<std::string> ImageFiles("file",
                                 cl::desc("--image: a data file (repeatable)"),
                                 cl::value_desc("SRC[:DEST]"),
                                 cl::sub(ExportCmd), cl::cat(Cat));
cl::opt<std::string>
    BootFiles("boot-files",
              cl::desc("--image: folder with stage1.bin, stage2.bin, "
                       "kernel.bin and mkimage.py"),
              cl::init(GTS_BOOT_FILES), cl::value_desc("DIR"),
              cl::sub(ExportCmd), cl::cat(Cat));

// Set before the static constructors (startClock, from .preinit_array):
// the process's start as closely as gts sees it.
std::chrono::steady_clock::time_point ProcessStart;

// Where `gts run`'s start-up goes (--stats), in ms since ProcessStart.
struct {
  double Main = 0;    // gts's main: the static constructors are done
  double Loaded = 0;  // the app read (and prepared, on a cold start)
  double Created = 0; // the engine set up: the app's main runs next
} Startup;

// The compile thread of a cold tiered run, started before the app is read
// (the engine owns it; --stats reports its warm-up).
const EarlyCompiles *EarlyThread = nullptr;

double millisSince(std::chrono::steady_clock::time_point T) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - T)
      .count();
}

// No static destructors: the compile thread may be compiling (it starts
// before the app is read, startCompilingEarly).
[[noreturn]] void fail(int Code, const Twine &Msg) {
  errs() << "gts: error: " << Msg << "\n";
  outs().flush();
  std::fflush(nullptr);
  std::_Exit(Code);
}

std::array<uint64_t, 4> parseThresholds(StringRef S) {
  SmallVector<StringRef, 4> Parts;
  S.split(Parts, ',');
  std::array<uint64_t, 4> T{};
  if (Parts.size() != 4)
    fail(Usage, "--tier-thresholds needs 4 comma-separated counts");
  for (size_t I = 0; I < 4; ++I)
    if (Parts[I].trim().getAsInteger(10, T[I]) || T[I] == 0 ||
        (I && T[I] <= T[I - 1]))
      fail(Usage, "--tier-thresholds: '" + S +
                      "' is not 4 increasing positive counts");
  return T;
}

EngineOptions parseOptions() {
  EngineOptions O;
  if (!TierOpt.empty()) {
    std::optional<Tier> T = parseTier(TierOpt);
    if (!T)
      fail(Usage, "--tier: unknown tier '" + TierOpt + "'");
    O.Pinned = T;
  }
  if (!Thresholds.empty())
    O.Thresholds = parseThresholds(Thresholds);
  if (Cpu != "baseline" && Cpu != "host")
    fail(Usage, "--cpu: expected baseline or host, got '" + Cpu + "'");
  O.Cpu = Cpu == "host" ? CpuMode::Host : CpuMode::Baseline;
  if (LoopThreshold == 0)
    fail(Usage, "--loop-threshold must be positive");
  O.LoopThreshold = LoopThreshold;
  O.SyncCompile = SyncCompile;
  O.TraceTiers = TraceTiers;
  O.ProfileTopTier = ProfileTopTier;
  O.DumpObjects = DumpObjects;
  if (Keep == 0)
    fail(Usage, "--keep must be at least 1");
  if (PolicyOpt != "adaptive" && PolicyOpt != "seed")
    fail(Usage, "--policy: expected adaptive or seed, got '" + PolicyOpt + "'");
  O.Policy = PolicyOpt == "seed" ? PolicyKind::Seed : PolicyKind::Adaptive;
  return O;
}

// The options that change generated code or tier decisions, as text.
std::string codeOptions(const EngineOptions &O) {
  std::string S;
  raw_string_ostream OS(S);
  OS << "tier=" << (O.Pinned ? tierName(*O.Pinned) : StringRef("tiered"))
     << " thresholds=" << O.Thresholds[0] << "," << O.Thresholds[1] << ","
     << O.Thresholds[2] << "," << O.Thresholds[3]
     << " profile-top-tier=" << (O.ProfileTopTier ? 1 : 0);
  return S;
}

SnapshotConfig configFor(StringRef AppPath, const EngineOptions &O) {
  SnapshotConfig C;
  if (auto Buf = MemoryBuffer::getFile(AppPath, false, false))
    C.AppHash = xxh3_64bits(arrayRefFromStringRef((*Buf)->getBuffer()));
  C.BuildId = currentBuildId();
  C.LlvmVersion = LLVM_VERSION_STRING;
  C.Triple = sys::getProcessTriple();
  std::tie(C.Cpu, C.Features) = Compiler::cpuFor(O.Cpu);
  C.Options = codeOptions(O);
  return C;
}

int exitCodeFor(LoadErrorKind K) {
  switch (K) {
  case LoadErrorKind::NoInput:
    return NoInput;
  case LoadErrorKind::Unresolved:
  case LoadErrorKind::Unsupported:
    return Unavailable;
  default:
    return DataErr;
  }
}

int exitCodeFor(ExportErrorKind K) {
  switch (K) {
  case ExportErrorKind::NoProfile:
    return NoInput;
  case ExportErrorKind::Mismatch:
    return DataErr;
  case ExportErrorKind::NoRuntime:
    return Unavailable;
  case ExportErrorKind::CantCreate:
    return CantCreate;
  case ExportErrorKind::Link:
  case ExportErrorKind::Image:
    return Software;
  case ExportErrorKind::NoTool:
    return Unavailable;
  case ExportErrorKind::NoFile:
    return NoInput;
  }
  return Software;
}

// The documented exit code and the one-line message of Err.
std::pair<int, std::string> describe(Error Err) {
  int Code = Software;
  std::string Msg;
  handleAllErrors(
      std::move(Err),
      [&](const LoadError &L) {
        Code = exitCodeFor(L.Kind);
        Msg = L.Msg;
      },
      [&](const ExportError &X) {
        Code = exitCodeFor(X.Kind);
        Msg = X.Msg;
      },
      [&](const ErrorInfoBase &E) { Msg = E.message(); });
  return {Code, Msg};
}

[[noreturn]] void failWith(Error Err) {
  auto [Code, Msg] = describe(std::move(Err));
  fail(Code, Msg);
}

// Interpreted frames are larger than native ones: deep recursion that runs
// natively in 8 MB needs more. Linux grows the main stack up to the limit.
void raiseStackLimit() {
  rlimit L;
  if (getrlimit(RLIMIT_STACK, &L) != 0)
    return;
  rlim_t Want = rlim_t(1) << 30;
  if (L.rlim_cur != RLIM_INFINITY && L.rlim_cur < Want) {
    L.rlim_cur =
        L.rlim_max == RLIM_INFINITY ? Want : std::min(Want, L.rlim_max);
    setrlimit(RLIMIT_STACK, &L);
  }
}

// Memory as the engine sees it at exit: what malloc holds, the peak resident
// size if the system reports one.
void printMemory(const RunSummary &S) {
  struct mallinfo2 MI = mallinfo2();
  errs() << "gts: " << S.Compilations << " compilations, "
         << S.ObjectBytes / 1024 << " KiB of object code kept; heap "
         << (MI.uordblks + MI.hblkhd) / 1024 << " KiB in use";
  rusage RU;
  if (getrusage(RUSAGE_SELF, &RU) == 0 && RU.ru_maxrss > 0)
    errs() << "; peak resident " << RU.ru_maxrss << " KiB";
  errs() << "\n";
}

void printStartup() {
  double First = outputTimes().FirstMillis;
  errs() << format("gts: start-up: %.1f ms to gts's main (static "
                   "constructors), %.1f ms reading the app, %.1f ms setting "
                   "up the engine; ",
                   Startup.Main, Startup.Loaded - Startup.Main,
                   Startup.Created - Startup.Loaded);
  if (First < 0)
    errs() << "no output on stdout\n";
  else
    errs() << format("first output at %.1f ms\n", First);
  if (auto Warmed = EarlyThread ? EarlyThread->warmedAt() : std::nullopt)
    errs() << format(
        "gts: compile thread: started before reading the app, "
        "warmed up at %.1f ms\n",
        std::chrono::duration<double, std::milli>(*Warmed - ProcessStart)
            .count());
}

// The boot being run with --state.
struct Boot {
  std::optional<StateDir> Dir;
  SnapshotConfig Config;
  uint32_t Number = 0;
  std::vector<BootRecord> History; // of the snapshot resumed
  uint64_t ResumedBytes = 0;       // its file's size
} ThisBoot;

uint64_t fileBytes(const Twine &Path) {
  uint64_t Size = 0;
  return sys::fs::file_size(Path, Size) ? 0 : Size;
}

const char *ProgramPath = ""; // argv[0]

// What this boot read to start: the engine's executable, the app and the
// snapshot resumed from (the app's own files are the app's business). Our
// kernel has no /proc/self/exe: there the executable is found from argv[0].
uint64_t bytesLoaded() {
  std::string Exe = sys::fs::getMainExecutable(
      ProgramPath, reinterpret_cast<void *>(&bytesLoaded));
  return fileBytes(Exe) + fileBytes(Input) + ThisBoot.ResumedBytes;
}

std::string tierCounts(const std::array<uint32_t, NumTiers> &PerTier) {
  std::string S;
  for (size_t T = 0; T < PerTier.size(); ++T)
    if (PerTier[T])
      S += (S.empty() ? "" : ", ") + tierName(static_cast<Tier>(T)).str() +
           " " + std::to_string(PerTier[T]);
  return S;
}

// Saves this boot's snapshot; whether the system has converged.
bool saveSnapshot(const Engine &E) {
  auto Taken = E.snapshot();
  if (!Taken) {
    errs() << "gts: error: snapshot not saved: " << toString(Taken.takeError())
           << "\n";
    std::_Exit(CantCreate);
  }
  Snapshot &S = *Taken;
  S.Boot = ThisBoot.Number;
  S.Config = ThisBoot.Config;
  S.History.back().RunMillis = millisSince(ProcessStart);
  S.History.insert(S.History.begin(), ThisBoot.History.begin(),
                   ThisBoot.History.end());
  BootRecord &B = S.History.back();
  B.LoadedBytes = bytesLoaded();
  B.FirstOutputMillis = outputTimes().FirstMillis;
  B.OutputPerSecond = outputTimes().ratePerSecond();
  // The seed's ratio, held: the hot set is the one the boot before found,
  // or that boot had its ratio already (a function that turns hot later,
  // near the 1% line, does not undo convergence while the ratio holds).
  const BootRecord *Before =
      S.History.size() > 1 ? &S.History.end()[-2] : nullptr;
  B.Converged = Before && B.ratio() > 0.95 &&
                (Before->HotSetHash == B.HotSetHash || Before->ratio() > 0.95);
  if (Error E = ThisBoot.Dir->keepApp(Input, S.Config.AppHash)) {
    errs() << "gts: error: app not kept in the state folder: "
           << toString(std::move(E)) << "\n";
    std::_Exit(CantCreate);
  }
  auto Saved = ThisBoot.Dir->save(S, Keep);
  if (!Saved) {
    errs() << "gts: error: snapshot not saved: " << toString(Saved.takeError())
           << "\n";
    std::_Exit(CantCreate);
  }
  errs() << "gts: boot " << S.Boot << ": saved " << Saved->first << " ("
         << (Saved->second + 1023) / 1024 << " KiB; "
         << tierCounts(B.FunctionsPerTier) << ")\n"
         << "gts: boot " << S.Boot << ": " << S.Functions.size()
         << " functions, " << B.Hot << " hot, " << B.HotAtFinalTier
         << " of them at their final tier (ratio " << format("%.2f", B.ratio())
         << "), " << (B.ObjectBytes + 1023) / 1024 << " KiB of code; "
         << (B.Converged ? "converged" : "not converged") << "\n";
  return B.Converged;
}

// After a converged boot: the native program and the next boot's trial
// configuration (docs/EXPORT.md). A failure ends gts like a failed save.
void exportAtConvergence() {
  if (std::optional<std::string> Why = pendingTrial(ExportAtConvergence)) {
    errs() << "gts: not exporting: " << *Why << "\n";
    return;
  }
  // Copies: LLD resets every command-line option when it links.
  ExportOptions O{Input, {State}, ExportAtConvergence, RunRuntime};
  std::vector<std::string> Args(AppArgs.begin(), AppArgs.end());
  auto S = exportForNextBoot(O, Args);
  if (!S) {
    auto [Code, Msg] = describe(S.takeError());
    errs() << "gts: error: export at convergence: " << Msg << "\n";
    std::_Exit(Code);
  }
  SmallString<256> New(O.Output);
  sys::path::remove_filename(New);
  sys::path::append(New, TrialCmdline);
  errs() << "gts: exported " << O.Output << " ("
         << (S->ProgramBytes + 1023) / 1024 << " KiB) for the next boot\n"
         << "gts: wrote " << New << ": " << O.Output
         << (Args.empty() ? "" : " ") << join(Args, " ") << "\n";
}

// Runs when the app ends, with the final profile.
void report(const Engine &E) {
  if (Stats) {
    E.profile().printTable(errs());
    printMemory(E.summary());
    printStartup();
  }
  if (!ProfileOut.empty())
    if (Error Err = E.profile().writeJson(ProfileOut)) {
      errs() << "gts: error: " << toString(std::move(Err)) << "\n";
      std::_Exit(CantCreate);
    }
  if (ThisBoot.Dir && saveSnapshot(E) && !ExportAtConvergence.empty())
    exportAtConvergence();
}

std::array<uint32_t, NumTiers> tiersOf(const Snapshot &S) {
  std::array<uint32_t, NumTiers> PerTier{};
  for (const FunctionRecord &F : S.Functions)
    ++PerTier[static_cast<int>(F.Profile.Current)];
  return PerTier;
}

// Reading and preparing the app, then the interpreter's and the JIT's
// set-up, fill about 3 MiB of fresh heap before the app's first line:
// reserved at start, and mapped by the early compile thread while this one
// reads the app, or else here (mapAppHeap).
HeapRange AppHeap;

void mapAppHeap() {
  populateHeap(AppHeap);
  AppHeap = {};
}

void startCompilingEarly(EngineOptions &Opts) {
  if (Opts.Pinned || Opts.SyncCompile || Opts.Early)
    return;
  Opts.Early = startEarlyCompiles(Opts.Cpu, AppHeap);
  EarlyThread = Opts.Early.get();
  if (Opts.Early)
    AppHeap = {};
}

PreparedModule loadApp(const EngineOptions &Opts) {
  auto App = loadAndPrepare(Input, Engine::usesInterpreter(Opts),
                            /*OutlineLoops=*/!Opts.Pinned);
  if (!App)
    failWith(App.takeError());
  return std::move(*App);
}

// Creates the engine from the newest snapshot that works, else cold. A
// snapshot the engine refuses (records that do not match the app, objects
// that do not link) is skipped like one that does not read.
std::unique_ptr<Engine> startFromState(EngineOptions Opts) {
  // Reading a snapshot fills the heap too.
  mapAppHeap();
  auto Dir = StateDir::open(State);
  if (!Dir)
    fail(CantCreate, toString(Dir.takeError()));
  ThisBoot.Dir = std::move(*Dir);
  ThisBoot.Config = configFor(Input, Opts);
  ThisBoot.Number = ThisBoot.Dir->nextBoot();
  Opts.Boot = ThisBoot.Number;
  while (true) {
    auto ReadStart = std::chrono::steady_clock::now();
    std::optional<StateDir::Loaded> L =
        ThisBoot.Dir->nextValid(&ThisBoot.Config, errs());
    double ReadMillis = millisSince(ReadStart);
    auto Start = std::chrono::steady_clock::now();
    if (!L)
      startCompilingEarly(Opts);
    // A valid snapshot matched the app's bytes (its hash) and this build:
    // the app it prepared is this one's.
    Expected<PreparedModule> App =
        L && !L->S.PreparedApp.empty()
            ? loadPrepared(
                  MemoryBuffer::getMemBufferCopy(L->S.PreparedApp, Input),
                  L->S.PrivateToCallers)
            : loadApp(Opts);
    if (!App) {
      StateDir::skip(L->Path, "its app: " + toString(App.takeError()), errs());
      continue;
    }
    Opts.Resume = L ? &L->S : nullptr;
    Startup.Loaded = millisSince(ProcessStart);
    auto E = Engine::create(std::move(*App), Opts);
    Startup.Created = millisSince(ProcessStart);
    if (E && L) {
      ThisBoot.History = L->S.History;
      ThisBoot.ResumedBytes = fileBytes(L->Path);
      errs() << "gts: boot " << ThisBoot.Number << ": resumed from " << L->Path
             << " (" << tierCounts(tiersOf(L->S)) << "; "
             << format("%.1f", ReadMillis + millisSince(Start)) << " ms)\n";
    }
    if (E && !L)
      errs() << "gts: boot " << ThisBoot.Number
             << ": no snapshot, cold start\n";
    if (E)
      return std::move(*E);
    if (!L)
      failWith(E.takeError());
    StateDir::skip(L->Path, toString(E.takeError()), errs());
  }
}

int showSnapshot() {
  if (SnapshotArgs.size() != 2 || SnapshotArgs[0] != "show")
    fail(Usage, "usage: gts snapshot show FILE [--json]");
  const std::string &Path = SnapshotArgs[1];
  auto Buf = MemoryBuffer::getFile(Path, false, false);
  if (!Buf)
    fail(NoInput, Path + ": " + Buf.getError().message());
  auto S = readSnapshot((*Buf)->getMemBufferRef());
  if (!S)
    fail(DataErr, Path + ": " + toString(S.takeError()));
  if (SnapshotJson)
    printSnapshotJson(*S, outs());
  else
    printSnapshot(*S, outs());
  return 0;
}

// gts export --image: the program next to the image unless -o names it.
std::string programForImage() {
  if (!ExportOut.empty())
    return ExportOut;
  SmallString<256> P;
  int Fd;
  if (std::error_code EC =
          sys::fs::createUniqueFile(ExportImage + "-%%%%%%.native", Fd, P))
    fail(CantCreate,
         ExportImage + ": cannot create a file beside it: " + EC.message());
  ::close(Fd);
  return std::string(P);
}

void printImage(const ImageOptions &I, const ImageSummary &S) {
  errs() << "gts: image " << I.Output << ": payload " << S.payload()
         << " bytes (stage 1 " << S.Stage1 << ", stage 2 " << S.Stage2
         << ", kernel " << S.Kernel << ", program " << S.Program
         << "), data files " << S.Files << " bytes\n";
}

int exportApp() {
  if (ExportStates.empty() || (ExportOut.empty() && ExportImage.empty()))
    fail(Usage, "usage: gts export --state DIR [--state DIR...] [APP.bc] "
                "(-o PROGRAM | --image OUT.img)");
  // Without APP, the copy the first state folder keeps.
  std::string App = ExportApp;
  if (App.empty()) {
    std::optional<std::string> Kept = StateDir::keptApp(ExportStates[0]);
    if (!Kept)
      fail(NoInput, ExportStates[0] + ": no app kept there (give APP.bc)");
    App = *Kept;
  }
  // Copies: LLD resets every command-line option when it links.
  ImageOptions I{
      "", ExportImage, BootFiles, ImageArgs,
      std::vector<std::string>(ImageFiles.begin(), ImageFiles.end())};
  if (!I.Output.empty())
    if (Error E = checkImageInputs(I))
      failWith(std::move(E));
  ExportOptions O{App, ExportStates,
                  I.Output.empty() ? std::string(ExportOut) : programForImage(),
                  ExportRuntime};
  bool KeepProgram = I.Output.empty() || !ExportOut.empty();
  auto S = exportProgram(O);
  if (!S) {
    if (!KeepProgram)
      sys::fs::remove(O.Output);
    failWith(S.takeError());
  }
  // A program made only for the image is named as it will be there.
  std::string Shown =
      KeepProgram ? O.Output : I.Output + ":" + NativeProgramPath;
  errs() << "gts: exported " << Shown << " (" << S->ProgramBytes
         << " bytes; functions: " << S->Hot << " hot at O3, " << S->Cold
         << " cold at Os, " << S->Never << " never run at Oz; "
         << S->JammedNests << " loop nests jammed behind a guard; profile: "
         << join(S->Snapshots, ", ") << ")\n";
  if (I.Output.empty())
    return 0;
  I.Program = O.Output;
  auto Image = buildImage(I);
  if (!KeepProgram)
    sys::fs::remove(O.Output);
  if (!Image)
    failWith(Image.takeError());
  printImage(I, *Image);
  return 0;
}

} // namespace

int reportBoots() {
  if (ReportStates.empty())
    fail(Usage, "usage: gts report --state DIR [--state DIR...] "
                "[--plot OUT.svg]");
  std::vector<std::string> Dirs;
  std::vector<std::vector<BootRecord>> Histories;
  std::vector<Snapshot> Newest;
  for (const std::string &Path : ReportStates) {
    if (!sys::fs::is_directory(Path))
      fail(NoInput, Path + ": no such state folder");
    auto Dir = StateDir::open(Path);
    if (!Dir)
      fail(NoInput, toString(Dir.takeError()));
    std::optional<StateDir::Loaded> L = Dir->nextValid(nullptr, errs());
    if (!L)
      fail(NoInput, Path + ": no valid snapshot");
    printReport(Path, L->S.History, outs());
    Dirs.push_back(Path);
    Histories.push_back(L->S.History);
    Newest.push_back(std::move(L->S));
  }
  std::vector<const Snapshot *> All;
  for (const Snapshot &S : Newest)
    All.push_back(&S);
  printDeadCode(All, outs());
  if (!ReportPlot.empty()) {
    std::error_code EC;
    raw_fd_ostream OS(ReportPlot, EC);
    if (EC)
      fail(CantCreate, "cannot write " + ReportPlot + ": " + EC.message());
    writeReportPlot(Dirs, Histories, OS);
  }
  return 0;
}

// Before the static constructors (LLVM's some 2,000 cl::opt objects), which
// would fault the statics in page by page.
void startClock() {
  ProcessStart = std::chrono::steady_clock::now();
  pretouchStatics();
}
[[gnu::section(".preinit_array"),
  gnu::used]] static void (*const StartFirst)() = startClock;

int main(int argc, char **argv) {
  Startup.Main = millisSince(ProcessStart);
  InitLLVM X(argc, argv);
  ProgramPath = argv[0];
  cl::HideUnrelatedOptions(Cat);
  std::string Errors;
  raw_string_ostream ErrOS(Errors);
  if (!cl::ParseCommandLineOptions(argc, argv, "gts: grow-to-shrink engine\n",
                                   &ErrOS))
    fail(Usage, StringRef(ErrOS.str()).trim().split('\n').first.trim());
  if (SnapshotCmd)
    return showSnapshot();
  if (ReportCmd)
    return reportBoots();
  if (ExportCmd)
    return exportApp();
  if (!RunCmd)
    fail(Usage, "usage: gts run APP.bc|APP.ll [options] [-- app arguments] "
                "| gts snapshot show FILE [--json] | gts report --state DIR "
                "| gts export ...");
  if (Input.empty())
    fail(Usage, "gts run: no app given");
  if (!ExportAtConvergence.empty() && State.empty())
    fail(Usage, "--export-at-convergence needs --state");
  EngineOptions Opts = parseOptions();
  Opts.AtExit = report;
  // Mid-run, with a compile perhaps in progress: no static destructors.
  Opts.OnFatal = [](Error Err) {
    auto [Code, Msg] = describe(std::move(Err));
    errs() << "gts: error: " << Msg << "\n";
    std::fflush(nullptr);
    std::_Exit(Code);
  };
  raiseStackLimit();
  AppHeap = reserveHeap(4);

  std::unique_ptr<Engine> E;
  if (State.empty()) {
    startCompilingEarly(Opts);
    mapAppHeap();
    PreparedModule App = loadApp(Opts);
    Startup.Loaded = millisSince(ProcessStart);
    auto Created = Engine::create(std::move(App), Opts);
    Startup.Created = millisSince(ProcessStart);
    if (!Created)
      failWith(Created.takeError());
    E = std::move(*Created);
  } else {
    E = startFromState(Opts);
  }
  std::vector<std::string> Args{Input};
  Args.insert(Args.end(), AppArgs.begin(), AppArgs.end());
  // Returns only if the app could not start; the engine stays alive until
  // the process exits.
  Engine *Running = E.release();
  watchStdout(ProcessStart);
  failWith(Running->runMain(Args));
}
