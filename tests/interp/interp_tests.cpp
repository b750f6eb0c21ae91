// Unit tests of the interpreter API: errors, closures, mixed mode,
// profiling, thresholds and loop outlining / activation transfer.
#include "Harness.h"
#include "llvm/Support/Error.h"
#include <gtest/gtest.h>

using namespace gts;
using namespace llvm;

namespace {

std::string errText(Error E) { return E ? toString(std::move(E)) : ""; }

template <typename Fn> Fn fn(Harness &H, const char *Name) {
  Expected<void *> P = H.entry(Name);
  EXPECT_TRUE(bool(P)) << (P ? "" : toString(P.takeError()));
  return reinterpret_cast<Fn>(*P);
}

TEST(InterpErrors, UnsupportedConstructIsNamed) {
  Harness H;
  ASSERT_FALSE(H.loadText(R"(
define i32 @asm(i32 %x) {
  %r = call i32 asm "bswap $0", "=r,0"(i32 %x)
  ret i32 %r
}
define x86_fp80 @ld(x86_fp80 %a) {
  %r = fadd x86_fp80 %a, %a
  ret x86_fp80 %r
}
define i32 @ok(i32 %x) {
  %r = add i32 %x, 1
  ret i32 %r
}
)"));
  std::string E1 = errText(H.Interp->canRun(*H.M->getFunction("asm")));
  EXPECT_NE(E1.find("inline asm"), std::string::npos) << E1;
  EXPECT_NE(E1.find("@asm"), std::string::npos) << E1;
  std::string E2 = errText(H.Interp->canRun(*H.M->getFunction("ld")));
  EXPECT_NE(E2.find("x86_fp80"), std::string::npos) << E2;
  EXPECT_EQ(errText(H.Interp->canRun(*H.M->getFunction("ok"))), "");
}

TEST(InterpErrors, UnresolvedExternalIsNamed) {
  Harness H;
  ASSERT_FALSE(H.loadText(R"(
declare i32 @no_such_native(i32)
define i32 @f(i32 %x) {
  %r = call i32 @no_such_native(i32 %x)
  ret i32 %r
}
)"));
  std::string E = errText(H.Interp->canRun(*H.M->getFunction("f")));
  EXPECT_NE(E.find("no_such_native"), std::string::npos) << E;
}

TEST(InterpErrors, BadIRIsAnError) {
  Harness H;
  EXPECT_NE(errText(H.loadText("define i32 @f( {")), "");
}

const char *CallIR = R"(
define i32 @callee(i32 %x) {
  %r = mul i32 %x, 3
  ret i32 %r
}
define i32 @caller(i32 %x) {
  %a = call i32 @callee(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}
define i32 @indirect(ptr %f, i32 %x) {
  %r = call i32 %f(i32 %x)
  ret i32 %r
}
define ptr @addr() {
  ret ptr @callee
}
)";

extern "C" int nativeCallee(int X) { return 1000 + X; }

TEST(InterpCalls, ClosureIsNativeCallable) {
  Harness H;
  ASSERT_FALSE(H.loadText(CallIR));
  EXPECT_EQ(fn<int (*)(int)>(H, "caller")(5), 16);
  EXPECT_EQ(fn<int (*)(int)>(H, "callee")(-4), -12);
}

TEST(InterpCalls, SlotChangeRoutesToNativeCode) {
  Harness H;
  ASSERT_FALSE(H.loadText(CallIR));
  auto Caller = fn<int (*)(int)>(H, "caller");
  EXPECT_EQ(Caller(2), 7);
  int Id = H.idOf(*H.M->getFunction("callee"));
  H.Slots[Id] = reinterpret_cast<void *>(nativeCallee);
  EXPECT_EQ(Caller(2), 1003);
  // Indirect calls through the function's address follow the slot too.
  auto Addr = fn<void *(*)()>(H, "addr");
  auto Indirect = fn<int (*)(void *, int)>(H, "indirect");
  EXPECT_EQ(Indirect(Addr(), 1), 1001);
  EXPECT_EQ(Indirect(reinterpret_cast<void *>(nativeCallee), 9), 1009);
}

const char *LoopIR = R"(
define i64 @sum(i64 %n) {
entry:
  br label %head
head:
  %i = phi i64 [ 0, %entry ], [ %i2, %body ]
  %s = phi i64 [ 0, %entry ], [ %s2, %body ]
  %c = icmp slt i64 %i, %n
  br i1 %c, label %body, label %done
body:
  %s2 = add i64 %s, %i
  %i2 = add i64 %i, 1
  br label %head
done:
  ret i64 %s
}
)";

TEST(InterpProfile, CountsCallsBlocksAndBackEdges) {
  Harness H;
  ASSERT_FALSE(H.loadText(LoopIR, /*Outline=*/false));
  auto Sum = fn<int64_t (*)(int64_t)>(H, "sum");
  EXPECT_EQ(Sum(10), 45);
  EXPECT_EQ(Sum(5), 10);
  const FuncProfile *P = H.Interp->profile(*H.M->getFunction("sum"));
  ASSERT_NE(P, nullptr);
  EXPECT_EQ(P->Calls, 2u);
  EXPECT_GT(P->Cycles, 0u);
  EXPECT_LE(P->MinCycles, P->MaxCycles);
  ASSERT_EQ(P->BlockCounts.size(), 4u);
  EXPECT_EQ(P->BlockCounts[0], 2u);  // entry
  EXPECT_EQ(P->BlockCounts[1], 17u); // head: 11 + 6
  EXPECT_EQ(P->BlockCounts[2], 15u); // body
  EXPECT_EQ(P->BlockCounts[3], 2u);  // done
  EXPECT_EQ(P->BackEdges[1], 15u);   // body -> head
}

TEST(InterpProfile, CallThresholdFiresOnce) {
  Harness H;
  ASSERT_FALSE(H.loadText(CallIR));
  std::vector<int> Hot;
  H.OnHot = [&](int Id) { Hot.push_back(Id); };
  H.Interp->setCallThreshold(*H.M->getFunction("callee"), 3);
  auto Caller = fn<int (*)(int)>(H, "caller");
  for (int I = 0; I < 6; ++I)
    Caller(I);
  ASSERT_EQ(Hot.size(), 1u);
  EXPECT_EQ(Hot[0], H.idOf(*H.M->getFunction("callee")));
}

TEST(InterpLoops, OutermostLoopsAreOutlined) {
  Harness H;
  ASSERT_FALSE(H.loadText(LoopIR));
  Function *Loop = nullptr;
  for (Function *F : H.Funcs)
    if (F->hasFnAttribute("gts-loop"))
      Loop = F;
  ASSERT_NE(Loop, nullptr);
  EXPECT_EQ(fn<int64_t (*)(int64_t)>(H, "sum")(100), 4950);
  const FuncProfile *P = H.Interp->profile(*Loop);
  ASSERT_NE(P, nullptr);
  EXPECT_EQ(P->Calls, 1u);
}

// Outlined form: state at the header lives in the caller's memory.
const char *OsrIR = R"(
define void @loop(ptr %i, ptr %sum, i64 %n) #0 {
entry:
  br label %header
header:
  %iv = load i64, ptr %i
  %c = icmp slt i64 %iv, %n
  br i1 %c, label %body, label %exit
body:
  %s = load i64, ptr %sum
  %s2 = add i64 %s, %iv
  store i64 %s2, ptr %sum
  %iv2 = add i64 %iv, 1
  store i64 %iv2, ptr %i
  br label %header
exit:
  ret void
}
define i64 @run(i64 %n) {
  %i = alloca i64
  %sum = alloca i64
  store i64 0, ptr %i
  store i64 0, ptr %sum
  call void @loop(ptr %i, ptr %sum, i64 %n)
  %r = load i64, ptr %sum
  ret i64 %r
}
attributes #0 = { "gts-loop" }
)";

