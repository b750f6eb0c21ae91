//===- Exec.cpp - threaded dispatch loop and calls ------------------------===//
//
// exec() runs decoded code with computed goto: each Inst holds its handler's
// address, so dispatch is one indirect jump. Frames live on a per-thread
// interpreter stack; dynamic allocas bump the same stack.
//
//===----------------------------------------------------------------------===//
#include "Decoded.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Support/raw_ostream.h"
#include <bit>
#include <cmath>
#include <cstring>
#include <pthread.h>
#include <sys/mman.h>
#include <vector>
#include <x86intrin.h>

using namespace llvm;

namespace gts {
namespace {

using u128 = unsigned __int128;
using s128 = __int128;
using Impl = Interpreter::Impl;

struct Stack {
  uint8_t *Base = nullptr, *Sp = nullptr, *End = nullptr;
};
thread_local Stack TS;
constexpr size_t StackBytes = size_t(256) << 20;

uint8_t *alignUp(uint8_t *P, uintptr_t A) {
  return reinterpret_cast<uint8_t *>((uintptr_t(P) + A - 1) & ~(A - 1));
}

// Lowest native stack address the interpreter may recurse to (0: unknown).
thread_local uint8_t *NativeLimit;

void initNativeLimit() {
  pthread_attr_t A;
  void *Addr;
  size_t Size;
  if (pthread_getattr_np(pthread_self(), &A))
    return;
  if (!pthread_attr_getstack(&A, &Addr, &Size) && Size > (size_t(1) << 20))
    NativeLimit = static_cast<uint8_t *>(Addr) + (256 << 10);
  pthread_attr_destroy(&A);
}

// Deep recursion ends with a message instead of a fault.
void checkNativeStack() {
  if (static_cast<uint8_t *>(__builtin_frame_address(0)) < NativeLimit)
      [[unlikely]]
    fatal("native stack exhausted (recursion too deep)");
}

// Native entry points (closures) map the thread's stack on first use.
void initStack() {
  if (TS.Base)
    return;
  initNativeLimit();
  void *M = mmap(nullptr, StackBytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (M == MAP_FAILED)
    fatal("cannot map the interpreter stack");
  TS.Base = TS.Sp = static_cast<uint8_t *>(M);
  TS.End = TS.Base + StackBytes;
}

// Native entries into the interpreter, innermost last: where the entry's
// native frame is and the interpreter stack pointer it restores. A longjmp
// from interpreted code to a compiled setjmp skips those restores; an entry
// deeper on the native stack than a new one is then dead (the new entry's
// frame lies at or above it), and the interpreter stack it held is
// reclaimed here instead of leaking once per longjmp.
struct EntryMark {
  uintptr_t Frame;
  uint8_t *Sp;
};
thread_local std::vector<EntryMark> Entries;

void enterFromNative(void *Frame) {
  initStack();
  uintptr_t Here = reinterpret_cast<uintptr_t>(Frame);
  while (!Entries.empty() && Entries.back().Frame <= Here) {
    TS.Sp = Entries.back().Sp;
    Entries.pop_back();
  }
  Entries.push_back({Here, TS.Sp});
}

void leaveToNative() {
  TS.Sp = Entries.back().Sp;
  Entries.pop_back();
}

uint8_t *bump(size_t Size, size_t Align) {
  uint8_t *P = alignUp(TS.Sp, Align);
  if (P + Size > TS.End || P + Size < P)
    fatal("interpreter stack overflow");
  TS.Sp = P + Size;
  return P;
}

uint8_t *pushFrame(FuncState &FS) {
  uint8_t *Fp = bump(FS.FrameSize, FS.FrameAlign);
  // The template is a few words: an inline copy beats a memcpy call.
  const uint64_t *Src = reinterpret_cast<const uint64_t *>(FS.Consts.data());
  uint64_t *Dst = reinterpret_cast<uint64_t *>(Fp);
  for (uint32_t K = 0, N = FS.ConstSize / 8; K < N; ++K)
    Dst[K] = Src[K];
  return Fp;
}

int64_t sext(uint64_t V, unsigned Bits) {
  return int64_t(V << (64 - Bits)) >> (64 - Bits);
}
u128 ld128(const uint8_t *P) {
  u128 V;
  memcpy(&V, P, 16);
  return V;
}
void st128(uint8_t *P, u128 V) { memcpy(P, &V, 16); }

bool fcmp(unsigned Pred, double A, double B) {
  bool Uno = std::isnan(A) || std::isnan(B);
  switch (Pred) {
  case CmpInst::FCMP_FALSE:
    return false;
  case CmpInst::FCMP_OEQ:
    return !Uno && A == B;
  case CmpInst::FCMP_OGT:
    return !Uno && A > B;
  case CmpInst::FCMP_OGE:
    return !Uno && A >= B;
  case CmpInst::FCMP_OLT:
    return !Uno && A < B;
  case CmpInst::FCMP_OLE:
    return !Uno && A <= B;
  case CmpInst::FCMP_ONE:
    return !Uno && A != B;
  case CmpInst::FCMP_ORD:
    return !Uno;
  case CmpInst::FCMP_UNO:
    return Uno;
  case CmpInst::FCMP_UEQ:
    return Uno || A == B;
  case CmpInst::FCMP_UGT:
    return Uno || A > B;
  case CmpInst::FCMP_UGE:
    return Uno || A >= B;
  case CmpInst::FCMP_ULT:
    return Uno || A < B;
  case CmpInst::FCMP_ULE:
    return Uno || A <= B;
  case CmpInst::FCMP_UNE:
    return Uno || A != B;
  default:
    return true;
  }
}

template <typename T> bool icmp(unsigned Pred, T A, T B) {
  using S = std::make_signed_t<T>;
  switch (Pred) {
  case CmpInst::ICMP_EQ:
    return A == B;
  case CmpInst::ICMP_NE:
    return A != B;
  case CmpInst::ICMP_UGT:
    return A > B;
  case CmpInst::ICMP_UGE:
    return A >= B;
  case CmpInst::ICMP_ULT:
    return A < B;
  case CmpInst::ICMP_ULE:
    return A <= B;
  case CmpInst::ICMP_SGT:
    return S(A) > S(B);
  case CmpInst::ICMP_SGE:
    return S(A) >= S(B);
  case CmpInst::ICMP_SLT:
    return S(A) < S(B);
  default:
    return S(A) <= S(B);
  }
}

[[gnu::noinline]] uint64_t intIntrinsic(unsigned Op, unsigned Bits, uint64_t A,
                                        uint64_t B, uint64_t C) {
  uint64_t M = Bits >= 64 ? ~0ull : (1ull << Bits) - 1;
  int64_t SA = sext(A, Bits), SB = sext(B, Bits);
  int64_t SMax = int64_t(M >> 1), SMin = -SMax - 1;
  switch (Op) {
  case IO_SMIN:
    return (SA < SB ? A : B);
  case IO_SMAX:
    return (SA > SB ? A : B);
  case IO_UMIN:
    return A < B ? A : B;
  case IO_UMAX:
    return A > B ? A : B;
  case IO_ABS:
    return uint64_t(SA < 0 ? -SA : SA) & M;
  case IO_CTPOP:
    return std::popcount(A);
  case IO_CTLZ:
    return std::countl_zero(A) - (64 - Bits);
  case IO_CTTZ:
    return A ? std::countr_zero(A) : Bits;
  case IO_BSWAP:
    return __builtin_bswap64(A) >> (64 - Bits);
  case IO_BITREV: {
    uint64_t R = 0;
    for (unsigned I = 0; I < Bits; ++I)
      R |= ((A >> I) & 1) << (Bits - 1 - I);
    return R;
  }
  case IO_FSHL:
  case IO_FSHR: {
    unsigned S = C % Bits;
    if (!S)
      return Op == IO_FSHL ? A : B;
    return Op == IO_FSHL ? ((A << S) | (B >> (Bits - S))) & M
                         : ((A << (Bits - S)) | (B >> S)) & M;
  }
  case IO_SADDSAT: {
    int64_t R = SA + SB; // no 64-bit overflow for Bits < 64 handled below
    if (Bits == 64 && __builtin_add_overflow(SA, SB, &R))
      return SA < 0 ? uint64_t(INT64_MIN) : uint64_t(INT64_MAX);
    return uint64_t(std::clamp(R, SMin, SMax)) & M;
  }
  case IO_SSUBSAT: {
    int64_t R = SA - SB;
    if (Bits == 64 && __builtin_sub_overflow(SA, SB, &R))
      return SA < 0 ? uint64_t(INT64_MIN) : uint64_t(INT64_MAX);
    return uint64_t(std::clamp(R, SMin, SMax)) & M;
  }
  case IO_UADDSAT: {
    uint64_t R = (A + B) & M;
    return R < A ? M : R;
  }
  default:
    return A < B ? 0 : A - B;
  }
}

// Writes {iN result, i1 overflow} at D.
[[gnu::noinline]] void overflowOp(uint8_t *D, unsigned Op, unsigned Bits,
                                  uint64_t A, uint64_t B, unsigned FlagOff) {
  uint64_t M = Bits >= 64 ? ~0ull : (1ull << Bits) - 1;
  int64_t SA = sext(A, Bits), SB = sext(B, Bits);
  s128 R;
  bool Signed = Op == OV_SADD || Op == OV_SSUB || Op == OV_SMUL;
  switch (Op) {
  case OV_SADD:
    R = s128(SA) + SB;
    break;
  case OV_UADD:
    R = s128(A) + s128(B);
    break;
  case OV_SSUB:
    R = s128(SA) - SB;
    break;
  case OV_USUB:
    R = s128(A) - s128(B);
    break;
  case OV_SMUL:
    R = s128(SA) * SB;
    break;
  default:
    R = s128(u128(A) * u128(B));
    break;
  }
  uint64_t Lo = uint64_t(R) & M;
  bool Ov = Signed ? s128(sext(Lo, Bits)) != R : u128(R) != u128(Lo) || R < 0;
  if (Op == OV_UMUL)
    Ov = (u128(A) * u128(B)) >> Bits != 0;
  memcpy(D, &Lo, (Bits + 7) / 8);
  D[FlagOff] = Ov;
}

// Vector element access by kind.
double eltF(const uint8_t *P, unsigned K, unsigned I) {
  if (K == EK_F32) {
    float F;
    memcpy(&F, P + 4 * I, 4);
    return F;
  }
  double D;
  memcpy(&D, P + 8 * I, 8);
  return D;
}
void setF(uint8_t *P, unsigned K, unsigned I, double V) {
  if (K == EK_F32) {
    float F = V;
    memcpy(P + 4 * I, &F, 4);
  } else {
    memcpy(P + 8 * I, &V, 8);
  }
}
unsigned eltSize(unsigned K) {
  static const unsigned S[] = {1, 1, 2, 4, 8, 4, 8};
  return S[K];
}
unsigned eltBits(unsigned K) {
  static const unsigned S[] = {1, 8, 16, 32, 64, 32, 64};
  return S[K];
}
uint64_t eltI(const uint8_t *P, unsigned K, unsigned I) {
  uint64_t V = 0;
  memcpy(&V, P + eltSize(K) * I, eltSize(K));
  return V;
}
void setI(uint8_t *P, unsigned K, unsigned I, uint64_t V) {
  memcpy(P + eltSize(K) * I, &V, eltSize(K));
}
bool isF(unsigned K) { return K == EK_F32 || K == EK_F64; }

uint64_t intBin(unsigned Op, unsigned Bits, uint64_t A, uint64_t B) {
  uint64_t M = Bits >= 64 ? ~0ull : (1ull << Bits) - 1;
  int64_t SA = sext(A, Bits), SB = sext(B, Bits);
  switch (Op) {
  case Instruction::Add:
    return (A + B) & M;
  case Instruction::Sub:
    return (A - B) & M;
  case Instruction::Mul:
    return (A * B) & M;
  case Instruction::UDiv:
    return A / B;
  case Instruction::SDiv:
    return uint64_t(SA / SB) & M;
  case Instruction::URem:
    return A % B;
  case Instruction::SRem:
    return uint64_t(SA % SB) & M;
  case Instruction::Shl:
    return (A << (B & 63)) & M;
  case Instruction::LShr:
    return A >> (B & 63);
  case Instruction::AShr:
    return uint64_t(SA >> (B & 63)) & M;
  case Instruction::And:
    return A & B;
  case Instruction::Or:
    return A | B;
  default:
    return A ^ B;
  }
}

double fpBin(unsigned Op, double A, double B, bool F32) {
  switch (Op) {
  case Instruction::FAdd:
    return F32 ? double(float(A) + float(B)) : A + B;
  case Instruction::FSub:
    return F32 ? double(float(A) - float(B)) : A - B;
  case Instruction::FMul:
    return F32 ? double(float(A) * float(B)) : A * B;
  case Instruction::FDiv:
    return F32 ? double(float(A) / float(B)) : A / B;
  case Instruction::FRem:
    return F32 ? double(fmodf(A, B)) : fmod(A, B);
  default:
    return -A;
  }
}

[[gnu::noinline]] void vecBin(const Inst &In, uint8_t *Fp) {
  unsigned K = In.Imm2, N = In.C, Op = In.Imm;
  uint8_t R[256];
  const uint8_t *A = Fp + In.A, *B = Fp + In.B;
  for (unsigned I = 0; I < N; ++I) {
    if (isF(K))
      setF(R, K, I, fpBin(Op, eltF(A, K, I), eltF(B, K, I), K == EK_F32));
    else
      setI(R, K, I, intBin(Op, eltBits(K), eltI(A, K, I), eltI(B, K, I)));
  }
  memcpy(Fp + In.D, R, N * eltSize(K));
}

[[gnu::noinline]] void vecCmp(const Inst &In, uint8_t *Fp) {
  unsigned K = In.Imm2, N = In.C, P = In.Imm;
  uint8_t R[256];
  const uint8_t *A = Fp + In.A, *B = Fp + In.B;
  for (unsigned I = 0; I < N; ++I) {
    if (isF(K)) {
      R[I] = fcmp(P, eltF(A, K, I), eltF(B, K, I));
    } else {
      unsigned Bits = eltBits(K);
      uint64_t X = eltI(A, K, I), Y = eltI(B, K, I);
      if (CmpInst::isSigned(CmpInst::Predicate(P)))
        X = sext(X, Bits), Y = sext(Y, Bits);
      R[I] = icmp<uint64_t>(P, X, Y);
    }
  }
  memcpy(Fp + In.D, R, N);
}

[[gnu::noinline]] void vecCast(const Inst &In, uint8_t *Fp) {
  unsigned KS = In.Imm2 & 0xff, KD = In.Imm2 >> 8, N = In.C;
  uint8_t R[256];
  const uint8_t *A = Fp + In.A;
  for (unsigned I = 0; I < N; ++I) {
    uint64_t X = isF(KS) ? 0 : eltI(A, KS, I);
    double F = isF(KS) ? eltF(A, KS, I) : 0;
    uint64_t DM = eltBits(KD) >= 64 ? ~0ull : (1ull << eltBits(KD)) - 1;
    switch (In.Imm) {
    case Instruction::SExt:
      setI(R, KD, I, uint64_t(sext(X, eltBits(KS))) & DM);
      break;
    case Instruction::ZExt:
    case Instruction::Trunc:
    case Instruction::PtrToInt:
    case Instruction::IntToPtr:
      setI(R, KD, I, X & DM);
      break;
    case Instruction::SIToFP:
      setF(R, KD, I, double(sext(X, eltBits(KS))));
      break;
    case Instruction::UIToFP:
      setF(R, KD, I, double(X));
      break;
    case Instruction::FPToSI:
      setI(R, KD, I, uint64_t(int64_t(F)) & DM);
      break;
    case Instruction::FPToUI:
      setI(R, KD, I, uint64_t(F) & DM);
      break;
    default:
      setF(R, KD, I, F);
      break; // fpext / fptrunc
    }
  }
  memcpy(Fp + In.D, R, N * eltSize(KD));
}

[[gnu::noinline]] void vecReduce(const Inst &In, uint8_t *Fp) {
  unsigned K = In.Imm2 & 0xff, N = In.C, Op = In.Imm, Bits = eltBits(K);
  const uint8_t *A = Fp + In.A;
  if (isF(K)) {
    double Acc = (In.Imm2 & 0x100) ? eltF(Fp + In.B, K, 0) : eltF(A, K, 0);
    for (unsigned I = (In.Imm2 & 0x100) ? 0 : 1; I < N; ++I) {
      double X = eltF(A, K, I);
      if (Op == RD_FADD)
        Acc = K == EK_F32 ? float(Acc) + float(X) : Acc + X;
      else if (Op == RD_FMUL)
        Acc = K == EK_F32 ? float(Acc) * float(X) : Acc * X;
      else if (Op == RD_FMAX)
        Acc = fmax(Acc, X);
      else
        Acc = fmin(Acc, X);
    }
    *(uint64_t *)(Fp + In.D) = 0;
    setF(Fp + In.D, K, 0, Acc);
    return;
  }
  uint64_t M = Bits >= 64 ? ~0ull : (1ull << Bits) - 1;
  uint64_t Acc = eltI(A, K, 0);
  for (unsigned I = 1; I < N; ++I) {
    uint64_t X = eltI(A, K, I);
    switch (Op) {
    case RD_ADD:
      Acc = (Acc + X) & M;
      break;
    case RD_MUL:
      Acc = (Acc * X) & M;
      break;
    case RD_AND:
      Acc &= X;
      break;
    case RD_OR:
      Acc |= X;
      break;
    case RD_XOR:
      Acc ^= X;
      break;
    case RD_SMAX:
      Acc = sext(X, Bits) > sext(Acc, Bits) ? X : Acc;
      break;
    case RD_SMIN:
      Acc = sext(X, Bits) < sext(Acc, Bits) ? X : Acc;
      break;
    case RD_UMAX:
      Acc = X > Acc ? X : Acc;
      break;
    default:
      Acc = X < Acc ? X : Acc;
      break;
    }
  }
  *(uint64_t *)(Fp + In.D) = Acc;
}

[[gnu::noinline]] void shuffle(const Inst &In, uint8_t *Fp) {
  auto &Mask = *static_cast<std::vector<int> *>(In.P);
  unsigned ES = In.C, N = In.Imm2;
  uint8_t R[256];
  for (size_t I = 0; I < Mask.size(); ++I) {
    int M = Mask[I];
    if (M < 0)
      memset(R + I * ES, 0, ES);
    else
      memcpy(R + I * ES, Fp + (unsigned(M) < N ? In.A : In.B) + (M % N) * ES,
             ES);
  }
  memcpy(Fp + In.D, R, Mask.size() * ES);
}

[[gnu::noinline]] uint64_t atomicRMW(unsigned Op, unsigned K, uint8_t *P,
                                     uint64_t V) {
  uint64_t Old = eltI(P, K, 0), New;
  unsigned Bits = eltBits(K);
  if (isF(K)) {
    double A = eltF(P, K, 0), B = eltF((uint8_t *)&V, K, 0);
    double R = Op == AtomicRMWInst::FAdd   ? A + B
               : Op == AtomicRMWInst::FSub ? A - B
               : Op == AtomicRMWInst::FMax ? fmax(A, B)
               : Op == AtomicRMWInst::FMin ? fmin(A, B)
                                           : B;
    setF(P, K, 0, R);
    return Old;
  }
  switch (Op) {
  case AtomicRMWInst::Xchg:
    New = V;
    break;
  case AtomicRMWInst::Add:
    New = V + Old;
    break;
  case AtomicRMWInst::Sub:
    New = Old - V;
    break;
  case AtomicRMWInst::And:
    New = Old & V;
    break;
  case AtomicRMWInst::Nand:
    New = ~(Old & V);
    break;
  case AtomicRMWInst::Or:
    New = Old | V;
    break;
  case AtomicRMWInst::Xor:
    New = Old ^ V;
    break;
  case AtomicRMWInst::Max:
    New = sext(Old, Bits) > sext(V, Bits) ? Old : V;
    break;
  case AtomicRMWInst::Min:
    New = sext(Old, Bits) < sext(V, Bits) ? Old : V;
    break;
  case AtomicRMWInst::UMax:
    New = Old > V ? Old : V;
    break;
  case AtomicRMWInst::UMin:
    New = Old < V ? Old : V;
    break;
  default:
    fatal("unsupported atomicrmw operation");
  }
  setI(P, K, 0, New);
  return Old;
}

bool fpClass(double X, bool F32, unsigned Mask) {
  bool Neg = std::signbit(X);
  unsigned Bit;
  switch (std::fpclassify(X)) {
  case FP_NAN: {
    uint64_t B = std::bit_cast<uint64_t>(X);
    Bit = (F32 ? true : (B >> 51) & 1) ? 1 : 0; // quiet vs signaling
    break;
  }
  case FP_INFINITE:
    Bit = Neg ? 2 : 9;
    break;
  case FP_NORMAL:
    Bit = Neg ? 3 : 8;
    break;
  case FP_SUBNORMAL:
    Bit = Neg ? 4 : 7;
    break;
  default:
    Bit = Neg ? 5 : 6;
    break;
  }
  return (Mask >> Bit) & 1;
}

[[gnu::noinline]] void vecIntrinsic(const VecIntrinsic &V, uint8_t *Fp) {
  uint8_t R[256];
  const uint8_t *A = Fp + V.A, *B = Fp + V.B, *C = Fp + V.C;
  unsigned K = V.K;
  for (unsigned I = 0; I < V.N; ++I) {
    if (V.Cls == VecIntrinsic::Int) {
      setI(R, K, I,
           intIntrinsic(V.Op, eltBits(K), eltI(A, K, I),
                        V.B ? eltI(B, K, I) : 0, V.C ? eltI(C, K, I) : 0));
      continue;
    }
    double X = eltF(A, K, I), Y = V.B ? eltF(B, K, I) : 0,
           Z = V.C ? eltF(C, K, I) : 0, Out;
    bool F32 = K == EK_F32;
    switch (V.Cls) {
    case VecIntrinsic::Math1:
      Out = F32 ? reinterpret_cast<float (*)(float)>(V.Fn)(X)
                : reinterpret_cast<double (*)(double)>(V.Fn)(X);
      break;
    case VecIntrinsic::Math2:
      Out = F32 ? reinterpret_cast<float (*)(float, float)>(V.Fn)(X, Y)
                : reinterpret_cast<double (*)(double, double)>(V.Fn)(X, Y);
      break;
    case VecIntrinsic::Fma:
      Out = F32 ? double(fmaf(X, Y, Z)) : fma(X, Y, Z);
      break;
    default: {
      if (F32) {
        float P = float(X) * float(Y);
        Out = P + float(Z);
      } else {
        double P = X * Y;
        Out = P + Z;
      }
    }
    }
    setF(R, K, I, Out);
  }
  memcpy(Fp + V.D, R, V.N * eltSize(K));
}

void exec(Impl *I, FuncState *FS, uint8_t *Fp, uint8_t *Ret);

constexpr uint64_t ExactCycleCalls = 256, CycleSample = 64;

void run(Impl &I, FuncState &FS, uint8_t *Fp, uint8_t *Ret) {
  FunctionCounters &P = FS.Prof;
  uint64_t N = ++P.Calls;
  ++FS.Counters[0];
  if (N == FS.CallThreshold && I.Env.onHot)
    I.Env.onHot(FS.Id);
  // rdtsc costs ~20 ns in a VM (more under TCG): time every call while a
  // function is cold, then one call in CycleSample, weighted to estimate.
  if (N > ExactCycleCalls && N % CycleSample) {
    exec(&I, &FS, Fp, Ret);
    return;
  }
  uint64_t T0 = __rdtsc();
  exec(&I, &FS, Fp, Ret);
  uint64_t Dt = __rdtsc() - T0;
  P.Cycles += N > ExactCycleCalls ? Dt * CycleSample : Dt;
  P.MinCycles = std::min(P.MinCycles, Dt);
  P.MaxCycles = std::max(P.MaxCycles, Dt);
}

// Translates FS at its first call (false: it runs as the engine's code).
// What the interpreter cannot run, the engine compiles then, and slot[id]
// holds that code (onCannotRun).
[[gnu::noinline]] bool translateAtFirstCall(Impl &I, FuncState &FS) {
  Error E = [&] {
    std::lock_guard<std::mutex> G(I.TranslateLock);
    return I.translate(FS);
  }();
  if (!E)
    return true;
  std::string Why = toString(std::move(E));
  if (!I.Env.onCannotRun)
    fatal(Why);
  I.Env.onCannotRun(FS.Id, Why);
  return false;
}

bool runsInterpreted(Impl &I, FuncState &FS) {
  if (FS.Translated.load(std::memory_order_acquire)) [[likely]]
    return true;
  return translateAtFirstCall(I, FS);
}

// SysV va_list {gp_offset, fp_offset, overflow_arg_area, reg_save_area}.
void writeVaList(uint8_t *L, uint32_t Gp, uint32_t Fpo, uint8_t *Overflow,
                 uint8_t *Regs) {
  memcpy(L, &Gp, 4);
  memcpy(L + 4, &Fpo, 4);
  memcpy(L + 8, &Overflow, 8);
  memcpy(L + 16, &Regs, 8);
}

// A variadic frame's VaOff slot points to the va_list that va_start copies.
// From interpreted callers all variadic arguments live in the overflow area.
uint8_t *buildVaArea(const CallSite &CS, uint8_t *Fp) {
  size_t Size = 0;
  for (size_t J = CS.NumFixed; J < CS.ArgOff.size(); ++J)
    Size += 16 + (CS.ByvalSize[J] ? CS.ByvalSize[J] : CS.ArgSize[J]);
  uint8_t *Tmpl = bump(Size + 48, 16), *Area = Tmpl + 32, *P = Area;
  writeVaList(Tmpl, 48, 176, Area, Area); // registers exhausted
  for (size_t J = CS.NumFixed; J < CS.ArgOff.size(); ++J) {
    uint8_t *Src = Fp + CS.ArgOff[J];
    size_t N = CS.ArgSize[J];
    if (CS.ByvalSize[J])
      Src = *reinterpret_cast<uint8_t **>(Src), N = CS.ByvalSize[J];
    if (N == 16 && !CS.ByvalSize[J])
      P = alignUp(P, 16);
    memcpy(P, Src, N);
    P += (N + 7) & ~size_t(7);
  }
  return Tmpl;
}

void callInterp(Impl &I, FuncState &G, const CallSite &CS, uint8_t *Fp) {
  checkNativeStack();
  uint8_t *Saved = TS.Sp;
  uint8_t *Nfp = pushFrame(G);
  for (unsigned J = 0; J < CS.NumFixed; ++J) {
    uint8_t *Src = Fp + CS.ArgOff[J], *Dst = Nfp + G.ParamOff[J];
    if (G.ByvalSize[J]) {
      memcpy(Nfp + G.ByvalOff[J], *reinterpret_cast<void **>(Src),
             G.ByvalSize[J]);
      *reinterpret_cast<uint8_t **>(Dst) = Nfp + G.ByvalOff[J];
    } else if (CS.ArgSize[J] == 8) {
      *reinterpret_cast<uint64_t *>(Dst) = *reinterpret_cast<uint64_t *>(Src);
    } else {
      memcpy(Dst, Src, CS.ArgSize[J]);
    }
  }
  if (G.F->isVarArg())
    *reinterpret_cast<uint8_t **>(Nfp + G.VaOff) = buildVaArea(CS, Fp);
  run(I, G, Nfp, Fp + CS.RetOff);
  TS.Sp = Saved;
}

[[gnu::noinline]] void callNative(const CallSite &CS, void *Target,
                                  uint8_t *Fp) {
  size_t N = CS.ArgOff.size();
  if (CS.RegCall) {
    uint8_t *Args[N + 1];
    for (size_t J = 0; J < N; ++J)
      Args[J] = Fp + CS.ArgOff[J];
    uint64_t Dummy;
    regCall(CS.Sig, Target, Args,
            CS.RetOff ? Fp + CS.RetOff : reinterpret_cast<uint8_t *>(&Dummy));
    return;
  }
  void *AV[N + 1];
  for (size_t J = 0; J < N; ++J) {
    uint8_t *Src = Fp + CS.ArgOff[J];
    AV[J] = CS.ByvalSize[J] ? *reinterpret_cast<void **>(Src) : Src;
  }
  uint8_t *R = Fp + CS.RetOff;
  uint64_t Dummy[2];
  if (CS.RetOff)
    *reinterpret_cast<uint64_t *>(R) = 0;
  else
    R = reinterpret_cast<uint8_t *>(Dummy);
  ffi_call(const_cast<ffi_cif *>(&CS.Cif), FFI_FN(Target), R, AV);
  if (CS.RetInt)
    *reinterpret_cast<uint64_t *>(R) &= (1ull << CS.RetBits) - 1;
}

[[gnu::noinline]] void doCall(Impl &I, const CallSite &CS, uint8_t *Fp) {
  FuncState *G = CS.Callee;
  void *Target = CS.Native;
  if (CS.Indirect) {
    if (!I.EntriesMapped) [[unlikely]]
      I.mapEntries();
    Target = *reinterpret_cast<void **>(Fp + CS.CalleeSlot);
    auto It = I.ByAddr.find(Target);
    G = It == I.ByAddr.end() || It->second->F->getFunctionType() != CS.FT
            ? nullptr
            : It->second;
  }
  if (G) {
    void *S = I.Env.slots[G->Id].load(std::memory_order_acquire);
    if (S == G->Closure) {
      if (runsInterpreted(I, *G))
        return callInterp(I, *G, CS, Fp);
      S = I.Env.slots[G->Id].load(std::memory_order_acquire); // compiled now
    }
    Target = S;
  }
  callNative(CS, Target, Fp);
}

// Moves the activation of an outlined loop to new code for its function: the
// loop header is the function's first real block, so re-entry is exact.
[[gnu::noinline]] bool loopCheck(Impl &I, FuncState &FS, uint8_t *Fp,
                                 uint8_t *Ret, uint64_t C, uint64_t InCall,
                                 uint32_t Header) {
  if ((C == FS.LoopThreshold || InCall == FS.LoopThresholdInCall) &&
      I.Env.onLoopHot)
    I.Env.onLoopHot(FS.Id);
  void *S = I.Env.slots[FS.Id].load(std::memory_order_acquire);
  if (Header != FS.ReentryBlock || !FS.Closure || S == FS.Closure)
    return false;
  size_t N = FS.ParamOff.size();
  if (FS.RegCall) {
    uint8_t *Args[N + 1];
    for (size_t J = 0; J < N; ++J)
      Args[J] = Fp + FS.ParamOff[J];
    regCall(FS.Sig, S, Args, Ret);
    return true;
  }
  void *AV[N + 1];
  for (size_t J = 0; J < N; ++J) {
    uint8_t *Src = Fp + FS.ParamOff[J];
    AV[J] = FS.ByvalSize[J] ? *reinterpret_cast<void **>(Src) : Src;
  }
  uint64_t Buf[4] = {0, 0, 0, 0};
  uint8_t *R =
      FS.RetSize > sizeof(Buf) ? Ret : reinterpret_cast<uint8_t *>(Buf);
  ffi_call(&FS.Cif, FFI_FN(S), R, AV);
  if (FS.RetIntBits && FS.RetIntBits < 64)
    Buf[0] &= (1ull << FS.RetIntBits) - 1;
  if (R != Ret && FS.RetSize)
    memcpy(Ret, R, FS.RetSize);
  return true;
}

[[noreturn]] void trap(FuncState &FS, bool Trap) {
  fatal(Twine(Trap ? "llvm.trap" : "unreachable") + " executed in @" +
        FS.F->getName());
}

const void *const *Handlers;

#define R(T, F) (*reinterpret_cast<T *>(Fp + Ip->F))
#define NEXT goto *(++Ip)->H
#define JUMP(X)                                                                \
  do {                                                                         \
    Ip = (X);                                                                  \
    goto * Ip->H;                                                              \
  } while (0)
#define F32OUT(V) R(uint64_t, D) = std::bit_cast<uint32_t>(float(V))
#define I32OP(N, EXPR)                                                         \
  L_##N##_I32 : {                                                              \
    uint32_t A = R(uint32_t, A), B = R(uint32_t, B);                           \
    (void)A, (void)B;                                                          \
    R(uint64_t, D) = uint32_t(EXPR);                                           \
    NEXT;                                                                      \
  }
#define I64OP(N, EXPR)                                                         \
  L_##N##_I64 : {                                                              \
    uint64_t A = R(uint64_t, A), B = R(uint64_t, B);                           \
    (void)A, (void)B;                                                          \
    R(uint64_t, D) = uint64_t(EXPR);                                           \
    NEXT;                                                                      \
  }
#define INOP(N, EXPR)                                                          \
  L_##N##_IN : {                                                               \
    uint64_t A = R(uint64_t, A), B = R(uint64_t, B);                           \
    unsigned W = Ip->C;                                                        \
    (void)A, (void)B, (void)W;                                                 \
    R(uint64_t, D) = uint64_t(EXPR) & Ip->Imm;                                 \
    NEXT;                                                                      \
  }
