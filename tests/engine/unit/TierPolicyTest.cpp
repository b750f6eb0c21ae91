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

TEST(TierNames, RoundTrip) {
  for (Tier T : {Tier::Interp, Tier::O0, Tier::O1, Tier::O2, Tier::O3, Tier::Os,
                 Tier::Oz})
    EXPECT_EQ(parseTier(tierName(T)), T);
  EXPECT_FALSE(parseTier("O4").has_value());
}
