// The engine: runs a prepared app in tiers and profiles it.
#pragma once

#include "../ir/Prepare.h"
#include "../jit/Compiler.h"
#include "../profile/Profile.h"

#include "llvm/Support/Error.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gts {

struct EngineOptions {
  // Run every function in this tier only (no tier-ups); unset: tiered.
  std::optional<Tier> Pinned;
  // Call counts at which a function is compiled at O0, O1, O2 and O3.
  std::array<uint64_t, 4> Thresholds = {100, 1000, 10000, 100000};
  // Compile on the app's thread, in place (deterministic).
  bool SyncCompile = false;
  CpuMode Cpu = CpuMode::Baseline;
  // Keep counting calls in the top tiers (O3, Os, Oz), which by default
  // carry no instrumentation.
  bool ProfileTopTier = false;
  // Print one line per tier change on stderr.
  bool TraceTiers = false;
};

class Engine {
public:
  static llvm::Expected<std::unique_ptr<Engine>> create(PreparedModule App,
                                                        EngineOptions Opts);
  virtual ~Engine() = default;

  // Runs the app's constructors and main(argc, argv); returns its status.
  virtual llvm::Expected<int> runMain(const std::vector<std::string> &Args) = 0;
  // Stops background compilation; the profile is final afterwards.
  virtual void finish() = 0;
  virtual const Profile &profile() const = 0;
};

} // namespace gts
