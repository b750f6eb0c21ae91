#include "jit/Compiler.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

using namespace gts;
using namespace llvm;

namespace {

// Count functions with a loop each: a module that takes a while at O3.
std::string loops(int Count) {
  std::string IR;
  for (int I = 0; I < Count; ++I)
    IR += "define double @f" + std::to_string(I) + R"((ptr %p, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %s = phi double [ 0.0, %entry ], [ %sum, %loop ]
  %a = getelementptr double, ptr %p, i64 %i
  %v = load double, ptr %a
  %m = fmul double %v, 3.0
  %sum = fadd double %s, %m
  store double %sum, ptr %a
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret double %sum
}
)";
  return IR;
}

struct CompilerTest : testing::Test {
  LLVMContext Ctx;
  std::unique_ptr<Compiler> C;

  void SetUp() override {
    auto Made = Compiler::create(
        CpuMode::Baseline,
        DataLayout("e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-"
                   "f80:128-n8:16:32:64-S128"));
    ASSERT_TRUE(!!Made) << toString(Made.takeError());
    C = std::move(*Made);
  }
  std::unique_ptr<Module> parse(const std::string &IR) {
    SMDiagnostic Err;
    auto M = parseAssemblyString(IR, Err, Ctx);
    EXPECT_TRUE(M) << Err.getMessage().str();
    return M;
  }
  Expected<std::unique_ptr<MemoryBuffer>> compile(int Functions) {
    return C->compile(*parse(loops(Functions)), Tier::O3, "test");
  }
};

} // namespace

TEST_F(CompilerTest, CancelledCompilesFailUntilResumed) {
  C->setCancelled(true);
  auto Obj = compile(1);
  ASSERT_FALSE(!!Obj);
  EXPECT_EQ(toString(Obj.takeError()), "compile cancelled");
  C->setCancelled(false);
  Obj = compile(1);
  ASSERT_TRUE(!!Obj) << toString(Obj.takeError());
  EXPECT_GT((*Obj)->getBufferSize(), 0u);
}

// Cancelled while it runs, a compile stops early: its optional passes are
// skipped from then on, and it produces no code.
TEST_F(CompilerTest, ACompileInProgressStopsEarly) {
  using Clock = std::chrono::steady_clock;
  auto Start = Clock::now();
  auto Full = compile(300);
  ASSERT_TRUE(!!Full) << toString(Full.takeError());
  Clock::duration FullTime = Clock::now() - Start;

  std::unique_ptr<Module> M = parse(loops(300));
  Start = Clock::now();
  auto Running = std::async(std::launch::async,
                            [&] { return C->compile(*M, Tier::O3, "test"); });
  std::this_thread::sleep_for(FullTime / 10);
  C->setCancelled(true);
  auto Obj = Running.get();
  Clock::duration CancelledTime = Clock::now() - Start;
  ASSERT_FALSE(!!Obj);
  EXPECT_EQ(toString(Obj.takeError()), "compile cancelled");
  EXPECT_LT(CancelledTime, FullTime / 2);
}