#define I128OP(N, EXPR)                                                        \
  L_##N##_I128 : {                                                             \
    u128 A = ld128(Fp + Ip->A), B = ld128(Fp + Ip->B);                         \
    st128(Fp + Ip->D, u128(EXPR));                                             \
    NEXT;                                                                      \
  }
#define FPOPS(W, T, OUT)                                                       \
  L_FADD_##W : OUT(R(T, A) + R(T, B));                                         \
  NEXT;                                                                        \
  L_FSUB_##W : OUT(R(T, A) - R(T, B));                                         \
  NEXT;                                                                        \
  L_FMUL_##W : OUT(R(T, A) * R(T, B));                                         \
  NEXT;                                                                        \
  L_FDIV_##W : OUT(R(T, A) / R(T, B));                                         \
  NEXT;                                                                        \
  L_FREM_##W : OUT(std::fmod(R(T, A), R(T, B)));                               \
  NEXT;                                                                        \
  L_FNEG_##W : OUT(-R(T, A));                                                  \
  NEXT;                                                                        \
  L_FCMP_##W : R(uint64_t, D) = fcmp(Ip->Imm, R(T, A), R(T, B));               \
  NEXT;                                                                        \
  L_SITOFP_##W : OUT(T(sext(R(uint64_t, A), Ip->C)));                          \
  NEXT;                                                                        \
  L_UITOFP_##W : OUT(T(R(uint64_t, A)));                                       \
  NEXT;                                                                        \
  L_FPTOSI_##W : R(uint64_t, D) = uint64_t(int64_t(R(T, A))) & Ip->Imm;        \
  NEXT;                                                                        \
  L_FPTOUI_##W : R(uint64_t, D) = uint64_t(R(T, A)) & Ip->Imm;                 \
  NEXT;                                                                        \
  L_MATH1_##W : OUT(reinterpret_cast<T (*)(T)>(Ip->P)(R(T, A)));               \
  NEXT;                                                                        \
  L_MATH2_##W : OUT(reinterpret_cast<T (*)(T, T)>(Ip->P)(R(T, A), R(T, B)));   \
  NEXT;                                                                        \
  L_FMA_##W : OUT(std::fma(R(T, A), R(T, B), *(T *)(Fp + Ip->E)));             \
  NEXT;                                                                        \
  L_FMULADD_##W : {                                                            \
    T Prod = R(T, A) * R(T, B);                                                \
    OUT(Prod + *(T *)(Fp + Ip->E));                                            \
    NEXT;                                                                      \
  }
