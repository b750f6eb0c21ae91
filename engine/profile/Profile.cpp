#include "Profile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <chrono>

using namespace llvm;

namespace gts {

namespace {

uint64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

Profile::Profile(std::vector<std::string> Names, uint32_t Boot)
    : Counters(Names.size()), Functions(Names.size()), StartNanos(nowNanos()),
      Boot(Boot) {
  for (size_t I = 0; I < Names.size(); ++I)
    Functions[I].Name = std::move(Names[I]);
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

void Profile::absorb(int Id, const FunctionProfile &Run) {
  std::lock_guard<std::mutex> G(Lock);
  FunctionCounters &C = Counters[Id];
  const FunctionCounters &R = Run.Counters;
  C.Calls += R.Calls;
  if (R.TimedCalls) {
    C.Cycles += R.Cycles;
    C.TimedCalls += R.TimedCalls;
    C.MinCycles = std::min(C.MinCycles, R.MinCycles);
    C.MaxCycles = std::max(C.MaxCycles, R.MaxCycles);
  }
  addCounts(Functions[Id].BlockCounts, Run.BlockCounts);
  addCounts(Functions[Id].BackEdges, Run.BackEdges);
}

void Profile::restore(int Id, const FunctionProfile &Saved) {
  std::lock_guard<std::mutex> G(Lock);
  uint64_t NextTierAt = Counters[Id].NextTierAt;
  Counters[Id] = Saved.Counters;
  Counters[Id].NextTierAt = NextTierAt;
  Functions[Id] = Saved;
  Functions[Id].Counters = {};
}

FunctionProfile Profile::recordLocked(int Id) const {
  FunctionProfile R = Functions[Id];
  R.Counters = Counters[Id];
  return R;
}

FunctionProfile Profile::record(int Id) const {
  std::lock_guard<std::mutex> G(Lock);
  return recordLocked(Id);
}

std::vector<FunctionProfile> Profile::records() const {
  std::lock_guard<std::mutex> G(Lock);
  std::vector<FunctionProfile> All;
  All.reserve(Functions.size());
  for (size_t I = 0; I < Functions.size(); ++I)
    All.push_back(recordLocked(static_cast<int>(I)));
  return All;
}

namespace {

std::string changesText(const FunctionProfile &F) {
  std::string Text;
  for (const TierChange &T : F.Changes)
    Text += (Text.empty() ? "" : " ") + tierName(T.To).str() + "@" +
            std::to_string(T.AtCall);
  return Text;
}

json::Value toJson(const FunctionProfile &F) {
  const FunctionCounters &C = F.Counters;
  json::Array Changes;
  for (const TierChange &T : F.Changes)
    Changes.push_back(json::Object{{"tier", tierName(T.To)},
                                   {"at_call", (int64_t)T.AtCall},
                                   {"boot", (int64_t)T.Boot},
                                   {"ms", T.Millis}});
  return json::Object{{"name", F.Name},
                      {"calls", (int64_t)C.Calls},
                      {"total_cycles", (int64_t)estimatedCycles(C)},
                      {"timed_calls", (int64_t)C.TimedCalls},
                      {"min_cycles", (int64_t)(C.TimedCalls ? C.MinCycles : 0)},
                      {"max_cycles", (int64_t)C.MaxCycles},
                      {"tier", tierName(F.Current)},
                      {"tier_changes", std::move(Changes)},
                      {"block_counts", json::Array(F.BlockCounts)},
                      {"back_edges", json::Array(F.BackEdges)}};
}

} // namespace

void Profile::printTable(raw_ostream &OS) const {
  std::vector<FunctionProfile> Ran = records();
  llvm::erase_if(Ran,
                 [](const FunctionProfile &F) { return !F.Counters.Calls; });
  std::stable_sort(Ran.begin(), Ran.end(),
                   [](const FunctionProfile &A, const FunctionProfile &B) {
                     return estimatedCycles(A.Counters) >
                            estimatedCycles(B.Counters);
                   });
  OS << "function                        calls   total-cycles        min "
        "         max tier   tier changes (at call)\n";
  for (const FunctionProfile &F : Ran) {
    const FunctionCounters &C = F.Counters;
    OS << format("%-24s %12llu %14llu %10llu %12llu %-6s %s\n", F.Name.c_str(),
                 (unsigned long long)C.Calls,
                 (unsigned long long)estimatedCycles(C),
                 (unsigned long long)(C.TimedCalls ? C.MinCycles : 0),
                 (unsigned long long)C.MaxCycles,
                 tierName(F.Current).str().c_str(), changesText(F).c_str());
  }
}

Error Profile::writeJson(StringRef Path) const {
  json::Array Fns;
  for (const FunctionProfile &F : records())
    Fns.push_back(toJson(F));
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
