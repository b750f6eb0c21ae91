#include "jit/TierUnit.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace gts;
using namespace llvm;

namespace {

const char *App = R"(
@table = constant [2 x i32] [i32 3, i32 4]
@counter = global i32 0
@fp = global ptr @leaf
@labels = internal global [1 x ptr] [ptr blockaddress(@jumpy, %l)]

define i32 @leaf(i32 %x) {
  %t = load i32, ptr @table
  %r = add i32 %x, %t
  ret i32 %r
}

define i32 @hot(i32 %x) {
  %a = call i32 @leaf(i32 %x)
  %b = call i32 @hot(i32 %a)
  store i32 %b, ptr @counter
  ret i32 %b
}

define i32 @jumpy() {
  %p = load ptr, ptr @labels
  indirectbr ptr %p, [label %l]
l:
  ret i32 1
}

define i32 @main() {
  %r = call i32 @hot(i32 1)
  ret i32 %r
}
)";

struct TierUnitTest : ::testing::Test {
  LLVMContext Ctx;
  std::unique_ptr<Module> M;
  std::vector<Function *> Fns;
  void SetUp() override {
    SMDiagnostic Err;
    M = parseAssemblyString(App, Err, Ctx);
    ASSERT_TRUE(M) << Err.getMessage().str();
    for (Function &F : *M)
      Fns.push_back(&F);
  }
  UnitModule unit(std::vector<int> Targets, Tier Level) {
    return buildTierUnit(*M, Fns, {Targets, Level, 7, {}});
  }
};

} // namespace

TEST_F(TierUnitTest, TargetGetsBodySymbolAndKeepsEntryName) {
  UnitModule U = unit({1}, Tier::O2);
  ASSERT_EQ(U.BodySymbols.size(), 1u);
  EXPECT_EQ(U.BodySymbols[0], "__gts_f1_O2_b0_7");
  EXPECT_FALSE(verifyModule(*U.M, &errs()));
  Function *Body = U.M->getFunction("__gts_f1_O2_b0_7");
  ASSERT_TRUE(Body && !Body->isDeclaration());
  Function *Entry = U.M->getFunction("hot");
  ASSERT_TRUE(Entry && Entry->isDeclaration());
  // Recursion goes straight to the body.
  bool SelfCall = false;
  for (Instruction &I : instructions(*Body))
    if (auto *CB = dyn_cast<CallBase>(&I))
      SelfCall |= CB->getCalledFunction() == Body;
  EXPECT_TRUE(SelfCall);
}

// Which function each call instruction in F calls, by name.
static std::vector<std::string> callees(Function &F) {
  std::vector<std::string> Names;
  for (Instruction &I : instructions(F))
    if (auto *CB = dyn_cast<CallBase>(&I))
      Names.push_back(CB->getCalledFunction()->getName().str());
  return Names;
}

TEST_F(TierUnitTest, CallsBetweenTargetsUseEntriesUnlessPinned) {
  InstrumentOptions Bare;
  Bare.None = true;
  UnitModule Tiered = buildTierUnit(*M, Fns, {{1, 3}, Tier::O1, 1, Bare});
  EXPECT_EQ(callees(*Tiered.M->getFunction("__gts_f3_O1_b0_1")),
            std::vector<std::string>{"hot"});
  UnitRequest Pinned{{1, 3}, Tier::O1, 2, Bare};
  Pinned.DirectCallsBetweenTargets = true;
  UnitModule Whole = buildTierUnit(*M, Fns, Pinned);
  EXPECT_EQ(callees(*Whole.M->getFunction("__gts_f3_O1_b0_2")),
            std::vector<std::string>{"__gts_f1_O1_b0_2"});
}

