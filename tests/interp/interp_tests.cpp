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

// Vectors in signatures: libffi has no vector types, so native callers
// enter through the register stub and calls to native code go through
// registers (LLVM's x86-64 convention: one XMM register per vector of up to
// 16 bytes, the ninth and later vectors on the stack).
const char *VectorIR = R"(
define <2 x double> @axpy(double %a, <2 x double> %x, <2 x double> %y) {
  %h = insertelement <2 x double> poison, double %a, i64 0
  %s = shufflevector <2 x double> %h, <2 x double> poison, <2 x i32> zeroinitializer
  %m = fmul <2 x double> %s, %x
  %r = fadd <2 x double> %m, %y
  ret <2 x double> %r
}
define <4 x i32> @many(<4 x i32> %a, <4 x i32> %b, <4 x i32> %c, <4 x i32> %d,
                       <4 x i32> %e, <4 x i32> %f, <4 x i32> %g, <4 x i32> %h,
                       <4 x i32> %i, i32 %k, <4 x i32> %j) {
  %s1 = add <4 x i32> %a, %b
  %s2 = add <4 x i32> %s1, %i
  %s3 = sub <4 x i32> %s2, %j
  %v = insertelement <4 x i32> %s3, i32 %k, i64 3
  ret <4 x i32> %v
}
define double @useAxpy(double %a) {
  %r = call <2 x double> @axpy(double %a, <2 x double> <double 1.0, double 2.0>,
                               <2 x double> <double 10.0, double 20.0>)
  %x = extractelement <2 x double> %r, i64 0
  %y = extractelement <2 x double> %r, i64 1
  %s = fadd double %x, %y
  ret double %s
}
define i32 @useMany() {
  %r = call <4 x i32> @many(<4 x i32> <i32 1, i32 2, i32 3, i32 4>,
      <4 x i32> <i32 10, i32 20, i32 30, i32 40>, <4 x i32> zeroinitializer,
      <4 x i32> zeroinitializer, <4 x i32> zeroinitializer,
      <4 x i32> zeroinitializer, <4 x i32> zeroinitializer,
      <4 x i32> zeroinitializer, <4 x i32> <i32 100, i32 200, i32 300, i32 400>,
      i32 7, <4 x i32> <i32 1, i32 1, i32 1, i32 1>)
  %x = extractelement <4 x i32> %r, i64 0
  %y = extractelement <4 x i32> %r, i64 3
  %s = mul i32 %x, %y
  ret i32 %s
}
)";

typedef double V2d __attribute__((vector_size(16)));
typedef int V4i __attribute__((vector_size(16)));

extern "C" V2d nativeAxpy(double A, V2d X, V2d Y) { return X * A - Y; }
extern "C" V4i nativeMany(V4i A, V4i, V4i, V4i, V4i, V4i, V4i, V4i, V4i I,
                          int K, V4i J) {
  return A * 2 + I + J + K;
}

