// When a function climbs to which tier.
#pragma once

#include "../profile/Profile.h"

#include <array>
#include <cstdint>
#include <optional>

namespace gts {

class TierPolicy {
public:
  // Thresholds: call counts for O0, O1, O2, O3 (strictly increasing).
  explicit TierPolicy(std::array<uint64_t, 4> Thresholds)
      : Thresholds(Thresholds) {}

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

private:
  std::array<uint64_t, 4> Thresholds;
};

} // namespace gts
