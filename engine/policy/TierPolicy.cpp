#include "TierPolicy.h"

namespace gts {

std::optional<TierPolicy::Step> TierPolicy::stepAt(uint64_t Calls) const {
  static constexpr Tier Ladder[] = {Tier::O0, Tier::O1, Tier::O2, Tier::O3};
  for (size_t I = Thresholds.size(); I-- > 0;)
    if (Calls >= Thresholds[I])
      return Step{Ladder[I],
                  I + 1 < Thresholds.size() ? Thresholds[I + 1] : UINT64_MAX};
  return std::nullopt;
}

} // namespace gts