int64_t ResumedAt = -1;
extern "C" void nativeLoop(int64_t *I, int64_t *Sum, int64_t N) {
  ResumedAt = *I;
  for (; *I < N; ++*I)
    *Sum += *I;
}

TEST(InterpLoops, HotLoopMovesRunningActivation) {
  Harness H;
  ASSERT_FALSE(H.loadText(OsrIR, /*Outline=*/false));
  Function *Loop = H.M->getFunction("loop");
  int Id = H.idOf(*Loop);
  int Fired = 0;
  H.OnLoopHot = [&](int Hot) {
    EXPECT_EQ(Hot, Id);
    ++Fired;
    H.Slots[Id] = reinterpret_cast<void *>(nativeLoop);
  };
  H.Interp->setLoopThreshold(*Loop, 10);
  EXPECT_EQ(fn<int64_t (*)(int64_t)>(H, "run")(1000), 499500);
  EXPECT_EQ(Fired, 1);
  EXPECT_EQ(ResumedAt, 10); // 10 iterations interpreted, rest native
  const FuncProfile *P = H.Interp->profile(*Loop);
  ASSERT_NE(P, nullptr);
  EXPECT_EQ(P->BackEdges[1], 10u);
}

Function *loopOf(Harness &H) {
  for (Function *F : H.Funcs)
    if (F->hasFnAttribute("gts-loop"))
      return F;
  return nullptr;
}