#define D64OUT(V) R(double, D) = (V)

typedef uint8_t V16I8 __attribute__((vector_size(16)));
typedef uint16_t V8I16 __attribute__((vector_size(16)));
typedef uint32_t V4I32 __attribute__((vector_size(16)));
typedef uint64_t V2I64 __attribute__((vector_size(16)));
typedef float V4F32 __attribute__((vector_size(16)));
typedef double V2F64 __attribute__((vector_size(16)));
template <typename V> V ldv(const uint8_t *P) {
  V X;
  memcpy(&X, P, 16);
  return X;
}
#define VOP(N, T, EXPR)                                                        \
  L_##N##_##T : {                                                              \
    T A = ldv<T>(Fp + Ip->A), B = ldv<T>(Fp + Ip->B), Out = EXPR;              \
    memcpy(Fp + Ip->D, &Out, 16);                                              \
    NEXT;                                                                      \
  }
#define VINTOPS(T)                                                             \
  VOP(VADD, T, A + B)                                                          \
  VOP(VSUB, T, A - B)                                                          \
  VOP(VMUL, T, A *B)                                                           \
  VOP(VAND, T, A &B)                                                           \
  VOP(VOR, T, A | B)                                                           \
  VOP(VXOR, T, A ^ B)
#define VFPOPS(T)                                                              \
  VOP(VFADD, T, A + B)                                                         \
  VOP(VFSUB, T, A - B)                                                         \
  VOP(VFMUL, T, A *B)                                                          \
  VOP(VFDIV, T, A / B)