TEST(InterpCalls, VectorSignatures) {
  Harness H;
  ASSERT_FALSE(H.loadText(VectorIR));
  V2d R = fn<V2d (*)(double, V2d, V2d)>(H, "axpy")(2, V2d{1, 2}, V2d{3, 4});
  EXPECT_EQ(R[0], 5);
  EXPECT_EQ(R[1], 8);
  V4i Z = {0, 0, 0, 0};
  V4i M = fn<V4i (*)(V4i, V4i, V4i, V4i, V4i, V4i, V4i, V4i, V4i, int, V4i)>(
      H, "many")(V4i{1, 2, 3, 4}, V4i{5, 5, 5, 5}, Z, Z, Z, Z, Z, Z,
                 V4i{10, 20, 30, 40}, 9, V4i{1, 1, 1, 1});
  EXPECT_EQ(M[0], 15);
  EXPECT_EQ(M[2], 37);
  EXPECT_EQ(M[3], 9);
  // Interpreted callers, then native callees through the slots.
  auto UseAxpy = fn<double (*)(double)>(H, "useAxpy");
  auto UseMany = fn<int (*)()>(H, "useMany");
  EXPECT_EQ(UseAxpy(3), 3 + 10 + 6 + 20);
  EXPECT_EQ(UseMany(), (1 + 10 + 100 - 1) * 7);
  H.Slots[H.idOf(*H.M->getFunction("axpy"))] =
      reinterpret_cast<void *>(nativeAxpy);
  H.Slots[H.idOf(*H.M->getFunction("many"))] =
      reinterpret_cast<void *>(nativeMany);
  EXPECT_EQ(UseAxpy(3), 3 - 10 + 6 - 20);
  EXPECT_EQ(UseMany(), (2 + 100 + 1 + 7) * (4 * 2 + 400 + 1 + 7));
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
  std::optional<FunctionProfile> P =
      H.Interp->profile(*H.M->getFunction("sum"));
  ASSERT_TRUE(P.has_value());
  EXPECT_EQ(P->Name, "sum");
  EXPECT_EQ(P->Counters.Calls, 2u);
  EXPECT_EQ(P->Counters.TimedCalls, 2u); // all of its calls, weighted
  EXPECT_GT(P->Counters.Cycles, 0u);
  EXPECT_LE(P->Counters.MinCycles, P->Counters.MaxCycles);
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
  std::optional<FunctionProfile> P = H.Interp->profile(*Loop);
  ASSERT_TRUE(P.has_value());
  EXPECT_EQ(P->Counters.Calls, 1u);
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
  // One call: a tenth of the threshold makes it hot.
  H.Interp->setLoopThreshold(*Loop, 100);
  EXPECT_EQ(fn<int64_t (*)(int64_t)>(H, "run")(1000), 499500);
  EXPECT_EQ(Fired, 1);
  EXPECT_EQ(ResumedAt, 10); // 10 iterations interpreted, rest native
  std::optional<FunctionProfile> P = H.Interp->profile(*Loop);
  ASSERT_TRUE(P.has_value());
  EXPECT_EQ(P->BackEdges[1], 10u);
}