TEST(InterpLoops, PreparedLoopResumesInReplacement) {
  // The real pipeline: outline, then move the hot loop's activation to other
  // code for the same function. A second interpreter instance over the same
  // IR stands in for JIT code.
  Harness H, Other;
  ASSERT_FALSE(H.loadText(LoopIR));
  ASSERT_FALSE(Other.loadText(LoopIR));
  Function *Loop = loopOf(H), *OtherLoop = loopOf(Other);
  ASSERT_TRUE(Loop && OtherLoop);
  int Id = H.idOf(*Loop);
  H.OnLoopHot = [&](int) { H.Slots[Id] = Other.Slots[Other.idOf(*OtherLoop)]; };
  H.Interp->setLoopThreshold(*Loop, 7);
  EXPECT_EQ(fn<int64_t (*)(int64_t)>(H, "sum")(50), 1225);
  const FuncProfile *Mine = H.Interp->profile(*Loop);
  const FuncProfile *Theirs = Other.Interp->profile(*OtherLoop);
  ASSERT_TRUE(Mine && Theirs);
  uint64_t MineBack = 0, TheirBack = 0;
  for (uint64_t B : Mine->BackEdges)
    MineBack += B;
  for (uint64_t B : Theirs->BackEdges)
    TheirBack += B;
  EXPECT_EQ(MineBack, 7u);
  EXPECT_EQ(Theirs->Calls, 1u);
  EXPECT_EQ(MineBack + TheirBack, 50u); // every iteration ran exactly once
}

} // namespace

namespace {

TEST(InterpDeathTest, DeepRecursionEndsWithMessage) {
  Harness H;
  ASSERT_FALSE(H.loadText(R"(
define i64 @depth(i64 %n) {
  %z = icmp eq i64 %n, 0
  br i1 %z, label %done, label %rec
rec:
  %m = sub i64 %n, 1
  %d = call i64 @depth(i64 %m)
  %r = add i64 %d, 1
  ret i64 %r
done:
  ret i64 0
}
)"));
  auto Depth = fn<int64_t (*)(int64_t)>(H, "depth");
  EXPECT_EQ(Depth(1000), 1000);
  EXPECT_EXIT(Depth(int64_t(1) << 40), testing::ExitedWithCode(70),
              "recursion too deep");
}

TEST(InterpDeathTest, UnreachableEndsWithMessage) {
  Harness H;
  ASSERT_FALSE(H.loadText(R"(
define void @boom() {
  unreachable
}
)"));
  auto Boom = fn<void (*)()>(H, "boom");
  EXPECT_EXIT(Boom(), testing::ExitedWithCode(70),
              "unreachable executed in @boom");
}

} // namespace