#pragma clang fp contract(off)
void exec(Impl *I, FuncState *FS, uint8_t *Fp, uint8_t *Ret) {
  static const void *const Table[] = {
#define GTS_LABEL(N) &&L_##N,
      GTS_OPCODES(GTS_LABEL)
#undef GTS_LABEL
  };
  if (!FS) {
    Handlers = Table;
    return;
  }
  uint64_t *Bc = FS->Counters.data(), *Be = FS->BackEdges.data();
  uint64_t InCall = 0; // back-edges taken in this activation
  const Inst *Ip = FS->Code.data();
  goto * Ip->H;

  I32OP(ADD, A + B)
  I32OP(SUB, A - B)
  I32OP(MUL, A * B)
  I32OP(UDIV, A / B)
  I32OP(SDIV, int32_t(A) / int32_t(B))
  I32OP(UREM, A % B)
  I32OP(SREM, int32_t(A) % int32_t(B))
  I32OP(SHL, A << (B & 31))
  I32OP(LSHR, A >> (B & 31))
  I32OP(ASHR, int32_t(A) >> (B & 31))
  I64OP(ADD, A + B)
  I64OP(SUB, A - B)
  I64OP(MUL, A * B)
  I64OP(UDIV, A / B)
  I64OP(SDIV, int64_t(A) / int64_t(B))
  I64OP(UREM, A % B)
  I64OP(SREM, int64_t(A) % int64_t(B))
  I64OP(SHL, A << (B & 63))
  I64OP(LSHR, A >> (B & 63))
  I64OP(ASHR, int64_t(A) >> (B & 63))
  INOP(ADD, A + B)
  INOP(SUB, A - B)
  INOP(MUL, A * B)
  INOP(UDIV, A / B)
  INOP(SDIV, sext(A, W) / sext(B, W))
  INOP(UREM, A % B)
  INOP(SREM, sext(A, W) % sext(B, W))
  INOP(SHL, A << (B & 63))
  INOP(LSHR, A >> (B & 63))
  INOP(ASHR, sext(A, W) >> (B & 63))
  I128OP(ADD, A + B)
  I128OP(SUB, A - B)
  I128OP(MUL, A * B)
  I128OP(UDIV, A / B)
  I128OP(SDIV, s128(A) / s128(B))
  I128OP(UREM, A % B)
  I128OP(SREM, s128(A) % s128(B))
  I128OP(SHL, A << (B & 127))
  I128OP(LSHR, A >> (B & 127))
  I128OP(ASHR, s128(A) >> (B & 127))
  I128OP(AND, A & B)
  I128OP(OR, A | B)
  I128OP(XOR, A ^ B)
  FPOPS(F32, float, F32OUT)
  FPOPS(F64, double, D64OUT)
  VINTOPS(V4I32)
  VINTOPS(V2I64)
  VINTOPS(V8I16)
  VINTOPS(V16I8)
  VFPOPS(V4F32)
  VFPOPS(V2F64)
L_VFMULADD_V4F32 : {
  V4F32 P = ldv<V4F32>(Fp + Ip->A) * ldv<V4F32>(Fp + Ip->B);
  V4F32 Out = P + ldv<V4F32>(Fp + Ip->E);
  memcpy(Fp + Ip->D, &Out, 16);
  NEXT;
}
L_VFMULADD_V2F64 : {
  V2F64 P = ldv<V2F64>(Fp + Ip->A) * ldv<V2F64>(Fp + Ip->B);
  V2F64 Out = P + ldv<V2F64>(Fp + Ip->E);
  memcpy(Fp + Ip->D, &Out, 16);
  NEXT;
}
#define IDX_I32(F) int64_t(R(int32_t, F))
#define IDX_I64(F) R(int64_t, F)
#define LOADX(N, T, IX)                                                        \
  L_LOADX##N##_##IX : {                                                        \
    T V;                                                                       \
    memcpy(&V, R(uint8_t *, A) + Ip->Imm + IDX_##IX(B) * Ip->Imm2, sizeof V);  \
    R(uint64_t, D) = V;                                                        \
    NEXT;                                                                      \
  }
#define STOREX(N, IX)                                                          \
  L_STOREX##N##_##IX                                                           \
      : memcpy(R(uint8_t *, A) + Ip->Imm + IDX_##IX(D) * Ip->Imm2, Fp + Ip->B, \
               N / 8);                                                         \
  NEXT;
  LOADX(8, uint8_t, I32)
  LOADX(16, uint16_t, I32)
  LOADX(32, uint32_t, I32)
  LOADX(64, uint64_t, I32)
  LOADX(8, uint8_t, I64)
  LOADX(16, uint16_t, I64)
  LOADX(32, uint32_t, I64)
  LOADX(64, uint64_t, I64)
  STOREX(8, I32)
  STOREX(16, I32)
  STOREX(32, I32)
  STOREX(64, I32)
  STOREX(8, I64)
  STOREX(16, I64)
  STOREX(32, I64)
  STOREX(64, I64)
L_LOADREL : {
  int32_t Rel;
  memcpy(&Rel, R(uint8_t *, A) + R(int64_t, B), 4);
  R(uint8_t *, D) = R(uint8_t *, A) + Rel;
  NEXT;
}
L_LOAD128:
  memcpy(Fp + Ip->D, R(uint8_t *, A) + Ip->Imm, 16);
  NEXT;
L_STORE128:
  memcpy(R(uint8_t *, A) + Ip->Imm, Fp + Ip->B, 16);
  NEXT;
L_MOV16:
  memcpy(Fp + Ip->D, Fp + Ip->A, 16);
  NEXT;
L_AND:
  R(uint64_t, D) = R(uint64_t, A) & R(uint64_t, B);
  NEXT;
L_OR:
  R(uint64_t, D) = R(uint64_t, A) | R(uint64_t, B);
  NEXT;
L_XOR:
  R(uint64_t, D) = R(uint64_t, A) ^ R(uint64_t, B);
  NEXT;
L_MASK:
  R(uint64_t, D) = R(uint64_t, A) & Ip->Imm;
  NEXT;
L_SEXT:
  R(uint64_t, D) = uint64_t(sext(R(uint64_t, A), Ip->C)) & Ip->Imm;
  NEXT;
L_SEXT_I128 : {
  uint64_t V = R(uint64_t, A);
  st128(Fp + Ip->D, Ip->Imm ? u128(s128(sext(V, Ip->C))) : u128(V));
  NEXT;
}
L_MOV8:
  R(uint64_t, D) = R(uint64_t, A);
  NEXT;
L_MOVN:
  memcpy(Fp + Ip->D, Fp + Ip->A, Ip->C);
  NEXT;
L_LEA:
  R(uint8_t *, D) = Fp + Ip->Imm;
  NEXT;
L_PTRADD:
  R(uint8_t *, D) = R(uint8_t *, A) + Ip->Imm;
  NEXT;
L_IMM:
  R(int64_t, D) = Ip->Imm;
  NEXT;
L_COPYZ:
  R(uint64_t, D) = 0;
  memcpy(Fp + Ip->D, Fp + Ip->A + Ip->Imm, Ip->C);
  NEXT;
L_INSERT:
  memcpy(Fp + Ip->D + Ip->Imm, Fp + Ip->B, Ip->C);
  NEXT;
L_ICMP_EQ:
  R(uint64_t, D) = R(uint64_t, A) == R(uint64_t, B);
  NEXT;
L_ICMP_NE:
  R(uint64_t, D) = R(uint64_t, A) != R(uint64_t, B);
  NEXT;
L_ICMP_ULT:
  R(uint64_t, D) = R(uint64_t, A) < R(uint64_t, B);
  NEXT;
L_ICMP_ULE:
  R(uint64_t, D) = R(uint64_t, A) <= R(uint64_t, B);
  NEXT;
L_ICMP_UGT:
  R(uint64_t, D) = R(uint64_t, A) > R(uint64_t, B);
  NEXT;
L_ICMP_UGE:
  R(uint64_t, D) = R(uint64_t, A) >= R(uint64_t, B);
  NEXT;
L_ICMP_SLT_I64:
  R(uint64_t, D) = R(int64_t, A) < R(int64_t, B);
  NEXT;
L_ICMP_SLE_I64:
  R(uint64_t, D) = R(int64_t, A) <= R(int64_t, B);
  NEXT;
L_ICMP_SGT_I64:
  R(uint64_t, D) = R(int64_t, A) > R(int64_t, B);
  NEXT;
L_ICMP_SGE_I64:
  R(uint64_t, D) = R(int64_t, A) >= R(int64_t, B);
  NEXT;
L_ICMP_SLT_I32:
  R(uint64_t, D) = R(int32_t, A) < R(int32_t, B);
  NEXT;
L_ICMP_SLE_I32:
  R(uint64_t, D) = R(int32_t, A) <= R(int32_t, B);
  NEXT;
L_ICMP_SGT_I32:
  R(uint64_t, D) = R(int32_t, A) > R(int32_t, B);
  NEXT;
L_ICMP_SGE_I32:
  R(uint64_t, D) = R(int32_t, A) >= R(int32_t, B);
  NEXT;
L_ICMP_SN:
  R(uint64_t, D) = icmp<uint64_t>(Ip->Imm, sext(R(uint64_t, A), Ip->C),
                                  sext(R(uint64_t, B), Ip->C));
  NEXT;
L_ICMP_I128:
  R(uint64_t, D) = icmp<u128>(Ip->Imm, ld128(Fp + Ip->A), ld128(Fp + Ip->B));
  NEXT;
L_FCMP_OLT_F64:
  R(uint64_t, D) = R(double, A) < R(double, B);
  NEXT;
L_FCMP_OGT_F64:
  R(uint64_t, D) = R(double, A) > R(double, B);
  NEXT;
L_FPEXT:
  R(double, D) = R(float, A);
  NEXT;
L_FPTRUNC:
  F32OUT(R(double, A));
  NEXT;
L_LOAD8:
  R(uint64_t, D) = *(R(uint8_t *, A) + Ip->Imm);
  NEXT;
L_LOAD16 : {
  uint16_t V;
  memcpy(&V, R(uint8_t *, A) + Ip->Imm, 2);
  R(uint64_t, D) = V;
  NEXT;
}
L_LOAD32 : {
  uint32_t V;
  memcpy(&V, R(uint8_t *, A) + Ip->Imm, 4);
  R(uint64_t, D) = V;
  NEXT;
}
L_LOAD64:
  memcpy(Fp + Ip->D, R(uint8_t *, A) + Ip->Imm, 8);
  NEXT;
L_LOADN:
  R(uint64_t, D) = 0;
  memcpy(Fp + Ip->D, R(uint8_t *, A) + Ip->Imm, Ip->C);
  NEXT;
L_STORE8:
  *(R(uint8_t *, A) + Ip->Imm) = R(uint8_t, B);
  NEXT;
L_STORE16:
  memcpy(R(uint8_t *, A) + Ip->Imm, Fp + Ip->B, 2);
  NEXT;
L_STORE32:
  memcpy(R(uint8_t *, A) + Ip->Imm, Fp + Ip->B, 4);
  NEXT;
L_STORE64:
  memcpy(R(uint8_t *, A) + Ip->Imm, Fp + Ip->B, 8);
  NEXT;
L_STOREN:
  memcpy(R(uint8_t *, A) + Ip->Imm, Fp + Ip->B, Ip->C);
  NEXT;
L_GEP_I64:
  R(uint8_t *, D) = R(uint8_t *, A) + Ip->Imm + R(int64_t, B) * Ip->Imm2;
  NEXT;
L_GEP_I32:
  R(uint8_t *, D) =
      R(uint8_t *, A) + Ip->Imm + int64_t(R(int32_t, B)) * Ip->Imm2;
  NEXT;
L_ALLOCA:
  R(uint8_t *, D) = bump(R(uint64_t, A) * Ip->Imm, Ip->Imm2);
  NEXT;
L_STACKSAVE:
  R(uint8_t *, D) = TS.Sp;
  NEXT;
L_STACKRESTORE:
  TS.Sp = R(uint8_t *, A);
  NEXT;
L_SELECT8:
  R(uint64_t, D) = R(uint8_t, A) ? R(uint64_t, B) : R(uint64_t, E);
  NEXT;
L_SELECTN:
  memcpy(Fp + Ip->D, Fp + (R(uint8_t, A) ? Ip->B : Ip->E), Ip->C);
  NEXT;
L_BR:
  ++Bc[Ip->C];
  JUMP(Ip->T);
L_BR_BACK : {
  ++Bc[Ip->C];
  uint64_t C = ++Be[Ip->B];
  ++InCall;
  // Past a threshold, or back at the header of an outlined loop whose code
  // changed (a tier-up by calls, or one compiled in the background).
  if ((FS->LoopThreshold &&
       (C >= FS->LoopThreshold || InCall >= FS->LoopThresholdInCall)) ||
      (Ip->B == FS->ReentryBlock &&
       I->Env.slots[FS->Id].load(std::memory_order_relaxed) != FS->Closure))
      [[unlikely]]
    if (loopCheck(*I, *FS, Fp, Ret, C, InCall, Ip->B))
      return;
  JUMP(Ip->T);
}
L_JMP:
  JUMP(Ip->T);
L_BRC:
  if (R(uint8_t, A)) {
    ++Bc[Ip->D];
    JUMP(Ip->T);
  }
  ++Bc[Ip->C];
  JUMP(Ip->T2);
#define FUSED(N, COND)                                                         \
  L_##N : if (COND) {                                                          \
    ++Bc[Ip->D];                                                               \
    JUMP(Ip->T);                                                               \
  }                                                                            \
  ++Bc[Ip->C];                                                                 \
  JUMP(Ip->T2);
  FUSED(BRC_SLT_I32, R(int32_t, A) < R(int32_t, B))
  FUSED(BRC_SLT_I64, R(int64_t, A) < R(int64_t, B))
  FUSED(BRC_ULT_I64, R(uint64_t, A) < R(uint64_t, B))
  FUSED(BRC_EQ, R(uint64_t, A) == R(uint64_t, B))
  FUSED(BRC_NE, R(uint64_t, A) != R(uint64_t, B))
  FUSED(BRC_SLE_I32, R(int32_t, A) <= R(int32_t, B))
  FUSED(BRC_SGT_I32, R(int32_t, A) > R(int32_t, B))
  FUSED(BRC_SGE_I32, R(int32_t, A) >= R(int32_t, B))
  FUSED(BRC_SLE_I64, R(int64_t, A) <= R(int64_t, B))
  FUSED(BRC_SGT_I64, R(int64_t, A) > R(int64_t, B))
  FUSED(BRC_SGE_I64, R(int64_t, A) >= R(int64_t, B))
  FUSED(BRC_ULE, R(uint64_t, A) <= R(uint64_t, B))
  FUSED(BRC_UGT, R(uint64_t, A) > R(uint64_t, B))
  FUSED(BRC_UGE, R(uint64_t, A) >= R(uint64_t, B))