// A loop of few iterations per call gets hot at the threshold over all its
// calls, not at a tenth of it.
TEST(InterpLoops, ShortLoopsGetHotOverTheirCalls) {
  Harness H;
  ASSERT_FALSE(H.loadText(OsrIR, /*Outline=*/false));
  Function *Loop = H.M->getFunction("loop");
  int Fired = 0;
  H.OnLoopHot = [&](int) { ++Fired; };
  H.Interp->setLoopThreshold(*Loop, 100);
  auto Run = fn<int64_t (*)(int64_t)>(H, "run");
  for (int Call = 1; Call <= 19; ++Call) // 5 back-edges each
    EXPECT_EQ(Run(5), 10);
  EXPECT_EQ(Fired, 0);
  EXPECT_EQ(Run(5), 10);
  EXPECT_EQ(Fired, 1);
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
  H.OnLoopHot = [&](int) {
    H.Slots[Id] = Other.Slots[Other.idOf(*OtherLoop)].load();
  };
  H.Interp->setLoopThreshold(*Loop, 70); // 7 in this one call
  EXPECT_EQ(fn<int64_t (*)(int64_t)>(H, "sum")(50), 1225);
  std::optional<FunctionProfile> Mine = H.Interp->profile(*Loop);
  std::optional<FunctionProfile> Theirs = Other.Interp->profile(*OtherLoop);
  ASSERT_TRUE(Mine && Theirs);
  uint64_t MineBack = 0, TheirBack = 0;
  for (uint64_t B : Mine->BackEdges)
    MineBack += B;
  for (uint64_t B : Theirs->BackEdges)
    TheirBack += B;
  EXPECT_EQ(MineBack, 7u);
  EXPECT_EQ(Theirs->Counters.Calls, 1u);
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

namespace {

// clang-19 -O1 of: double vsum(int n, ...) summing longs, doubles and
// 16-byte structs {long a, b} (as a - b) in turn.
const char *VarargIR = R"(
%struct.__va_list_tag = type { i32, i32, ptr, ptr }
define dso_local double @vsum(i32 noundef %0, ...) local_unnamed_addr {
  %2 = alloca [1 x %struct.__va_list_tag], align 16
  call void @llvm.lifetime.start.p0(i64 24, ptr nonnull %2)
  call void @llvm.va_start.p0(ptr nonnull %2)
  %3 = icmp sgt i32 %0, 0
  br i1 %3, label %4, label %14
4:                                                ; preds = %1
  %5 = load i32, ptr %2, align 16
  %6 = getelementptr inbounds i8, ptr %2, i64 8
  %7 = getelementptr inbounds i8, ptr %2, i64 16
  %8 = load ptr, ptr %7, align 16
  %9 = getelementptr inbounds i8, ptr %2, i64 4
  %10 = getelementptr inbounds i8, ptr %2, i64 8
  %11 = getelementptr inbounds i8, ptr %2, i64 8
  %12 = load ptr, ptr %6, align 8
  %13 = load i32, ptr %9, align 4
  br label %16
14:                                               ; preds = %67, %1
  %15 = phi double [ 0.000000e+00, %1 ], [ %72, %67 ]
  call void @llvm.va_end.p0(ptr %2)
  call void @llvm.lifetime.end.p0(i64 24, ptr nonnull %2)
  ret double %15
16:                                               ; preds = %4, %67
  %17 = phi i32 [ %13, %4 ], [ %68, %67 ]
  %18 = phi ptr [ %12, %4 ], [ %69, %67 ]
  %19 = phi double [ 0.000000e+00, %4 ], [ %72, %67 ]
  %20 = phi i32 [ 0, %4 ], [ %73, %67 ]
  %21 = phi i32 [ %5, %4 ], [ %70, %67 ]
  %22 = urem i32 %20, 3
  switch i32 %22, label %53 [
    i32 1, label %23
    i32 2, label %36
  ]
23:                                               ; preds = %16
  %24 = icmp ult i32 %17, 161
  br i1 %24, label %25, label %29
25:                                               ; preds = %23
  %26 = zext nneg i32 %17 to i64
  %27 = getelementptr i8, ptr %8, i64 %26
  %28 = add nuw nsw i32 %17, 16
  store i32 %28, ptr %9, align 4
  br label %31
29:                                               ; preds = %23
  %30 = getelementptr i8, ptr %18, i64 8
  store ptr %30, ptr %10, align 8
  br label %31
31:                                               ; preds = %29, %25
  %32 = phi i32 [ %28, %25 ], [ %17, %29 ]
  %33 = phi ptr [ %18, %25 ], [ %30, %29 ]
  %34 = phi ptr [ %27, %25 ], [ %18, %29 ]
  %35 = load double, ptr %34, align 8
  br label %67
36:                                               ; preds = %16
  %37 = icmp ult i32 %21, 33
  br i1 %37, label %38, label %42
38:                                               ; preds = %36
  %39 = zext nneg i32 %21 to i64
  %40 = getelementptr i8, ptr %8, i64 %39
  %41 = add nuw nsw i32 %21, 16
  store i32 %41, ptr %2, align 16
  br label %44
42:                                               ; preds = %36
  %43 = getelementptr i8, ptr %18, i64 16
  store ptr %43, ptr %6, align 8
  br label %44
44:                                               ; preds = %42, %38
  %45 = phi ptr [ %18, %38 ], [ %43, %42 ]
  %46 = phi i32 [ %41, %38 ], [ %21, %42 ]
  %47 = phi ptr [ %40, %38 ], [ %18, %42 ]
  %48 = load i64, ptr %47, align 8
  %49 = getelementptr inbounds i8, ptr %47, i64 8
  %50 = load i64, ptr %49, align 8
  %51 = sub nsw i64 %48, %50
  %52 = sitofp i64 %51 to double
  br label %67
53:                                               ; preds = %16
  %54 = icmp ult i32 %21, 41
  br i1 %54, label %55, label %59
55:                                               ; preds = %53
  %56 = zext nneg i32 %21 to i64
  %57 = getelementptr i8, ptr %8, i64 %56
  %58 = add nuw nsw i32 %21, 8
  store i32 %58, ptr %2, align 16
  br label %61
59:                                               ; preds = %53
  %60 = getelementptr i8, ptr %18, i64 8
  store ptr %60, ptr %11, align 8
  br label %61
61:                                               ; preds = %59, %55
  %62 = phi ptr [ %18, %55 ], [ %60, %59 ]
  %63 = phi i32 [ %58, %55 ], [ %21, %59 ]
  %64 = phi ptr [ %57, %55 ], [ %18, %59 ]
  %65 = load i64, ptr %64, align 8
  %66 = sitofp i64 %65 to double
  br label %67
67:                                               ; preds = %31, %61, %44
  %68 = phi i32 [ %32, %31 ], [ %17, %44 ], [ %17, %61 ]
  %69 = phi ptr [ %33, %31 ], [ %45, %44 ], [ %62, %61 ]
  %70 = phi i32 [ %21, %31 ], [ %46, %44 ], [ %63, %61 ]
  %71 = phi double [ %35, %31 ], [ %52, %44 ], [ %66, %61 ]
  %72 = fadd double %19, %71
  %73 = add nuw nsw i32 %20, 1
  %74 = icmp eq i32 %73, %0
  br i1 %74, label %14, label %16
}
declare void @llvm.lifetime.start.p0(i64 immarg, ptr nocapture)
declare void @llvm.va_start.p0(ptr)
declare void @llvm.lifetime.end.p0(i64 immarg, ptr nocapture)
declare void @llvm.va_end.p0(ptr)
)";

struct Pair {
  long A, B;
};

TEST(InterpCalls, NativeCallerReachesInterpretedVarargs) {
  Harness H;
  ASSERT_FALSE(H.loadText(VarargIR));
  auto VSum = fn<double (*)(int, ...)>(H, "vsum");
  EXPECT_EQ(VSum(3, 1L, 2.5, Pair{10, 3}), 10.5);
  // Second pair no longer fits in registers; later scalars still do.
  EXPECT_EQ(VSum(7, 1L, 2.5, Pair{10, 3}, 4L, 0.25, Pair{1, 2}, 100L), 113.75);
  // Enough doubles to spill past xmm7 into the overflow area.
  EXPECT_EQ(VSum(30, 1L, 1.0, Pair{2, 1}, 1L, 1.0, Pair{2, 1}, 1L, 1.0,
                 Pair{2, 1}, 1L, 1.0, Pair{2, 1}, 1L, 1.0, Pair{2, 1}, 1L, 1.0,
                 Pair{2, 1}, 1L, 1.0, Pair{2, 1}, 1L, 1.0, Pair{2, 1}, 1L, 1.0,
                 Pair{2, 1}, 1L, 1.0, Pair{2, 1}),
            30.0);
}

} // namespace

