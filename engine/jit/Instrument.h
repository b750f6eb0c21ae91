// Profiling instrumentation that JIT tiers compile into each function body.
#pragma once

#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"

namespace gts {

struct InstrumentOptions {
  // No instrumentation at all (the top tiers, unless asked otherwise).
  bool None = false;
  // Time one call in SamplePeriod (a power of two); 1 times every call,
  // 0 times none.
  unsigned SamplePeriod = 1;
  // Whether reaching FunctionCounters::NextTierAt calls the tier-up hook.
  bool TierUpCheck = true;
};

// Adds to F's entry: ++Calls, tier-up check Calls >= NextTierAt (calls
// `void __gts_hot(i32 Id)`), and rdtsc timing of the call into Cycles,
// TimedCalls, MinCycles and MaxCycles of record Id in the external array
// `__gts_counters` (profile/FunctionProfile.h).
void instrumentFunction(llvm::Function &F, int Id,
                        const InstrumentOptions &Opts);

} // namespace gts
