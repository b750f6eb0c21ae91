#include "Profile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <chrono>

using namespace llvm;

namespace gts {

namespace {

constexpr StringRef TierNames[] = {"interp", "O0", "O1", "O2",
                                   "O3",     "Os", "Oz"};

uint64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace

uint64_t estimatedCycles(const FunctionCounters &C) {
  if (C.TimedCalls == 0)
    return 0;
  if (C.TimedCalls >= C.Calls)
    return C.Cycles;
  return static_cast<uint64_t>(static_cast<double>(C.Cycles) /
                               static_cast<double>(C.TimedCalls) *
                               static_cast<double>(C.Calls));
}

namespace {

// Counts of earlier boots (or runs of the interpreter) add up; a shape that
// does not match (never, for one app) keeps the newer counts.
void addCounts(std::vector<uint64_t> &Into, const std::vector<uint64_t> &Add) {
  if (Add.empty())
    return;
  if (Into.size() != Add.size()) {
    Into = Add;
    return;
  }
  for (size_t I = 0; I < Add.size(); ++I)
    Into[I] += Add[I];
}

} // namespace

StringRef tierName(Tier T) { return TierNames[static_cast<int>(T)]; }

std::optional<Tier> parseTier(StringRef Name) {
  for (size_t I = 0; I < std::size(TierNames); ++I)
    if (Name == TierNames[I])
      return static_cast<Tier>(I);
  return std::nullopt;
}

Profile::Profile(std::vector<std::string> Names, uint32_t Boot)
    : Counters(Names.size()), Functions(Names.size()), StartNanos(nowNanos()),
      Boot(Boot) {
  for (size_t I = 0; I < Names.size(); ++I) {
    Functions[I].Name = std::move(Names[I]);
    Counters[I] = {0, UINT64_MAX, 0, 0, UINT64_MAX, 0};
  }
}

void Profile::recordTierChange(int Id, Tier To, uint64_t AtCall) {
  std::lock_guard<std::mutex> G(Lock);
  double Millis = (nowNanos() - StartNanos) / 1e6;
  Functions[Id].Current = To;
  Functions[Id].Changes.push_back({To, AtCall, Millis, Boot});
}

Tier Profile::currentTier(int Id) const {
  std::lock_guard<std::mutex> G(Lock);
  return Functions[Id].Current;
}

void Profile::absorb(int Id, const InterpretedRun &R) {
  std::lock_guard<std::mutex> G(Lock);
  FunctionCounters &C = Counters[Id];
  C.Calls += R.Calls;
  // A call still running (a loop that moved to compiled code) has no time.
  if (R.MinCycles != UINT64_MAX) {
    C.Cycles += R.Cycles;
    C.TimedCalls += R.Calls;
    C.MinCycles = std::min(C.MinCycles, R.MinCycles);
    C.MaxCycles = std::max(C.MaxCycles, R.MaxCycles);
  }
  addCounts(Functions[Id].BlockCounts, R.BlockCounts);
  addCounts(Functions[Id].BackEdges, R.BackEdges);
}

void Profile::restore(int Id, const FunctionCounters &C,
                      const FunctionProfile &P) {
  std::lock_guard<std::mutex> G(Lock);
  uint64_t NextTierAt = Counters[Id].NextTierAt;
  Counters[Id] = C;
  Counters[Id].NextTierAt = NextTierAt;
  Functions[Id].Current = P.Current;
  Functions[Id].Changes = P.Changes;
  Functions[Id].BlockCounts = P.BlockCounts;
  Functions[Id].BackEdges = P.BackEdges;
}

std::pair<FunctionCounters, FunctionProfile> Profile::record(int Id) const {
  std::lock_guard<std::mutex> G(Lock);
  return {Counters[Id], Functions[Id]};
}

void Profile::printTable(raw_ostream &OS) const {
  std::lock_guard<std::mutex> G(Lock);
  std::vector<int> Order;
  for (size_t I = 0; I < Functions.size(); ++I)
    if (Counters[I].Calls)
      Order.push_back(static_cast<int>(I));
  std::stable_sort(Order.begin(), Order.end(), [&](int A, int B) {
    return estimatedCycles(Counters[A]) > estimatedCycles(Counters[B]);
  });
  OS << "function                        calls   total-cycles        min "
        "         max tier   tier changes (at call)\n";
  for (int I : Order) {
    const FunctionCounters &C = Counters[I];
    std::string Changes;
    for (const TierChange &T : Functions[I].Changes)
      Changes += (Changes.empty() ? "" : " ") + tierName(T.To).str() + "@" +
                 std::to_string(T.AtCall);
    OS << format("%-24s %12llu %14llu %10llu %12llu %-6s %s\n",
                 Functions[I].Name.c_str(), (unsigned long long)C.Calls,
                 (unsigned long long)estimatedCycles(C),
                 (unsigned long long)(C.TimedCalls ? C.MinCycles : 0),
                 (unsigned long long)C.MaxCycles,
                 tierName(Functions[I].Current).str().c_str(), Changes.c_str());
  }
}

Error Profile::writeJson(StringRef Path) const {
  std::lock_guard<std::mutex> G(Lock);
  json::Array Fns;
  for (size_t I = 0; I < Functions.size(); ++I) {
    const FunctionCounters &C = Counters[I];
    json::Array Changes;
    for (const TierChange &T : Functions[I].Changes)
      Changes.push_back(json::Object{{"tier", tierName(T.To)},
                                     {"at_call", (int64_t)T.AtCall},
                                     {"boot", (int64_t)T.Boot},
                                     {"ms", T.Millis}});
    Fns.push_back(
        json::Object{{"name", Functions[I].Name},
                     {"calls", (int64_t)C.Calls},
                     {"total_cycles", (int64_t)estimatedCycles(C)},
                     {"timed_calls", (int64_t)C.TimedCalls},
                     {"min_cycles", (int64_t)(C.TimedCalls ? C.MinCycles : 0)},
                     {"max_cycles", (int64_t)C.MaxCycles},
                     {"tier", tierName(Functions[I].Current)},
                     {"tier_changes", std::move(Changes)},
                     {"block_counts", json::Array(Functions[I].BlockCounts)},
                     {"back_edges", json::Array(Functions[I].BackEdges)}});
  }
  std::error_code EC;
  raw_fd_ostream OS(Path, EC, sys::fs::OF_Text);
  if (EC)
    return createStringError(EC, "cannot write profile %s: %s",
                             Path.str().c_str(), EC.message().c_str());
  OS << formatv("{0:2}",
                json::Value(json::Object{{"functions", std::move(Fns)}}))
     << "\n";
  return Error::success();
}

} // namespace gts