namespace {

const char *OddIR = R"(
define i64 @odd(ptr %p) {
  %a = load i24, ptr %p
  %b = add i24 %a, 8388607
  store i24 %b, ptr %p
  %c = zext i24 %b to i64
  %d = trunc i64 %c to i7
  %e = mul i7 %d, 3
  %f = sdiv i7 %e, -2
  %g = sext i7 %f to i64
  %h = add i64 %c, %g
  ret i64 %h
}
define i64 @intrinsics(i8 %x, i16 %y, i32 %z) {
  %r1 = call i8 @llvm.fshl.i8(i8 %x, i8 %x, i8 3)
  %r2 = call i16 @llvm.bitreverse.i16(i16 %y)
  %r3 = call i32 @llvm.ctlz.i32(i32 %z, i1 false)
  %r4 = call i8 @llvm.usub.sat.i8(i8 %x, i8 200)
  %r5 = call i16 @llvm.abs.i16(i16 -300, i1 false)
  %r6 = call i32 @llvm.cttz.i32(i32 0, i1 false)
  %s1 = zext i8 %r1 to i64
  %s2 = zext i16 %r2 to i64
  %s3 = zext i32 %r3 to i64
  %s4 = zext i8 %r4 to i64
  %s5 = zext i16 %r5 to i64
  %s6 = zext i32 %r6 to i64
  %t1 = shl i64 %s1, 56
  %t2 = shl i64 %s2, 40
  %t3 = shl i64 %s3, 32
  %t4 = shl i64 %s4, 24
  %t5 = shl i64 %s5, 8
  %u1 = or i64 %t1, %t2
  %u2 = or i64 %u1, %t3
  %u3 = or i64 %u2, %t4
  %u4 = or i64 %u3, %t5
  %u5 = or i64 %u4, %s6
  ret i64 %u5
}
define i32 @vec(i32 %a, i32 %b) {
  %v0 = insertelement <4 x i32> poison, i32 %a, i64 0
  %v1 = insertelement <4 x i32> %v0, i32 %b, i64 1
  %v = shufflevector <4 x i32> %v1, <4 x i32> poison, <4 x i32> <i32 0, i32 1, i32 0, i32 1>
  %w = mul <4 x i32> %v, <i32 1, i32 2, i32 3, i32 4>
  %m = icmp sgt <4 x i32> %w, <i32 5, i32 5, i32 5, i32 5>
  %s = select <4 x i1> %m, <4 x i32> %w, <4 x i32> zeroinitializer
  %r = call i32 @llvm.vector.reduce.add.v4i32(<4 x i32> %s)
  %x = call i32 @llvm.vector.reduce.smax.v4i32(<4 x i32> %w)
  %y = mul i32 %x, 1000
  %z = add i32 %r, %y
  ret i32 %z
}
define i64 @atomics(ptr %p) {
  %o = atomicrmw add ptr %p, i64 5 seq_cst
  %c = cmpxchg ptr %p, i64 15, i64 100 seq_cst seq_cst
  %v = extractvalue { i64, i1 } %c, 0
  %ok = extractvalue { i64, i1 } %c, 1
  %k = zext i1 %ok to i64
  %m = atomicrmw umax ptr %p, i64 7 seq_cst
  %n = load i64, ptr %p
  %a = mul i64 %k, 1000000
  %b = mul i64 %o, 10000
  %s1 = add i64 %a, %b
  %s2 = add i64 %s1, %n
  ret i64 %s2
}
declare i8 @llvm.fshl.i8(i8, i8, i8)
declare i16 @llvm.bitreverse.i16(i16)
declare i32 @llvm.ctlz.i32(i32, i1)
declare i8 @llvm.usub.sat.i8(i8, i8)
declare i16 @llvm.abs.i16(i16, i1)
declare i32 @llvm.cttz.i32(i32, i1)
declare i32 @llvm.vector.reduce.add.v4i32(<4 x i32>)
declare i32 @llvm.vector.reduce.smax.v4i32(<4 x i32>)
)";

