#include "snapshot/Snapshot.h"
#include "policy/TierPolicy.h"
#include "snapshot/StateDir.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace gts;
using namespace llvm;

namespace {

Snapshot sample() {
  Snapshot S;
  S.Boot = 3;
  S.Config = {0x1234,   "build", "19.1.7",     "x86_64-pc-linux-gnu",
              "x86-64", "",      "tier=tiered"};
  S.Objects.push_back({ObjectKind::Data, Tier::O0, std::string(300, 'd')});
  S.Objects.push_back({ObjectKind::Unit, Tier::O2, std::string(5000, 'u')});
  FunctionRecord F;
  F.Profile.Name = "work";
  F.Profile.Current = Tier::O2;
  F.Profile.Changes = {{Tier::O0, 100, 1.5, 1}, {Tier::O2, 10000, 9.0, 2}};
  F.Profile.BlockCounts = {40000, 39999, 1};
  F.Profile.BackEdges = {39999};
  F.Profile.Counters = {80000, UINT64_MAX, 123456, 1000, 3, 900};
  F.IrHash = 77;
  F.Object = 1;
  F.Body = "__gts_f0_O2_b2_5";
  S.Functions.push_back(F);
  FunctionRecord G;
  G.Profile.Name = "main";
  S.Functions.push_back(G);
  BootRecord B;
  B.Boot = 3;
  B.Hot = 2;
  B.HotAtFinalTier = 1;
  S.History = {B};
  S.PreparedApp = std::string(2000, 'b');
  S.PrivateToCallers = {1};
  return S;
}

std::string bytesOf(const Snapshot &S) {
  std::string Out;
  raw_string_ostream OS(Out);
  writeSnapshot(S, OS);
  return Out;
}

std::string readError(StringRef Bytes) {
  auto S = readSnapshot(MemoryBufferRef(Bytes, "t"));
  return S ? "" : toString(S.takeError());
}

} // namespace

TEST(Snapshot, RoundTrip) {
  Snapshot S = sample();
  std::string Bytes = bytesOf(S);
  auto R = readSnapshot(MemoryBufferRef(Bytes, "t"));
  ASSERT_TRUE(bool(R)) << toString(R.takeError());
  EXPECT_EQ(R->Boot, 3u);
  EXPECT_EQ(R->Config, S.Config);
  ASSERT_EQ(R->Functions.size(), 2u);
  const FunctionRecord &F = R->Functions[0];
  EXPECT_EQ(F.Profile.Name, "work");
  EXPECT_EQ(F.Profile.Current, Tier::O2);
  EXPECT_EQ(F.Profile.Counters.Calls, 80000u);
  EXPECT_EQ(F.Profile.Counters.MaxCycles, 900u);
  ASSERT_EQ(F.Profile.Changes.size(), 2u);
  EXPECT_EQ(F.Profile.Changes[1].AtCall, 10000u);
  EXPECT_EQ(F.Profile.Changes[1].Boot, 2u);
  EXPECT_EQ(F.Profile.BlockCounts, S.Functions[0].Profile.BlockCounts);
  EXPECT_EQ(F.Body, "__gts_f0_O2_b2_5");
  EXPECT_EQ(R->Objects[1].Bytes, S.Objects[1].Bytes);
  EXPECT_EQ(R->History[0].Hot, 2u);
  EXPECT_DOUBLE_EQ(R->History[0].ratio(), 0.5);
  EXPECT_EQ(R->PreparedApp, S.PreparedApp);
  EXPECT_EQ(R->PrivateToCallers, S.PrivateToCallers);
}

TEST(Snapshot, EveryDamageIsNamed) {
  std::string Good = bytesOf(sample());
  EXPECT_EQ(readError(Good.substr(0, 10)), "not a snapshot (no SNAP header)");
  EXPECT_NE(readError(Good.substr(0, Good.size() - 1)).find("truncated"),
            std::string::npos);
  std::string Flipped = Good;
  Flipped[Good.size() / 2] ^= 1;
  EXPECT_EQ(readError(Flipped), "checksum mismatch");
  std::string Version = Good;
  Version[4] = 9;
  EXPECT_EQ(readError(Version), "version 9, this gts reads version " +
                                    std::to_string(gts::Snapshot::Version));
  // Every prefix is refused, none crashes.
  for (size_t N = 0; N < Good.size(); N += 7)
    EXPECT_NE(readError(Good.substr(0, N)), "");
}

