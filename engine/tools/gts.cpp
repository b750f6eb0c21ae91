// gts: the grow-to-shrink engine driver.
//
//   gts run APP.bc|APP.ll [options] [-- app arguments]
//
// Exit status: the app's own, or one of ExitCode below when gts cannot run it.
#include "../core/Engine.h"
#include "../ir/Prepare.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

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
  CantCreate = 73,  // cannot write the profile
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
    cl::desc("Back-edges after which an interpreted loop moves to O3 code "
             "(default 10000)"),
    cl::init(10000), cl::sub(RunCmd), cl::cat(Cat));
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
cl::opt<bool> TraceTiers("trace-tiers",
                         cl::desc("Print a line per tier change on stderr"),
                         cl::sub(RunCmd), cl::cat(Cat));

[[noreturn]] void fail(int Code, const Twine &Msg) {
  errs() << "gts: error: " << Msg << "\n";
  std::exit(Code);
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
  return O;
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

[[noreturn]] void failWith(Error Err) {
  int Code = Software;
  std::string Msg;
  handleAllErrors(
      std::move(Err),
      [&](const LoadError &L) {
        Code = exitCodeFor(L.Kind);
        Msg = L.Msg;
      },
      [&](const ErrorInfoBase &E) { Msg = E.message(); });
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

// Runs when the app ends, with the final profile.
void report(const Profile &P, const RunSummary &S) {
  if (Stats) {
    P.printTable(errs());
    printMemory(S);
  }
  if (!ProfileOut.empty())
    if (Error E = P.writeJson(ProfileOut)) {
      errs() << "gts: error: " << toString(std::move(E)) << "\n";
      std::_Exit(CantCreate);
    }
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  std::string Errors;
  raw_string_ostream ErrOS(Errors);
  if (!cl::ParseCommandLineOptions(argc, argv, "gts: grow-to-shrink engine\n",
                                   &ErrOS))
    fail(Usage, StringRef(ErrOS.str()).trim().split('\n').first.trim());
  if (!RunCmd)
    fail(Usage, "usage: gts run APP.bc|APP.ll [options] [-- app arguments]");
  if (Input.empty())
    fail(Usage, "gts run: no app given");
  EngineOptions Opts = parseOptions();
  Opts.AtExit = report;
  raiseStackLimit();

  auto App = loadAndPrepare(Input, Engine::usesInterpreter(Opts),
                            /*OutlineLoops=*/!Opts.Pinned);
  if (!App)
    failWith(App.takeError());
  auto E = Engine::create(std::move(*App), Opts);
  if (!E)
    failWith(E.takeError());
  std::vector<std::string> Args{Input};
  Args.insert(Args.end(), AppArgs.begin(), AppArgs.end());
  // Returns only if the app could not start; the engine stays alive until
  // the process exits.
  Engine *Running = E->release();
  failWith(Running->runMain(Args));
}