L_SWITCH:
L_INDIRECTBR : {
  auto *ST = static_cast<const SwitchTable *>(Ip->P);
  uint64_t V = R(uint64_t, A);
  for (size_t K = 0, N = ST->Vals.size(); K < N; ++K)
    if (ST->Vals[K] == V) {
      ++Bc[ST->Counters[K]];
      JUMP(ST->Targets[K]);
    }
  if (!ST->Default)
    fatal("indirectbr to an unknown block address in @" + FS->F->getName());
  ++Bc[ST->DefaultCounter];
  JUMP(ST->Default);
}
L_RET_VOID:
  return;
L_RET8:
  *reinterpret_cast<uint64_t *>(Ret) = R(uint64_t, A);
  return;
L_RETN:
  memcpy(Ret, Fp + Ip->A, Ip->C);
  return;
L_UNREACHABLE:
  trap(*FS, Ip->C);
L_CALL:
  doCall(*I, *static_cast<const CallSite *>(Ip->P), Fp);
  NEXT;
L_VBIN:
  vecBin(*Ip, Fp);
  NEXT;
L_VCMP:
  vecCmp(*Ip, Fp);
  NEXT;
L_VCAST:
  vecCast(*Ip, Fp);
  NEXT;
L_VSELECT:
  for (unsigned K = 0; K < Ip->C; ++K)
    memcpy(Fp + Ip->D + K * Ip->Imm,
           Fp + ((Fp + Ip->A)[K] ? Ip->B : Ip->E) + K * Ip->Imm, Ip->Imm);
  NEXT;