TEST(Snapshot, InconsistentRecordsAreRefused) {
  Snapshot S = sample();
  S.Functions[0].Object = 7;
  EXPECT_NE(readError(bytesOf(S)).find("refers to object 7"),
            std::string::npos);
  S = sample();
  S.Functions[0].Object = 0; // the data object holds no code
  EXPECT_NE(readError(bytesOf(S)).find("not in a tier unit"),
            std::string::npos);
  S = sample();
  S.Functions[0].Profile.Current = Tier::O3; // its object is O2 code
  EXPECT_NE(readError(bytesOf(S)).find("in an object of tier O2"),
            std::string::npos);
  S = sample();
  S.PrivateToCallers = {2}; // two functions
  EXPECT_NE(readError(bytesOf(S)).find("private function of id 2"),
            std::string::npos);
}

TEST(Snapshot, ConfigMismatchNamesTheField) {
  SnapshotConfig A = sample().Config, B = A;
  EXPECT_EQ(configMismatch(A, B), "");
  B.AppHash = 1;
  EXPECT_EQ(configMismatch(A, B).rfind("another app", 0), 0u);
  B = A;
  B.Options = "tier=O3";
  EXPECT_EQ(configMismatch(A, B).rfind("other options", 0), 0u);
}

TEST(StateDir, SavesNewestFirstAndKeepsK) {
  SmallString<128> Dir;
  ASSERT_FALSE(sys::fs::createUniqueDirectory("gts-state", Dir));
  auto D = StateDir::open(Dir);
  ASSERT_TRUE(bool(D));
  EXPECT_EQ(D->nextBoot(), 1u);
  Snapshot S = sample();
  for (uint32_t Boot = 1; Boot <= 4; ++Boot) {
    S.Boot = Boot;
    S.History[0].Boot = Boot;
    ASSERT_TRUE(bool(D->save(S, 2)));
  }
  auto Again = StateDir::open(Dir);
  ASSERT_TRUE(bool(Again));
  EXPECT_EQ(Again->nextBoot(), 5u);
  std::string Log;
  raw_string_ostream OS(Log);
  auto L = Again->nextValid(&S.Config, OS);
  ASSERT_TRUE(L.has_value());
  EXPECT_EQ(L->S.Boot, 4u);
  auto Older = Again->nextValid(&S.Config, OS);
  ASSERT_TRUE(Older.has_value());
  EXPECT_EQ(Older->S.Boot, 3u);
  EXPECT_FALSE(Again->nextValid(&S.Config, OS).has_value()); // kept 2
  EXPECT_EQ(Log, "");
  sys::fs::remove_directories(Dir);
}

TEST(TierPolicy, AdaptiveStartsHotFunctionsAtO3) {
  TierPolicy Seed({100, 1000, 10000, 100000}, PolicyKind::Seed);
  TierPolicy Adaptive({100, 1000, 10000, 100000}, PolicyKind::Adaptive);
  std::vector<uint64_t> Calls = {1, 150, 5000, 20, 3};
  // Shares of 80M cycles: 1.25%, 0.006%, 1%, 0%, 0.6% (promoted at resume
  // from half the hot share on, not hot).
  std::vector<uint64_t> Cycles = {1000000, 5000, 800000, 10, 480000};
  std::vector<Tier> Current = {Tier::Interp, Tier::Interp, Tier::O1,
                               Tier::Interp, Tier::Interp};
  std::vector<FunctionProfile> Fns(Calls.size());
  for (size_t I = 0; I < Fns.size(); ++I) {
    Fns[I].Counters.Calls = Fns[I].Counters.TimedCalls = Calls[I];
    Fns[I].Counters.Cycles = Cycles[I];
    Fns[I].Current = Current[I];
  }
  EXPECT_EQ(Seed.atResume(Fns, 80000000),
            (std::vector<Tier>{Tier::Interp, Tier::O0, Tier::Interp,
                               Tier::Interp, Tier::Interp}));
  EXPECT_EQ(Adaptive.atResume(Fns, 80000000),
            (std::vector<Tier>{Tier::O3, Tier::O0, Tier::O3, Tier::Interp,
                               Tier::O3}));
  EXPECT_EQ(TierPolicy::hotFunctions(Cycles, 80000000),
            (std::vector<int>{0, 2}));
  EXPECT_EQ(TierPolicy::hotFunctions(Cycles, 90000000), (std::vector<int>{0}));
  EXPECT_TRUE(TierPolicy::hotFunctions(Cycles, 0).empty());
}
