// What the engine knows about one function: the one record type that the
// interpreter reports, the profile keeps, the policy reads, snapshots save
// and --stats/--profile-out print.
#pragma once

#include "../core/Tier.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace gts {

// Counters of one function. The profile keeps them in one array that JIT
// code reaches as __gts_counters; jit/Instrument.cpp addresses the fields as
// consecutive i64s in this order: the asserts below keep the two in step.
struct FunctionCounters {
  uint64_t Calls = 0;
  uint64_t NextTierAt = UINT64_MAX; // Calls value that triggers a tier-up.
  // Sum over the timed calls of their inclusive cycles (rdtsc); the
  // interpreter weights its samples, see TimedCalls.
  uint64_t Cycles = 0;
  // Calls that Cycles covers: O0-O2 code times one call in 64, O3/Os/Oz
  // code none (--profile-top-tier only counts its calls). The interpreter
  // times its first 256 calls and then one in 64 counted 64 times, so its
  // Cycles already estimate all of its calls and it reports TimedCalls =
  // Calls.
  uint64_t TimedCalls = 0;
  uint64_t MinCycles = UINT64_MAX;
  uint64_t MaxCycles = 0;
};
static_assert(sizeof(FunctionCounters) == 6 * sizeof(uint64_t) &&
                  alignof(FunctionCounters) == alignof(uint64_t),
              "FunctionCounters is an ABI shared with generated IR");
static_assert(offsetof(FunctionCounters, Calls) == 0 &&
                  offsetof(FunctionCounters, NextTierAt) == 8 &&
                  offsetof(FunctionCounters, Cycles) == 16 &&
                  offsetof(FunctionCounters, TimedCalls) == 24 &&
                  offsetof(FunctionCounters, MinCycles) == 32 &&
                  offsetof(FunctionCounters, MaxCycles) == 40,
              "field offsets used by jit/Instrument.cpp");
static_assert(std::is_standard_layout_v<FunctionCounters>);

// Estimated total cycles of a function's calls: sampled tiers time a subset.
inline uint64_t estimatedCycles(const FunctionCounters &C) {
  if (C.TimedCalls == 0)
    return 0;
  if (C.TimedCalls >= C.Calls)
    return C.Cycles;
  return static_cast<uint64_t>(static_cast<double>(C.Cycles) /
                               static_cast<double>(C.TimedCalls) *
                               static_cast<double>(C.Calls));
}

struct TierChange {
  Tier To;
  uint64_t AtCall; // Call count that requested the change.
  double Millis;   // Since the engine started, when the code was installed.
  uint32_t Boot;   // The boot (run with --state) it happened in; 0 without.
};

struct FunctionProfile {
  std::string Name;
  FunctionCounters Counters;
  Tier Current = Tier::Interp;
  std::vector<TierChange> Changes;
  // From the interpreter: executions of each basic block and back-edge
  // counts by loop-header block (function order of blocks).
  std::vector<uint64_t> BlockCounts;
  std::vector<uint64_t> BackEdges;
};

} // namespace gts