L_EXTRACTELT:
  R(uint64_t, D) = 0;
  memcpy(Fp + Ip->D, Fp + Ip->A + R(uint64_t, B) * Ip->C, Ip->C);
  NEXT;
L_INSERTELT:
  memcpy(Fp + Ip->D + *(uint64_t *)(Fp + Ip->E) * Ip->C, Fp + Ip->B, Ip->C);
  NEXT;
L_SHUFFLE:
  shuffle(*Ip, Fp);
  NEXT;
L_VREDUCE:
  vecReduce(*Ip, Fp);
  NEXT;
L_IINTR:
  R(uint64_t, D) = intIntrinsic(Ip->Imm, Ip->C, R(uint64_t, A), R(uint64_t, B),
                                *(uint64_t *)(Fp + Ip->E));
  NEXT;
L_OVF:
  overflowOp(Fp + Ip->D, Ip->Imm, Ip->C, R(uint64_t, A), R(uint64_t, B),
             Ip->Imm2);
  NEXT;
L_MEMCPY:
  memcpy(R(void *, A), R(void *, B), Ip->C ? Ip->Imm : R(uint64_t, E));
  NEXT;
L_MEMMOVE:
  memmove(R(void *, A), R(void *, B), Ip->C ? Ip->Imm : R(uint64_t, E));
  NEXT;
