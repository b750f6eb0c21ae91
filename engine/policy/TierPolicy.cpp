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

std::optional<TierPolicy::Step> TierPolicy::stepAt(uint64_t Calls,
                                                   double CallsPerMilli) const {
  std::optional<Step> S = stepAt(Calls);
  uint64_t Last = Thresholds.back();
  if (S && S->To < Tier::O3 && Kind == PolicyKind::Adaptive &&
      CallsPerMilli > 0 && (Last - Calls) / CallsPerMilli <= RushMillis)
    return Step{Tier::O3, UINT64_MAX};
  return S;
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

std::vector<int> TierPolicy::hotFunctions(const std::vector<uint64_t> &Cycles,
                                          uint64_t RunCycles, double Share) {
  std::vector<int> Hot;
  for (size_t Id = 0; Id < Cycles.size(); ++Id)
    if (RunCycles && static_cast<double>(Cycles[Id]) >= Share * RunCycles)
      Hot.push_back(static_cast<int>(Id));
  return Hot;
}

std::vector<Tier> TierPolicy::atResume(const std::vector<FunctionProfile> &Fns,
                                       uint64_t RunCycles) const {
  std::vector<Tier> Want(Fns.size(), Tier::Interp);
  std::vector<uint64_t> Cycles;
  // Counts of earlier boots that passed a threshold climb at once, as they
  // would have in the boot that counted them.
  for (size_t Id = 0; Id < Fns.size(); ++Id) {
    const FunctionProfile &F = Fns[Id];
    Cycles.push_back(estimatedCycles(F.Counters));
    if (std::optional<Step> S = stepAt(F.Counters.Calls);
        S && S->To > F.Current)
      Want[Id] = S->To;
  }
  if (Kind == PolicyKind::Adaptive)
    for (int Id : hotFunctions(Cycles, RunCycles, PromoteShare))
      if (Fns[Id].Current < Tier::O3)
        Want[Id] = Tier::O3;
  return Want;
}

} // namespace gts
