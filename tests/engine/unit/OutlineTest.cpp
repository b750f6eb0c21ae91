#include "ir/Outline.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace gts;
using namespace llvm;

namespace {

// Loops over a local array (a GEP use keeps it an alloca through mem2reg)
// and a pointer parameter; in @escapes the array's address also goes to
// another function inside the loop; @twice passes two elements of one
// array.
const char *Loops = R"(
declare void @sink(ptr)

define double @local(ptr %p, i64 %n) {
entry:
  %arr = alloca [4 x double]
  %slot = getelementptr [4 x double], ptr %arr, i64 0, i64 1
  store double 0.0, ptr %slot
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]
  %a = getelementptr double, ptr %p, i64 %i
  %v = load double, ptr %a
  %t = load double, ptr %slot
  %t1 = fadd double %t, %v
  store double %t1, ptr %slot
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, %n
  br i1 %c, label %loop, label %done
done:
  %r = load double, ptr %slot
  ret double %r
}

define double @escapes(i64 %n) {
entry:
  %arr = alloca [4 x double]
  store double 0.0, ptr %arr
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]
  call void @sink(ptr %arr)
  %t = load double, ptr %arr
  %t1 = fadd double %t, 1.0
  store double %t1, ptr %arr
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, %n
  br i1 %c, label %loop, label %done
done:
  %r = load double, ptr %arr
  ret double %r
}

define double @twice(i64 %n) {
entry:
  %arr = alloca [4 x double]
  %a = getelementptr [4 x double], ptr %arr, i64 0, i64 1
  %b = getelementptr [4 x double], ptr %arr, i64 0, i64 2
  store double 1.0, ptr %a
  store double 2.0, ptr %b
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]
  %x = load double, ptr %a
  store double %x, ptr %b
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, %n
  br i1 %c, label %loop, label %done
done:
  %r = load double, ptr %b
  ret double %r
}
)";

struct OutlineTest : testing::Test {
  LLVMContext Ctx;
  std::unique_ptr<Module> M;

  void SetUp() override {
    SMDiagnostic Err;
    M = parseAssemblyString(Loops, Err, Ctx);
    ASSERT_TRUE(M) << Err.getMessage().str();
    ASSERT_FALSE(bool(prepareForInterp(*M)));
    ASSERT_FALSE(verifyModule(*M, &errs()));
  }
  // For each pointer parameter of the loop outlined from Name: what its
  // call passes (into the caller's alloca, or a parameter) and whether the
  // parameter is noalias.
  std::vector<std::pair<std::string, bool>> pointerParams(StringRef Name) {
    Function *Loop = nullptr;
    for (Function &F : *M)
      if (F.getName().starts_with((Name + ".").str()))
        Loop = &F;
    EXPECT_TRUE(Loop) << "no loop outlined from " << Name.str();
    if (!Loop)
      return {};
    auto *Call = cast<CallBase>(Loop->user_back());
    std::vector<std::pair<std::string, bool>> Params;
    for (Argument &A : Loop->args()) {
      if (!A.getType()->isPointerTy())
        continue;
      Value *Passed = getUnderlyingObject(Call->getArgOperand(A.getArgNo()));
      std::string What = isa<AllocaInst>(Passed) ? "alloca"
                         : isa<Argument>(Passed) ? "param"
                                                 : "other";
      Params.push_back({What, A.hasNoAliasAttr()});
    }
    return Params;
  }
};

} // namespace

// The caller's locals (the demoted induction variable, the array) reach
// the loop only through its parameters: noalias. The caller's own pointer
// parameter may alias anything: not.
TEST_F(OutlineTest, LocalsOnlyTheLoopAccessesAreNoAlias) {
  auto Params = pointerParams("local");
  EXPECT_EQ(std::count(Params.begin(), Params.end(),
                       std::pair<std::string, bool>{"alloca", true}),
            2);
  EXPECT_EQ(std::count(Params.begin(), Params.end(),
                       std::pair<std::string, bool>{"param", false}),
            1);
  EXPECT_EQ(Params.size(), 3u);
}

// An array whose address goes to another function is reachable from
// there. The induction variable still is noalias.
TEST_F(OutlineTest, AnEscapingLocalIsNotNoAlias) {
  auto Params = pointerParams("escapes");
  using Param = std::pair<std::string, bool>;
  EXPECT_EQ(Params, (std::vector<Param>{{"alloca", true}, {"alloca", false}}));
}

// Two parameters into one array may alias each other: neither is noalias.
TEST_F(OutlineTest, AnObjectPassedTwiceIsNotNoAlias) {
  auto Params = pointerParams("twice");
  using Param = std::pair<std::string, bool>;
  EXPECT_EQ(std::count(Params.begin(), Params.end(), Param{"alloca", false}),
            2);
  EXPECT_EQ(std::count(Params.begin(), Params.end(), Param{"alloca", true}), 1)
      << "the induction variable";
  EXPECT_EQ(Params.size(), 3u);
}