L_MEMSET:
  memset(R(void *, A), R(uint8_t, B), Ip->C ? Ip->Imm : R(uint64_t, E));
  NEXT;
L_VASTART:
  memcpy(R(void *, A), *reinterpret_cast<void **>(Fp + FS->VaOff), 24);
  NEXT;
L_VACOPY:
  memcpy(R(void *, A), R(void *, B), 24);
  NEXT;
L_ATOMICRMW:
  R(uint64_t, D) = atomicRMW(Ip->Imm, Ip->C, R(uint8_t *, A), R(uint64_t, B));
  NEXT;
L_FPCLASS:
  R(uint64_t, D) =
      fpClass(Ip->C ? double(R(float, A)) : R(double, A), Ip->C, Ip->Imm);
  NEXT;
L_MATHI_F32:
  R(uint64_t, D) =
      uint64_t(reinterpret_cast<long (*)(float)>(Ip->P2)(R(float, A))) &
      Ip->Imm;
  NEXT;
L_MATHI_F64:
  R(uint64_t, D) =
      uint64_t(reinterpret_cast<long (*)(double)>(Ip->P2)(R(double, A))) &
      Ip->Imm;
  NEXT;
L_VINTR:
  vecIntrinsic(*static_cast<const VecIntrinsic *>(Ip->P), Fp);
  NEXT;
L_CMPXCHG : {
  uint8_t *P = R(uint8_t *, A);
  uint64_t Old = eltI(P, Ip->C, 0);
  bool Ok = Old == R(uint64_t, B);
  if (Ok)
    setI(P, Ip->C, 0, *(uint64_t *)(Fp + Ip->E));
  R(uint64_t, D) = Old;
  (Fp + Ip->D)[Ip->Imm] = Ok;
  NEXT;
}
}

} // namespace

const void *const *handlerTable() {
  if (!Handlers)
    exec(nullptr, nullptr, nullptr, nullptr);
  return Handlers;
}

void fatal(const Twine &Msg) {
  errs() << "gts-interp: " << Msg << "\n";
  errs().flush();
  fflush(stdout);
  _exit(70);
}

// A native entry into FS, which runs compiled instead: the call, passed on.
void callCompiled(Impl &I, FuncState &FS, void *Ret, void **Args) {
  void *Code = I.Env.slots[FS.Id].load(std::memory_order_acquire);
  if (FS.RegCall)
    regCall(FS.Sig, Code, reinterpret_cast<uint8_t *const *>(Args),
            static_cast<uint8_t *>(Ret));
  else
    ffi_call(&FS.Cif, FFI_FN(Code), Ret, Args);
}

void closureEntry(ffi_cif *, void *Ret, void **Args, void *UserData) {
  auto &FS = *static_cast<FuncState *>(UserData);
  Impl &I = *FS.Owner;
  if (!runsInterpreted(I, FS)) [[unlikely]]
    return callCompiled(I, FS, Ret, Args);
  ++FS.NativeCalls;
  enterFromNative(__builtin_frame_address(0));
  uint8_t *Fp = pushFrame(FS);
  for (size_t J = 0; J < FS.ParamOff.size(); ++J) {
    uint8_t *Dst = Fp + FS.ParamOff[J];
    if (FS.ByvalSize[J]) {
      memcpy(Fp + FS.ByvalOff[J], Args[J], FS.ByvalSize[J]);
      *reinterpret_cast<uint8_t **>(Dst) = Fp + FS.ByvalOff[J];
      continue;
    }
    *reinterpret_cast<uint64_t *>(Dst) = 0;
    memcpy(Dst, Args[J], FS.ParamStore[J]);
  }
  uint8_t *R = bump(FS.RetSize + 16, 16);
  memset(R, 0, 16);
  run(I, FS, Fp, R);
  if (FS.RetIntBits) {
    uint64_t V = *reinterpret_cast<uint64_t *>(R);
    if (FS.RetSext)
      V = sext(V, FS.RetIntBits);
    *static_cast<ffi_arg *>(Ret) = V;
  } else if (FS.RetStore) {
    memcpy(Ret, R, FS.RetStore);
  }
  leaveToNative();
}

// Native callers of variadic functions (and of functions with vectors in
// their signature): a per-function stub loads the FuncState into r11 and
// jumps here; this saves the argument registers as a SysV register save area
// and calls gts_interp_va_entry, then loads the result registers {rax, rdx,
// xmm0, xmm1} from a buffer (16 bytes per XMM register). If the function runs
// compiled instead, it restores the argument registers and jumps to that
// code: the caller's call, stack arguments and all, goes there unchanged
// (al, the variadic vector-register count, is set to its bound, 8).
asm(R"(
  # The argument registers from a save area at base (rdi..r9 at 0-40,
  # xmm0..7 at 48-160), and al = 8, the bound of vector registers a variadic
  # callee may read.
  .macro gts_load_arg_regs base
  mov 0(\base), %rdi
  mov 8(\base), %rsi
  mov 16(\base), %rdx
  mov 24(\base), %rcx
  mov 32(\base), %r8
  mov 40(\base), %r9
  movups 48(\base), %xmm0
  movups 64(\base), %xmm1
  movups 80(\base), %xmm2
  movups 96(\base), %xmm3
  movups 112(\base), %xmm4
  movups 128(\base), %xmm5
  movups 144(\base), %xmm6
  movups 160(\base), %xmm7
  mov $8, %eax
  .endm

  .pushsection .text
  .globl gts_interp_va_thunk
  .type gts_interp_va_thunk, @function
gts_interp_va_thunk:
  push %rbp
  mov %rsp, %rbp
  sub $224, %rsp
  mov %rdi, 0(%rsp)
  mov %rsi, 8(%rsp)
  mov %rdx, 16(%rsp)
  mov %rcx, 24(%rsp)
  mov %r8, 32(%rsp)
  mov %r9, 40(%rsp)
  movaps %xmm0, 48(%rsp)
  movaps %xmm1, 64(%rsp)
  movaps %xmm2, 80(%rsp)
  movaps %xmm3, 96(%rsp)
  movaps %xmm4, 112(%rsp)
  movaps %xmm5, 128(%rsp)
  movaps %xmm6, 144(%rsp)
  movaps %xmm7, 160(%rsp)
  mov %r11, %rdi
  mov %rsp, %rsi
  lea 16(%rbp), %rdx
  lea 176(%rsp), %rcx
  call gts_interp_va_entry
  test %rax, %rax
  jnz 1f
  mov 176(%rsp), %rax
  mov 184(%rsp), %rdx
  movups 192(%rsp), %xmm0
  movups 208(%rsp), %xmm1
  leave
  ret
1:
  mov %rax, %r11
  gts_load_arg_regs %rsp
  leave
  jmp *%r11
  .size gts_interp_va_thunk, .-gts_interp_va_thunk

  # gts_interp_reg_call(Target, Regs, Stack, StackBytes, Ret): calls Target
  # with rdi..r9 and xmm0..7 from Regs (the save area layout above) and
  # StackBytes (a multiple of 16) of stack arguments; stores {rax, rdx, xmm0,
  # xmm1} to Ret.
  .globl gts_interp_reg_call
  .type gts_interp_reg_call, @function
gts_interp_reg_call:
  push %rbp
  mov %rsp, %rbp
  push %rbx
  push %r12
  mov %rdi, %r11
  mov %rsi, %r12
  mov %r8, %rbx
  sub %rcx, %rsp
  mov %rsp, %rdi
  mov %rdx, %rsi
  rep movsb
  gts_load_arg_regs %r12
  call *%r11
  mov %rax, 0(%rbx)
  mov %rdx, 8(%rbx)
  movups %xmm0, 16(%rbx)
  movups %xmm1, 32(%rbx)
  lea -16(%rbp), %rsp
  pop %r12
  pop %rbx
  pop %rbp
  ret
  .size gts_interp_reg_call, .-gts_interp_reg_call
  .popsection
)");

