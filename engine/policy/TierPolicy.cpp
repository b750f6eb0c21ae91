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

uint64_t TierPolicy::nextAfter(Tier T) const {
  switch (T) {
  case Tier::Interp:
    return Thresholds[0];
  case Tier::O0:
    return Thresholds[1];
  case Tier::O1:
    return Thresholds[2];
  case Tier::O2:
    return Thresholds[3];
  default:
    return UINT64_MAX;
  }
}

} // namespace gts
