// The profiler: per-function counters shared by every tier.
//
// JIT-compiled code updates FunctionCounters directly (see
// jit/Instrument.cpp), so its layout is part of the code generator's contract.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gts {

enum class Tier : uint8_t { Interp, O0, O1, O2, O3, Os, Oz };
llvm::StringRef tierName(Tier T);
std::optional<Tier> parseTier(llvm::StringRef Name);

// One record per function, in the array JIT code reaches as __gts_counters.
// jit/Instrument.cpp addresses the fields as consecutive i64s in this order:
// the asserts below keep the two in step.
struct FunctionCounters {
  uint64_t Calls;
  uint64_t NextTierAt; // Calls value that triggers the next tier-up.
  uint64_t Cycles;     // Sum over timed calls (rdtsc, inclusive).
  // Calls timed: lower JIT tiers time one call in 64, the top tiers none
  // (unless --profile-top-tier), the interpreter all of its calls.
  uint64_t TimedCalls;
  uint64_t MinCycles;
  uint64_t MaxCycles;
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
uint64_t estimatedCycles(const FunctionCounters &C);

struct TierChange {
  Tier To;
  uint64_t AtCall; // Call count that requested the change.
  double Millis;   // Since the engine started, when the code was installed.
  uint32_t Boot;   // The boot (run with --state) it happened in; 0 without.
};

struct FunctionProfile {
  std::string Name;
  Tier Current = Tier::Interp;
  std::vector<TierChange> Changes;
  // From the interpreter: executions of each basic block and back-edge
  // counts by loop-header block (function order of blocks).
  std::vector<uint64_t> BlockCounts;
  std::vector<uint64_t> BackEdges;
};

// What the interpreter measured for one function.
struct InterpretedRun {
  uint64_t Calls, Cycles, MinCycles, MaxCycles;
  std::vector<uint64_t> BlockCounts, BackEdges;
};

class Profile {
public:
  // Boot: the boot number tier changes are recorded under (0 without
  // --state).
  explicit Profile(std::vector<std::string> Names, uint32_t Boot = 0);

  FunctionCounters *counters() { return Counters.data(); }
  FunctionCounters &counters(int Id) { return Counters[Id]; }
  size_t size() const { return Functions.size(); }
  const FunctionProfile &function(int Id) const { return Functions[Id]; }

  // Records that function Id now runs in tier To (thread-safe).
  void recordTierChange(int Id, Tier To, uint64_t AtCall);
  void setInitialTier(int Id, Tier T) { Functions[Id].Current = T; }
  Tier currentTier(int Id) const;
  // Adds what the interpreter measured to function Id's counters; the
  // interpreter's calls are all timed. Block and back-edge counts add up.
  void absorb(int Id, const InterpretedRun &R);
  // Starts function Id from what earlier boots measured (a snapshot).
  void restore(int Id, const FunctionCounters &C, const FunctionProfile &P);
  // A consistent copy of function Id's record (for snapshots).
  std::pair<FunctionCounters, FunctionProfile> record(int Id) const;

  // Human-readable table of every function that ran.
  void printTable(llvm::raw_ostream &OS) const;
  // The same as JSON.
  llvm::Error writeJson(llvm::StringRef Path) const;

private:
  std::vector<FunctionCounters> Counters;
  std::vector<FunctionProfile> Functions;
  mutable std::mutex Lock;
  uint64_t StartNanos;
  uint32_t Boot;
};

} // namespace gts