extern "C" void gts_interp_reg_call(void *Target, const uint8_t *Regs,
                                    const uint8_t *Stack, size_t StackBytes,
                                    uint8_t *Ret);

void regCall(const RegSig &S, void *Target, uint8_t *const *Args,
             uint8_t *Ret) {
  alignas(16) uint8_t Regs[176] = {};
  SmallVector<uint8_t, 64> Stack;
  unsigned Gp = 0, Xmm = 0;
  auto Spill = [&](const void *Src, unsigned Bytes, unsigned Slot) {
    size_t At = alignTo(Stack.size(), Slot);
    Stack.resize(At + Slot);
    memcpy(&Stack[At], Src, Bytes);
  };
  for (size_t J = 0; J < S.Args.size(); ++J) {
    RegSig::Class C = S.Args[J];
    if (C == RegSig::Gp || C == RegSig::GpSext) {
      uint64_t V;
      memcpy(&V, Args[J], 8);
      if (C == RegSig::GpSext && S.Bytes[J] < 8)
        V = sext(V, 8 * S.Bytes[J]);
      if (Gp < 6)
        memcpy(Regs + 8 * Gp++, &V, 8);
      else
        Spill(&V, 8, 8);
    } else if (Xmm < 8) {
      memcpy(Regs + 48 + 16 * Xmm++, Args[J], S.Bytes[J]);
    } else {
      Spill(Args[J], S.Bytes[J], C == RegSig::Vec ? 16 : 8);
    }
  }
  Stack.resize(alignTo(Stack.size(), 16));
  alignas(16) uint8_t Out[48];
  gts_interp_reg_call(Target, Regs, Stack.data(), Stack.size(), Out);
  if (S.Ret == RegSig::Gp || S.Ret == RegSig::GpSext) {
    uint64_t V;
    memcpy(&V, Out, 8);
    if (S.RetBits)
      V &= (1ull << S.RetBits) - 1;
    memcpy(Ret, &V, 8);
  } else if (S.Ret == RegSig::Sse) {
    memset(Ret, 0, 8);
    memcpy(Ret, Out + 16, S.RetBytes);
  } else if (S.Ret == RegSig::Vec) {
    memcpy(Ret, Out + 16, S.RetBytes);
  }
}

namespace {

// Reads fixed parameters the way a SysV caller passed them.
struct ArgReader {
  uint8_t *Regs, *Ov;
  unsigned Gp = 0, Xmm = 0;
  uint8_t *gp() { return Gp < 6 ? Regs + 8 * Gp++ : (Ov += 8) - 8; }
  uint8_t *xmm() { return Xmm < 8 ? Regs + 48 + 16 * Xmm++ : (Ov += 8) - 8; }
  uint8_t *vec() {
    if (Xmm < 8)
      return Regs + 48 + 16 * Xmm++;
    Ov = alignUp(Ov, 16);
    return (Ov += 16) - 16;
  }
  uint8_t *pair() {
    if (Gp <= 4)
      return (Gp += 2, Regs + 8 * (Gp - 2));
    Ov = alignUp(Ov, 16);
    return (Ov += 16) - 16;
  }
};

void readParam(FuncState &FS, unsigned J, ArgReader &In, uint8_t *Fp) {
  Type *T = FS.F->getArg(J)->getType();
  uint8_t *Dst = Fp + FS.ParamOff[J];
  if (FS.ByvalSize[J]) {
    In.Ov = alignUp(In.Ov, 8);
    memcpy(Fp + FS.ByvalOff[J], In.Ov, FS.ByvalSize[J]);
    In.Ov += (FS.ByvalSize[J] + 7) & ~7u;
    *reinterpret_cast<uint8_t **>(Dst) = Fp + FS.ByvalOff[J];
  } else if (T->isFloatTy() || T->isDoubleTy()) {
    *reinterpret_cast<uint64_t *>(Dst) = 0;
    memcpy(Dst, In.xmm(), T->isFloatTy() ? 4 : 8);
  } else if (T->isIntegerTy(128)) {
    memcpy(Dst, In.pair(), 16);
  } else if (T->isVectorTy()) {
    memcpy(Dst, In.vec(), FS.ParamStore[J]);
  } else if (T->isPointerTy() || T->isIntegerTy()) {
    uint64_t V;
    memcpy(&V, In.gp(), 8);
    unsigned Bits = T->isPointerTy() ? 64 : T->getIntegerBitWidth();
    *reinterpret_cast<uint64_t *>(Dst) =
        Bits < 64 ? V & ((1ull << Bits) - 1) : V;
  } else {
    fatal("native call into variadic @" + FS.F->getName() +
          ": unsupported parameter type");
  }
}

// Result registers {rax, rdx, xmm0, xmm1} for the value at R of type T.
void writeResult(FuncState &FS, Type *T, const uint8_t *R, uint64_t *Out) {
  const DataLayout &DL = FS.Owner->DL;
  unsigned G = 0, X = 2;
  auto Put = [&](Type *E, const uint8_t *P) {
    uint64_t V = 0;
    unsigned N = std::min<uint64_t>(DL.getTypeStoreSize(E), 16);
    if (E->isFloatingPointTy() || E->isVectorTy()) {
      memcpy(&Out[X], P, N);
      X += 2; // the next XMM register
      return;
    }
    memcpy(&V, P, std::min(N, 8u));
    if (E->isIntegerTy() && FS.RetSext && E->getIntegerBitWidth() < 64)
      V = sext(V, E->getIntegerBitWidth());
    Out[G++] = V;
    if (N > 8)
      memcpy(&Out[G++], P + 8, N - 8);
  };
  if (auto *ST = dyn_cast<StructType>(T)) {
    const StructLayout *SL = DL.getStructLayout(ST);
    for (unsigned K = 0; K < ST->getNumElements(); ++K)
      Put(ST->getElementType(K), R + SL->getElementOffset(K));
  } else if (!T->isVoidTy()) {
    Put(T, R);
  }
}

} // namespace

// Null once FS has run, or the code that runs FS instead (the interpreter
// cannot): gts_interp_va_thunk makes the original call to it.
extern "C" void *gts_interp_va_entry(FuncState *FS, uint8_t *Regs,
                                     uint8_t *Stack, uint64_t *Ret) {
  Impl &I = *FS->Owner;
  if (!runsInterpreted(I, *FS)) [[unlikely]]
    return I.Env.slots[FS->Id].load(std::memory_order_acquire);
  ++FS->NativeCalls;
  enterFromNative(__builtin_frame_address(0));
  uint8_t *Fp = pushFrame(*FS);
  ArgReader In{Regs, Stack};
  for (unsigned J = 0; J < FS->ParamOff.size(); ++J)
    readParam(*FS, J, In, Fp);
  if (FS->F->isVarArg()) {
    uint8_t *Tmpl = bump(32, 16);
    writeVaList(Tmpl, 8 * In.Gp, 48 + 16 * In.Xmm, In.Ov, Regs);
    *reinterpret_cast<uint8_t **>(Fp + FS->VaOff) = Tmpl;
  }
  uint8_t *R = bump(FS->RetSize + 16, 16);
  memset(R, 0, 16);
  run(I, *FS, Fp, R);
  writeResult(*FS, FS->F->getReturnType(), R, Ret);
  leaveToNative();
  return nullptr;
}

} // namespace gts