TEST_F(TierUnitTest, CalleesAreInlinableCopiesAndGlobalsDeclarations) {
  UnitModule U = unit({1}, Tier::O3);
  EXPECT_TRUE(U.M->getFunction("leaf")->hasAvailableExternallyLinkage());
  EXPECT_TRUE(U.M->getFunction("main")->isDeclaration());
  EXPECT_TRUE(U.M->getNamedGlobal("counter")->isDeclaration());
  EXPECT_TRUE(U.M->getNamedGlobal("table")->hasAvailableExternallyLinkage());
  // A function pointer stored in data keeps the entry, not a body.
  EXPECT_TRUE(U.M->getNamedGlobal("fp")->isDeclaration());
  EXPECT_FALSE(U.M->getNamedGlobal("labels"));
}

// O0 units copy only the callees they inline: trivial leaves.
TEST_F(TierUnitTest, O0UnitsCopyOnlyTrivialLeafCallees) {
  UnitModule Main = unit({3}, Tier::O0);
  EXPECT_TRUE(Main.M->getFunction("hot")->isDeclaration());
  UnitModule Hot = unit({1}, Tier::O0);
  EXPECT_FALSE(verifyModule(*Hot.M, &errs()));
  Function *Leaf = Hot.M->getFunction("leaf");
  EXPECT_TRUE(Leaf->hasAvailableExternallyLinkage());
  EXPECT_TRUE(Leaf->hasFnAttribute(Attribute::AlwaysInline));
  EXPECT_TRUE(isTrivialLeaf(*Fns[0]));
  EXPECT_FALSE(isTrivialLeaf(*Fns[1])) << "it calls";
  EXPECT_FALSE(isTrivialLeaf(*Fns[2])) << "two blocks";
}

TEST_F(TierUnitTest, LabelTablesFollowTheirFunction) {
  UnitModule U = unit({2}, Tier::O1);
  EXPECT_FALSE(verifyModule(*U.M, &errs()));
  GlobalVariable *Labels = U.M->getNamedGlobal("labels");
  ASSERT_TRUE(Labels && Labels->hasInitializer());
  auto *BA = cast<BlockAddress>(
      cast<ConstantArray>(Labels->getInitializer())->getOperand(0));
  EXPECT_EQ(BA->getFunction()->getName(), "__gts_f2_O1_b0_7");
  EXPECT_EQ(BA->getBasicBlock()->getParent(), BA->getFunction());
}

TEST_F(TierUnitTest, DataUnitHasGlobalsAndNoCode) {
  auto D = buildDataUnit(*M);
  EXPECT_FALSE(verifyModule(*D, &errs()));
  for (Function &F : *D)
    EXPECT_TRUE(F.isDeclaration()) << F.getName().str();
  EXPECT_FALSE(D->getNamedGlobal("counter")->isDeclaration());
  EXPECT_FALSE(D->getNamedGlobal("labels"));
}

TEST_F(TierUnitTest, LocalTargetsStayLocalWithoutSymbol) {
  UnitRequest R{{0, 1, 3}, Tier::O3, 3, {}};
  R.DirectCallsBetweenTargets = true;
  R.LocalTargets = {0};
  UnitModule U = buildTierUnit(*M, Fns, R);
  EXPECT_FALSE(verifyModule(*U.M, &errs()));
  EXPECT_EQ(U.BodySymbols[0], "");
  EXPECT_EQ(U.BodySymbols[1], "__gts_f1_O3_b0_3");
  Function *Leaf = U.M->getFunction("__gts_f0_O3_b0_3");
  ASSERT_TRUE(Leaf);
  EXPECT_TRUE(Leaf->hasLocalLinkage());
}

TEST(TierUnitCycles, GlobalsReferringToEachOther) {
  LLVMContext Ctx;
  SMDiagnostic Err;
  auto M = parseAssemblyString(R"(
@a = global ptr @b
@b = global ptr @a
define i32 @main() {
  ret i32 0
}
)",
                               Err, Ctx);
  ASSERT_TRUE(M);
  auto D = buildDataUnit(*M);
  EXPECT_FALSE(D->getNamedGlobal("a")->isDeclaration());
  std::vector<Function *> Fns{M->getFunction("main")};
  UnitModule U = buildTierUnit(*M, Fns, {{0}, Tier::O1, 1, {}});
  EXPECT_FALSE(verifyModule(*U.M, &errs()));
}
