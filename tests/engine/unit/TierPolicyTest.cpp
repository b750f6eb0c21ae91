#include "policy/TierPolicy.h"

#include <gtest/gtest.h>

using namespace gts;

TEST(TierPolicy, StepsAtEachThreshold) {
  TierPolicy P({100, 1000, 10000, 100000});
  EXPECT_EQ(P.first(), 100u);
  struct {
    uint64_t Calls;
    Tier To;
    uint64_t Next;
  } Want[] = {{100, Tier::O0, 1000},
              {1000, Tier::O1, 10000},
              {10000, Tier::O2, 100000},
              {100000, Tier::O3, UINT64_MAX}};
  for (auto &W : Want) {
    auto S = P.stepAt(W.Calls);
    ASSERT_TRUE(S.has_value()) << W.Calls;
    EXPECT_EQ(S->To, W.To);
    EXPECT_EQ(S->NextAt, W.Next);
  }
}

TEST(TierPolicy, NoStepBelowTheFirstThreshold) {
  TierPolicy P({2, 4, 8, 16});
  EXPECT_FALSE(P.stepAt(0).has_value());
  EXPECT_FALSE(P.stepAt(1).has_value());
}

TEST(TierPolicy, CountsPastThresholdsStepToTheHighestReached) {
  TierPolicy P({2, 4, 8, 16});
  auto S = P.stepAt(9);
  ASSERT_TRUE(S.has_value());
  EXPECT_EQ(S->To, Tier::O2);
  EXPECT_EQ(S->NextAt, 16u);
  EXPECT_EQ(P.stepAt(100)->To, Tier::O3);
  EXPECT_EQ(P.stepAt(100)->NextAt, UINT64_MAX);
}

// 42,000 calls, 7,000 a millisecond: 100,000 in about 8 ms more.
TEST(TierPolicy, FastCallersGoToTheLastTierAtOnce) {
  TierPolicy P({100, 1000, 10000, 100000});
  auto S = P.stepAt(42000, 7000.0);
  ASSERT_TRUE(S.has_value());
  EXPECT_EQ(S->To, Tier::O3);
  EXPECT_EQ(S->NextAt, UINT64_MAX);
  // 2,000 a millisecond: 29 ms to go, the ladder as counted.
  EXPECT_EQ(P.stepAt(42000, 2000.0)->To, Tier::O2);
  // No rate yet (the first step), below the first threshold, or seed.
  EXPECT_EQ(P.stepAt(100, 0.0)->To, Tier::O0);
  EXPECT_FALSE(P.stepAt(99, 1e9).has_value());
  TierPolicy Seed({100, 1000, 10000, 100000}, PolicyKind::Seed);
  EXPECT_EQ(Seed.stepAt(42000, 7000.0)->To, Tier::O2);
}

TEST(TierNames, RoundTrip) {
  for (Tier T : {Tier::Interp, Tier::O0, Tier::O1, Tier::O2, Tier::O3, Tier::Os,
                 Tier::Oz})
    EXPECT_EQ(parseTier(tierName(T)), T);
  EXPECT_FALSE(parseTier("O4").has_value());
}
