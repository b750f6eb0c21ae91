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
