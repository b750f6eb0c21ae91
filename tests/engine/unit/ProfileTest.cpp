#include "profile/Profile.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

using namespace gts;
using namespace llvm;

TEST(Profile, JsonHasCountersAndTierHistory) {
  Profile P({"f", "g"});
  FunctionCounters &C = P.counters(0);
  C.Calls = 10;
  C.TimedCalls = 10;
  C.Cycles = 500;
  C.MinCycles = 20;
  C.MaxCycles = 90;
  P.recordTierChange(0, Tier::O1, 8);
  std::string Path = testing::TempDir() + "/profile.json";
  ASSERT_FALSE(bool(P.writeJson(Path)));
  auto Buf = MemoryBuffer::getFile(Path);
  ASSERT_TRUE(bool(Buf));
  auto V = json::parse((*Buf)->getBuffer());
  ASSERT_TRUE(bool(V));
  const json::Array *Fns = V->getAsObject()->getArray("functions");
  ASSERT_EQ(Fns->size(), 2u);
  const json::Object *F = (*Fns)[0].getAsObject();
  EXPECT_EQ(F->getInteger("calls"), 10);
  EXPECT_EQ(F->getInteger("total_cycles"), 500);
  EXPECT_EQ(F->getInteger("min_cycles"), 20);
  EXPECT_EQ(F->getString("tier"), "O1");
  const json::Object *Change = (*F->getArray("tier_changes"))[0].getAsObject();
  EXPECT_EQ(Change->getInteger("at_call"), 8);
}

TEST(Profile, SampledTotalsAreScaled) {
  Profile P({"f"});
  FunctionCounters &C = P.counters(0);
  C.Calls = 640;
  C.TimedCalls = 10;
  C.Cycles = 1000;
  C.MinCycles = 50;
  C.MaxCycles = 200;
  std::string Text;
  raw_string_ostream OS(Text);
  P.printTable(OS);
  EXPECT_NE(OS.str().find("64000"), std::string::npos) << Text;
}

TEST(Profile, UnwritablePathIsAnError) {
  Profile P({"f"});
  Error E = P.writeJson("/nonexistent-dir/x.json");
  EXPECT_TRUE(bool(E));
  consumeError(std::move(E));
}

// The interpreter's record adds up with what compiled code counted; a call
// it did not time (still running when absorbed) adds no cycles.
TEST(Profile, AbsorbsInterpreterRecords) {
  Profile P({"f"});
  FunctionCounters &C = P.counters(0);
  C.Calls = 64;
  C.TimedCalls = 1;
  C.Cycles = 100;
  C.MinCycles = C.MaxCycles = 100;
  FunctionProfile Run;
  Run.Counters.Calls = Run.Counters.TimedCalls = 10;
  Run.Counters.Cycles = 700;
  Run.Counters.MinCycles = 30;
  Run.Counters.MaxCycles = 200;
  Run.BlockCounts = {10, 4};
  P.absorb(0, Run);
  FunctionProfile Running;
  Running.Counters.Calls = 1;
  Running.BlockCounts = {1, 1};
  P.absorb(0, Running);
  FunctionProfile R = P.record(0);
  EXPECT_EQ(R.Name, "f");
  EXPECT_EQ(R.Counters.Calls, 75u);
  EXPECT_EQ(R.Counters.TimedCalls, 11u);
  EXPECT_EQ(R.Counters.Cycles, 800u);
  EXPECT_EQ(R.Counters.MinCycles, 30u);
  EXPECT_EQ(R.Counters.MaxCycles, 200u);
  EXPECT_EQ(R.BlockCounts, (std::vector<uint64_t>{11, 5}));
}

// A saved record comes back whole, except the tier-up point, which is this
// boot's.
TEST(Profile, RestoreKeepsThisBootsTierUpPoint) {
  Profile P({"f", "g"}, /*Boot=*/2);
  P.counters(1).NextTierAt = 1000;
  FunctionProfile Saved;
  Saved.Name = "g";
  Saved.Counters = {500, 100, 9000, 500, 3, 80};
  Saved.Current = Tier::O1;
  Saved.Changes = {{Tier::O1, 100, 2.5, 1}};
  Saved.BackEdges = {0, 7};
  P.restore(1, Saved);
  FunctionProfile R = P.record(1);
  EXPECT_EQ(R.Counters.Calls, 500u);
  EXPECT_EQ(R.Counters.Cycles, 9000u);
  EXPECT_EQ(R.Counters.NextTierAt, 1000u);
  EXPECT_EQ(P.counters(1).NextTierAt, 1000u);
  EXPECT_EQ(R.Current, Tier::O1);
  ASSERT_EQ(R.Changes.size(), 1u);
  EXPECT_EQ(R.Changes[0].Boot, 1u);
  EXPECT_EQ(R.BackEdges, Saved.BackEdges);
  P.recordTierChange(1, Tier::O2, 1000);
  EXPECT_EQ(P.record(1).Changes.back().Boot, 2u);
  EXPECT_EQ(P.records().size(), 2u);
  EXPECT_EQ(P.records()[0].Counters.Calls, 0u);
}
