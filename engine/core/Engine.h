// The engine: runs a prepared app in tiers and profiles it.
#pragma once

#include "../ir/Prepare.h"
#include "../jit/Compiler.h"
#include "../policy/TierPolicy.h"
#include "../profile/Profile.h"
#include "../runtime/Pretouch.h"
#include "../snapshot/Snapshot.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gts {

// What the engine compiled and holds, for the report at exit.
struct RunSummary {
  size_t Compilations = 0;    // Tier units (and entry modules) compiled.
  size_t ObjectBytes = 0;     // Relocatable object code linked (kept).
  double CompileMillis = 0;   // Spent compiling, on every thread.
  size_t LoadedFunctions = 0; // Functions whose code came from a snapshot.
};

class Engine;
class EarlyCompiles;

// Starts the compile thread before the app is read: while the app's thread
// reads and prepares the app, it maps AppHeap (the app thread's reserved
// heap, runtime/Pretouch.h), makes the compiler and warms it up (its heap,
// the code generator's set-up and code pages), which the first compiles of
// a cold run would otherwise wait for. Engine::create takes it over
// (EngineOptions::Early). Null when no thread can be started (AppHeap is
// then not mapped).
std::shared_ptr<EarlyCompiles> startEarlyCompiles(CpuMode Cpu,
                                                  HeapRange AppHeap);

struct EngineOptions {
  // Run every function in this tier only (no tier-ups); unset: tiered, every
  // function starting in the interpreter.
  std::optional<Tier> Pinned;
  // Back-edges after which an outlined loop running in the interpreter is
  // compiled at O0 and its activation moves there; ten times as many in
  // code below O3 take it to O3 the same way.
  uint64_t LoopThreshold = 10000;
  // Call counts at which a function is compiled at O0, O1, O2 and O3.
  std::array<uint64_t, 4> Thresholds = {100, 1000, 10000, 100000};
  // How a resumed profile steers this boot (policy/TierPolicy.h).
  PolicyKind Policy = PolicyKind::Adaptive;
  // Compile on the app's thread, in place (deterministic).
  bool SyncCompile = false;
  CpuMode Cpu = CpuMode::Baseline;
  // A compile thread started before the app was read, for this Cpu: a
  // tiered run that compiles in the background takes it and its compiler.
  std::shared_ptr<EarlyCompiles> Early;
  // Keep counting calls in the top tiers (O3, Os, Oz), which by default
  // carry no instrumentation.
  bool ProfileTopTier = false;
  // Print one line per tier change on stderr, with when the code was asked
  // for, how long it waited and compiled, and when it took over.
  bool TraceTiers = false;
  // Write each compiled object to this folder (unit<N>.o), for inspection.
  std::string DumpObjects;
  // The boot this run is (with --state; 0 without): names tier changes and
  // makes symbols of new code unique next to saved code.
  uint32_t Boot = 0;
  // What earlier boots learned: counts continue from it, saved code is
  // linked instead of compiled. Must come from a run of the same app with
  // the same options (StateDir checks); create() checks every record
  // against the app. Only read during create().
  const Snapshot *Resume = nullptr;
  // Runs once when the app ends (main returns or the app calls exit), after
  // background compilation has stopped: the profile is final by then.
  std::function<void(const Engine &)> AtExit;
  // Ends the process when the app cannot go on, after it started: a
  // function the interpreter cannot run, pinned to it (reached at its first
  // call), or one whose code does not compile. Must not return.
  std::function<void(llvm::Error)> OnFatal = [](llvm::Error E) {
    llvm::errs() << "gts: error: " << llvm::toString(std::move(E)) << "\n";
    std::_Exit(70);
  };
};

class Engine {
public:
  // App must have been prepared for the interpreter unless Opts pins a JIT
  // tier (usesInterpreter).
  static llvm::Expected<std::unique_ptr<Engine>> create(PreparedModule App,
                                                        EngineOptions Opts);
  static bool usesInterpreter(const EngineOptions &Opts) {
    return !Opts.Pinned || *Opts.Pinned == Tier::Interp;
  }
  virtual ~Engine() = default;

  // Runs the app's constructors and main(argc, argv), then AtExit, and exits
  // the process with main's status. Errors come back before the app runs.
  virtual llvm::Error runMain(const std::vector<std::string> &Args) = 0;
  virtual const Profile &profile() const = 0;
  virtual RunSummary summary() const = 0;
  // What this run learned, for the next boot: every function's record and
  // the object code it runs now, the data and entry objects, and this boot
  // in History. The caller adds Boot, Config and earlier History. An Error
  // if a function body the boot had not read does not read now.
  virtual llvm::Expected<Snapshot> snapshot() const = 0;
};

} // namespace gts
