#include "jit/Compiler.h"
#include "jit/TierUnit.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Object/ObjectFile.h"
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

// Remarks of instructions that O0's fast instruction selector left to
// SelectionDAG.
struct FastISelMisses : DiagnosticHandler {
  std::vector<std::string> &Seen;
  explicit FastISelMisses(std::vector<std::string> &Seen) : Seen(Seen) {}
  bool isMissedOptRemarkEnabled(StringRef Pass) const override {
    return Pass == "sdagisel";
  }
  bool handleDiagnostics(const DiagnosticInfo &DI) override {
    if (auto *R = dyn_cast<DiagnosticInfoOptimizationBase>(&DI);
        R && R->isMissed() && R->getPassName() == "sdagisel")
      Seen.push_back(R->getMsg());
    return true;
  }
};

// The profiling code of an O0 unit (tier-up check, sampled timing at a
// function's several returns, an outlined loop's back-edge tick) is all
// selected by FastISel: each miss costs a SelectionDAG run for its block,
// and readcyclecounter, umin and umax in the IR made the O0 unit of
// TinyLlama's tokenizer loop 2.3 ms of code generation.
TEST_F(CompilerTest, InstrumentedO0CodeNeedsNoSelectionDAG) {
  std::unique_ptr<Module> M = parse(R"(
define i32 @pick(ptr %p, i32 %n) "gts-loop" {
entry:
  br label %loop
loop:
  %i = load i32, ptr %p
  %odd = and i32 %i, 1
  %stop = icmp eq i32 %odd, 1
  br i1 %stop, label %first, label %next
next:
  %i1 = add i32 %i, 1
  store i32 %i1, ptr %p
  %done = icmp sge i32 %i1, %n
  br i1 %done, label %second, label %loop
first:
  ret i32 1
second:
  ret i32 2
}
)");
  std::vector<Function *> Fns = {M->getFunction("pick")};
  InstrumentOptions Profiling;
  Profiling.SamplePeriod = 64;
  Profiling.LoopTransfer = true;
  UnitModule U = buildTierUnit(*M, Fns, {{0}, Tier::O0, 1, Profiling});
  Function *Body = U.M->getFunction(U.BodySymbols[0]);
  ASSERT_TRUE(Body);
  unsigned Returns = 0, TimedEnds = 0;
  for (BasicBlock &BB : *Body)
    for (Instruction &I : BB) {
      Returns += isa<ReturnInst>(I);
      auto *CB = dyn_cast<CallBase>(&I);
      Function *Callee = CB ? CB->getCalledFunction() : nullptr;
      TimedEnds += Callee && Callee->getName() == "__gts_time_call";
    }
  // One return joins the loop's two exits; the other leaves for newer code.
  EXPECT_EQ(Returns, 2u);
  EXPECT_EQ(TimedEnds, 2u);

  std::vector<std::string> Misses;
  U.M->getContext().setDiagnosticHandler(
      std::make_unique<FastISelMisses>(Misses));
  auto Obj = C->compile(*U.M, Tier::O0, "unit");
  ASSERT_TRUE(!!Obj) << toString(Obj.takeError());
  EXPECT_TRUE(Misses.empty()) << Misses.front();
}

// An O0 unit inlines a trivial leaf it calls: its object does not refer to
// the leaf.
TEST_F(CompilerTest, O0CodeInlinesTrivialLeaves) {
  std::unique_ptr<Module> M = parse(R"(
define i32 @read32(ptr %p) {
  %v = load i32, ptr %p
  ret i32 %v
}
define i32 @sum(ptr %p, i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %s = phi i32 [ 0, %entry ], [ %s1, %loop ]
  %a = getelementptr i32, ptr %p, i32 %i
  %v = call i32 @read32(ptr %a)
  %s1 = add i32 %s, %v
  %i1 = add i32 %i, 1
  %done = icmp eq i32 %i1, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i32 %s1
}
)");
  std::vector<Function *> Fns = {M->getFunction("read32"),
                                 M->getFunction("sum")};
  UnitModule U = buildTierUnit(*M, Fns, {{1}, Tier::O0, 1, {}});
  auto Obj = C->compile(*U.M, Tier::O0, "unit");
  ASSERT_TRUE(!!Obj) << toString(Obj.takeError());
  auto File = object::ObjectFile::createObjectFile((*Obj)->getMemBufferRef());
  ASSERT_TRUE(!!File) << toString(File.takeError());
  for (const object::SymbolRef &Sym : (*File)->symbols())
    EXPECT_NE(cantFail(Sym.getName()), "read32");
}