TEST(InterpSemantics, OddWidthsIntrinsicsVectorsAtomics) {
  Harness H;
  ASSERT_FALSE(H.loadText(OddIR));
  uint8_t Mem[4] = {0x01, 0x00, 0x80, 0x77}; // i24 0x800001, byte 3 untouched
  // 0x800001 + 0x7fffff = 0x000000 (wraps); i7: 0 * 3 / -2 = 0.
  EXPECT_EQ(fn<int64_t (*)(void *)>(H, "odd")(Mem), 0);
  EXPECT_EQ(Mem[0] | Mem[1] | Mem[2], 0);
  EXPECT_EQ(Mem[3], 0x77);
  Mem[0] = 5, Mem[1] = 0, Mem[2] = 0;
  // 5 + 0x7fffff = 0x800004; low 7 bits 4; 4*3 = 12; 12 / -2 = -6.
  EXPECT_EQ(fn<int64_t (*)(void *)>(H, "odd")(Mem), 0x800004 - 6);
  uint64_t R = fn<uint64_t (*)(uint8_t, uint16_t, uint32_t)>(H, "intrinsics")(
      0x81, 0x0001, 0x00010000);
  EXPECT_EQ(R >> 56, 0x0cu);              // fshl(0x81, 0x81, 3)
  EXPECT_EQ((R >> 40) & 0xffff, 0x8000u); // bitreverse(1)
  EXPECT_EQ((R >> 32) & 0xff, 15u);       // ctlz(0x10000) (overlaps r2)
  EXPECT_EQ((R >> 24) & 0xff, 0u);        // usub.sat(0x81, 200)
  EXPECT_EQ((R >> 8) & 0xffff, 300u);     // abs(-300)
  EXPECT_EQ(R & 0xff, 32u);               // cttz(0)
  // v = {1, 3, 1, 3}, w = {1, 6, 3, 12}: select keeps 6 and 12; smax 12.
  EXPECT_EQ(fn<int (*)(int, int)>(H, "vec")(1, 3), 18 + 12000);
  int64_t Cell = 10;
  // add: 10 -> 15 (old 10); cmpxchg 15 -> 100 ok; umax(100, 7) = 100.
  EXPECT_EQ(fn<int64_t (*)(int64_t *)>(H, "atomics")(&Cell),
            1000000 + 100000 + 100);
}

} // namespace

namespace {

// %i2 shares %i's slot; the load through %g must still read a[i], not a[i+1].
const char *HazardIR = R"(
define i64 @hazard(ptr %a, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i2, %body ]
  %s = phi i64 [ 0, %entry ], [ %s2, %body ]
  %c = icmp slt i64 %i, %n
  br i1 %c, label %body, label %done
body:
  %g = getelementptr i64, ptr %a, i64 %i
  %i2 = add i64 %i, 1
  %v = load i64, ptr %g
  %s2 = add i64 %s, %v
  br label %loop
done:
  ret i64 %s
}
)";

TEST(InterpSemantics, CoalescedPhiIsNotReadLate) {
  Harness H;
  ASSERT_FALSE(H.loadText(HazardIR, /*Outline=*/false));
  int64_t A[5] = {1, 2, 3, 4, 1000};
  EXPECT_EQ(fn<int64_t (*)(int64_t *, int64_t)>(H, "hazard")(A, 4), 10);
}

} // namespace
