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

TEST(TierPolicy, NoStepBetweenThresholds) {
  TierPolicy P({2, 4, 8, 16});
  for (uint64_t C : {1u, 3u, 5u, 9u, 17u})
    EXPECT_FALSE(P.stepAt(C).has_value()) << C;
}

TEST(TierNames, RoundTrip) {
  for (Tier T : {Tier::Interp, Tier::O0, Tier::O1, Tier::O2, Tier::O3, Tier::Os,
                 Tier::Oz})
    EXPECT_EQ(parseTier(tierName(T)), T);
  EXPECT_FALSE(parseTier("O4").has_value());
}
