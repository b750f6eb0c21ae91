// The profiler: every function's record, shared by every tier.
//
// JIT-compiled code updates the counters directly (see jit/Instrument.cpp);
// the interpreter counts on its own and its counts are absorbed here.
#pragma once

#include "FunctionProfile.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace gts {

class Profile {
public:
  // Boot: the boot number tier changes are recorded under (0 without
  // --state).
  explicit Profile(std::vector<std::string> Names, uint32_t Boot = 0);

  // The live counters, one array indexed by function id (__gts_counters).
  FunctionCounters *counters() { return Counters.data(); }
  FunctionCounters &counters(int Id) { return Counters[Id]; }

  // Records that function Id now runs in tier To (thread-safe).
  void recordTierChange(int Id, Tier To, uint64_t AtCall);
  void setInitialTier(int Id, Tier T) { Functions[Id].Current = T; }
  Tier currentTier(int Id) const;
  // Adds what the interpreter measured for function Id (its counters, block
  // and back-edge counts); calls it did not time (one still running) add
  // no cycles.
  void absorb(int Id, const FunctionProfile &Run);
  // Starts function Id from what earlier boots measured (a snapshot); the
  // tier-up point stays this boot's.
  void restore(int Id, const FunctionProfile &Saved);
  // A consistent copy of function Id's record, or of all of them.
  FunctionProfile record(int Id) const;
  std::vector<FunctionProfile> records() const;

  // Human-readable table of every function that ran.
  void printTable(llvm::raw_ostream &OS) const;
  // Every function's record as JSON.
  llvm::Error writeJson(llvm::StringRef Path) const;

private:
  FunctionProfile recordLocked(int Id) const;

  std::vector<FunctionCounters> Counters;
  // The rest of each record; their Counters stay unset, Counters[Id] above
  // is the live copy (JIT code needs one array).
  std::vector<FunctionProfile> Functions;
  mutable std::mutex Lock;
  uint64_t StartNanos;
  uint32_t Boot;
};

} // namespace gts
