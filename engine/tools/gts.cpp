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
    if (*T == Tier::Interp)
      fail(Usage, "--tier=interp: the interpreter is not part of this build");
    O.Pinned = T;
  }
  if (!Thresholds.empty())
    O.Thresholds = parseThresholds(Thresholds);
  if (Cpu != "baseline" && Cpu != "host")
    fail(Usage, "--cpu: expected baseline or host, got '" + Cpu + "'");
  O.Cpu = Cpu == "host" ? CpuMode::Host : CpuMode::Baseline;
  O.SyncCompile = SyncCompile;
  O.TraceTiers = TraceTiers;
  O.ProfileTopTier = ProfileTopTier;
  return O;
}

int exitCodeFor(LoadErrorKind K) {
  switch (K) {
  case LoadErrorKind::NoInput:
    return NoInput;
  case LoadErrorKind::Unresolved:
    return Unavailable;
  default:
    return DataErr;
  }
}

Engine *Running = nullptr;

// Runs when the app returns from main or calls exit().
void report() {
  Running->finish();
  std::fflush(nullptr);
  if (Stats)
    Running->profile().printTable(errs());
  if (!ProfileOut.empty())
    if (Error E = Running->profile().writeJson(ProfileOut)) {
      errs() << "gts: error: " << toString(std::move(E)) << "\n";
      _exit(CantCreate);
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

  auto App = loadAndPrepare(Input);
  if (!App) {
    int Code = Software;
    std::string Msg;
    handleAllErrors(
        App.takeError(),
        [&](const LoadError &L) {
          Code = exitCodeFor(L.Kind);
          Msg = L.Msg;
        },
        [&](const ErrorInfoBase &E) { Msg = E.message(); });
    fail(Code, Msg);
  }
  auto E = Engine::create(std::move(*App), Opts);
  if (!E)
    fail(Software, toString(E.takeError()));
  Running = E->release();
  std::atexit(report);

  std::vector<std::string> Args{Input};
  Args.insert(Args.end(), AppArgs.begin(), AppArgs.end());
  auto Status = Running->runMain(Args);
  if (!Status)
    fail(Software, toString(Status.takeError()));
  std::exit(*Status);
}
