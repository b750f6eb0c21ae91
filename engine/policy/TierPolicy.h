// When a function climbs to which tier.
#pragma once

#include "../profile/FunctionProfile.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace gts {

// How earlier boots' profiles steer this boot (--policy).
enum class PolicyKind {
  // The seed's rule: call counts alone, accumulated across boots.
  Seed,
  // Call counts within a boot, and what earlier boots measured: a function
  // that held at least HotShare of their cycles starts at O3.
  Adaptive,
};

class TierPolicy {
public:
  // Thresholds: call counts for O0, O1, O2, O3 (strictly increasing).
  explicit TierPolicy(std::array<uint64_t, 4> Thresholds,
                      PolicyKind Kind = PolicyKind::Adaptive)
      : Thresholds(Thresholds), Kind(Kind) {}
  // A hot function's cycles (inclusive), as a share of the whole runs of
  // the same boots. Not of the largest function's, as it was: top-tier code
  // does not count, so main's cycles stopped at O3 while interpreted ones
  // kept growing, and against that frozen maximum every function that ran
  // each boot became "hot" after enough boots (the hot set never settled).
  static constexpr double HotShare = 0.01;
  // At resume the adaptive policy compiles at the top tier what reaches half
  // of that: a function whose share hovers about HotShare from boot to boot
  // is at its final tier before a boot counts it hot, so a converged system
  // stays converged (with one threshold such a function left the hot set
  // and came back, and the boot that counted it hot was not converged).
  static constexpr double PromoteShare = HotShare / 2;

  // The call count at which a function that starts in the interpreter is
  // first compiled.
  uint64_t first() const { return Thresholds[0]; }

  struct Step {
    Tier To;
    uint64_t NextAt; // UINT64_MAX after the last tier.
  };
  // The highest tier whose threshold Calls has reached, and the threshold of
  // the tier after it; none below the first threshold.
  std::optional<Step> stepAt(uint64_t Calls) const;
  // The same for code that compiles in the background under the adaptive
  // policy, given the function's call rate since it first got hot: if at
  // that rate its calls reach the last threshold within RushMillis, it goes
  // to the last tier at once. A tier in between would serve it for less
  // than a climb takes in a cold start's busy compile queue (waiting plus
  // compiling, 2-10 ms each), and its compile would hold up others: in
  // TinyLlama's start-up the sort's comparison function went O0, O2, O3
  // within 6 ms. The seed policy keeps to the counts.
  static constexpr double RushMillis = 20;
  std::optional<Step> stepAt(uint64_t Calls, double CallsPerMilli) const;
  // The call count at which code of tier T climbs on (UINT64_MAX for the
  // top tiers).
  uint64_t nextAfter(Tier T) const;

  // At the start of a boot that resumes a profile: the tier each function
  // (by id) should be compiled at now (Interp: leave it as it is), from its
  // accumulated counts and the tier its code has. RunCycles: the cycles of
  // the boots those counts span.
  std::vector<Tier> atResume(const std::vector<FunctionProfile> &Fns,
                             uint64_t RunCycles) const;

  // In a boot that resumed a profile, with the app's own thread compiling:
  // whether a call-count climb of code that is already compiled waits for
  // the end of the run (compiled then, for the next boot). The adaptive
  // policy has put earlier boots' hot set at O3 already, so such a climb is
  // of a function that was cold; compiling it in place would stop the app
  // for code that cannot pay back in this boot (under TCG, 0.7 s before
  // boot 2's first token). Interpreted code still compiles in place.
  bool defersInPlaceClimb(Tier From) const {
    return Kind == PolicyKind::Adaptive && From != Tier::Interp;
  }

  // With the compile thread: whether a trivial leaf (jit/TierUnit.h) that
  // only interpreted code has called waits for a native caller before its
  // first compile (TieredEngine::onlyInterpretedCallers). The seed policy
  // keeps to the counts.
  bool leafWaitsForNativeCaller() const { return Kind == PolicyKind::Adaptive; }

  // The functions (ids) whose Cycles reach Share of RunCycles.
  static std::vector<int> hotFunctions(const std::vector<uint64_t> &Cycles,
                                       uint64_t RunCycles,
                                       double Share = HotShare);

private:
  std::array<uint64_t, 4> Thresholds;
  PolicyKind Kind;
};

} // namespace gts
