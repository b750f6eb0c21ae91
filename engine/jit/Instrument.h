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
  // Outlined loops (attribute "gts-loop") count their back-edges and move a
  // running activation to newer code at their header (instrumentFunction).
  bool LoopTransfer = false;
};

// Adds to F's entry: ++Calls, tier-up check Calls >= NextTierAt (calls
// `void __gts_hot(i32 Id)`), and timing of one call in SamplePeriod into
// Cycles, TimedCalls, MinCycles and MaxCycles of record Id in the external
// array `__gts_counters` (profile/FunctionProfile.h): `i64 __gts_cycles()`
// at its start, `void __gts_time_call(ptr Record, i64 Start)` at its end
// (F's returns joined into one block first).
//
// With LoopTransfer, an outlined loop F also counts its back-edges in a
// counter of its own unit, and at its header, each time that count has
// grown by LoopTickEvery, calls `i1 __gts_loop_tick(i32 Id, ptr F, i64
// Count)`: the engine may ask for the next tier, and answers whether F's
// entry leads elsewhere now. If so the header calls Entry (F's entry) with
// its own arguments and returns what that returns: the header's state is
// all in the arguments and memory (docs/INTERPRETER.md, outlined loops), so
// the activation goes on in the newer code.
void instrumentFunction(llvm::Function &F, int Id,
                        const InstrumentOptions &Opts,
                        llvm::Function *Entry = nullptr);

constexpr uint64_t LoopTickEvery = 1024;

} // namespace gts
