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
  // that held at least HotShare of the cycles starts at O3.
  Adaptive,
};

class TierPolicy {
public:
  // Thresholds: call counts for O0, O1, O2, O3 (strictly increasing).
  explicit TierPolicy(std::array<uint64_t, 4> Thresholds,
                      PolicyKind Kind = PolicyKind::Adaptive)
      : Thresholds(Thresholds), Kind(Kind) {}
  // A hot function's cycles, as a share of the largest function's (cycles
  // are inclusive: main's are about the whole run).
  static constexpr double HotShare = 0.01;

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
  // The call count at which code of tier T climbs on (UINT64_MAX for the
  // top tiers).
  uint64_t nextAfter(Tier T) const;

  // At the start of a boot that resumes a profile: the tier each function
  // (by id) should be compiled at now (Interp: leave it as it is), from its
  // accumulated counts and the tier its code has.
  std::vector<Tier> atResume(const std::vector<FunctionProfile> &Fns) const;

  // The functions that hold at least HotShare of the cycles (ids).
  static std::vector<int> hotFunctions(const std::vector<uint64_t> &Cycles);

private:
  std::array<uint64_t, 4> Thresholds;
  PolicyKind Kind;
};

} // namespace gts
