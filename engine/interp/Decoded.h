//===- Decoded.h - pre-decoded function form (internal) -------------------===//
//
// Frame layout of a function: [constants | params | SSA values | static
// allocas | byval copies | phi temps]. Every operand is a byte offset into the
// frame; the constant area is copied from a template at entry. Integers up to
// 64 bits live zero-extended in 8-byte slots, floats as their bit pattern,
// aggregates and vectors in their DataLayout memory image.
//
//===----------------------------------------------------------------------===//
#ifndef GTS_ENGINE_INTERP_DECODED_H
#define GTS_ENGINE_INTERP_DECODED_H

#include "Interpreter.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/DataLayout.h"
#include <atomic>
#include <deque>
#include <ffi.h>
#include <mutex>

namespace gts {

// clang-format off
#define GTS_INT_OPS(X, W) \
  X(ADD_##W) X(SUB_##W) X(MUL_##W) X(UDIV_##W) X(SDIV_##W) X(UREM_##W) \
  X(SREM_##W) X(SHL_##W) X(LSHR_##W) X(ASHR_##W)
#define GTS_FP_OPS(X, W) \
  X(FADD_##W) X(FSUB_##W) X(FMUL_##W) X(FDIV_##W) X(FREM_##W) X(FNEG_##W) \
  X(FCMP_##W) X(SITOFP_##W) X(UITOFP_##W) X(FPTOSI_##W) X(FPTOUI_##W) \
  X(MATH1_##W) X(MATH2_##W) X(FMA_##W) X(FMULADD_##W)
// 128-bit vector fast paths (the loop vectorizer's output on x86-64).
#define GTS_V128_OPS(X, T) \
  X(VADD_##T) X(VSUB_##T) X(VMUL_##T) X(VAND_##T) X(VOR_##T) X(VXOR_##T)
#define GTS_V128_FOPS(X, T) X(VFADD_##T) X(VFSUB_##T) X(VFMUL_##T) X(VFDIV_##T)

#define GTS_OPCODES(X) \
  GTS_INT_OPS(X, I32) \
  GTS_INT_OPS(X, I64) \
  GTS_INT_OPS(X, IN) \
  GTS_INT_OPS(X, I128) \
  GTS_FP_OPS(X, F32) \
  GTS_FP_OPS(X, F64) \
  X(AND) X(OR) X(XOR) X(AND_I128) X(OR_I128) \
  X(XOR_I128) X(MASK) X(SEXT) X(SEXT_I128) X(MOV8) \
  X(MOVN) X(LEA) X(PTRADD) X(COPYZ) X(INSERT) \
  X(ICMP_EQ) X(ICMP_NE) X(ICMP_ULT) X(ICMP_ULE) X(ICMP_UGT) \
  X(ICMP_UGE) X(ICMP_SLT_I64) X(ICMP_SLE_I64) X(ICMP_SGT_I64) X(ICMP_SGE_I64) \
  X(ICMP_SLT_I32) X(ICMP_SLE_I32) X(ICMP_SGT_I32) X(ICMP_SGE_I32) X(ICMP_SN) \
  X(ICMP_I128) X(FCMP_OLT_F64) X(FCMP_OGT_F64) X(FPEXT) X(FPTRUNC) \
  X(LOAD8) X(LOAD16) X(LOAD32) X(LOAD64) X(LOADN) \
  X(STORE8) X(STORE16) X(STORE32) X(STORE64) X(STOREN) \
  X(GEP_I64) X(GEP_I32) X(ALLOCA) X(STACKSAVE) X(STACKRESTORE) \
  X(SELECT8) X(SELECTN) X(BR) X(BR_BACK) X(BRC) \
  X(JMP) X(BRC_SLT_I32) X(BRC_SLT_I64) X(BRC_ULT_I64) X(BRC_EQ) \
  X(BRC_NE) X(SWITCH) X(INDIRECTBR) X(RET_VOID) X(RET8) \
  X(RETN) X(UNREACHABLE) X(CALL) X(VBIN) X(VCMP) \
  X(VCAST) X(VSELECT) X(EXTRACTELT) X(INSERTELT) X(SHUFFLE) \
  X(VREDUCE) X(IINTR) X(OVF) X(MEMCPY) X(MEMMOVE) \
  X(MEMSET) X(VASTART) X(VACOPY) X(ATOMICRMW) X(CMPXCHG) \
  X(IMM) X(FPCLASS) X(MATHI_F32) X(MATHI_F64) X(VINTR) \
  X(LOAD128) X(STORE128) X(MOV16) X(VFMULADD_V4F32) X(VFMULADD_V2F64) \
  X(LOADREL) X(BRC_SLE_I32) X(BRC_SGT_I32) X(BRC_SGE_I32) X(BRC_SLE_I64) \
  X(BRC_SGT_I64) X(BRC_SGE_I64) X(BRC_ULE) X(BRC_UGT) X(BRC_UGE) \
  X(LOADX8_I32) X(LOADX16_I32) X(LOADX32_I32) X(LOADX64_I32) \
  X(LOADX8_I64) X(LOADX16_I64) X(LOADX32_I64) X(LOADX64_I64) \
  X(STOREX8_I32) X(STOREX16_I32) X(STOREX32_I32) X(STOREX64_I32) \
  X(STOREX8_I64) X(STOREX16_I64) X(STOREX32_I64) X(STOREX64_I64) \
  GTS_V128_OPS(X, V4I32) GTS_V128_OPS(X, V2I64) GTS_V128_OPS(X, V8I16) \
  GTS_V128_OPS(X, V16I8) GTS_V128_FOPS(X, V4F32) GTS_V128_FOPS(X, V2F64)
// clang-format on

enum Opcode : uint16_t {
#define GTS_ENUM(N) OP_##N,
  GTS_OPCODES(GTS_ENUM)
#undef GTS_ENUM
      OP_COUNT
};

struct Inst {
  const void *H; // handler address (opcode while translating)
  uint32_t D, A, B, C;
  union {
    int64_t Imm;
    void *P;
    Inst *T;
  };
  union {
    int64_t Imm2;
    void *P2;
    Inst *T2;
    uint32_t E;
  };
};

// Scalar kinds of vector elements and atomics.
enum ElemKind : uint8_t {
  EK_I1,
  EK_I8,
  EK_I16,
  EK_I32,
  EK_I64,
  EK_F32,
  EK_F64
};

// Sub-operations of IINTR, OVF and VREDUCE.
enum IntrOp : uint8_t {
  IO_SMIN,
  IO_SMAX,
  IO_UMIN,
  IO_UMAX,
  IO_ABS,
  IO_CTPOP,
  IO_CTLZ,
  IO_CTTZ,
  IO_BSWAP,
  IO_BITREV,
  IO_FSHL,
  IO_FSHR,
  IO_SADDSAT,
  IO_UADDSAT,
  IO_SSUBSAT,
  IO_USUBSAT
};
enum OvfOp : uint8_t { OV_SADD, OV_UADD, OV_SSUB, OV_USUB, OV_SMUL, OV_UMUL };
enum ReduceOp : uint8_t {
  RD_ADD,
  RD_MUL,
  RD_AND,
  RD_OR,
  RD_XOR,
  RD_SMAX,
  RD_SMIN,
  RD_UMAX,
  RD_UMIN,
  RD_FADD,
  RD_FMUL,
  RD_FMAX,
  RD_FMIN
};

// Element-wise intrinsic on fixed vectors (one scalar helper per lane).
struct VecIntrinsic {
  enum Class { Math1, Math2, Fma, FmulAdd, Int } Cls;
  void *Fn;
  unsigned Op, N;
  ElemKind K;
  uint32_t D, A, B, C;
};

// A signature that calls and entries pass themselves, without libffi:
// those with vectors, which libffi cannot describe, and at native call
// sites every one of only scalars (libffi's x86-64 ffi_call classifies
// each argument again at every call: half of a cold TinyLlama run's
// interpreted instructions). Each value goes where LLVM's x86-64 C
// convention puts it (integers and pointers in GPRs, float and double in
// the low part of an XMM register, a vector of up to 16 bytes in a whole
// one; then 8-byte stack slots, 16-byte ones for vectors). Only these
// kinds, no byval or sret.
struct RegSig {
  enum Class : uint8_t { Void, Gp, GpSext, Sse, Vec };
  std::vector<Class> Args;
  std::vector<uint8_t> Bytes; // store size of each argument
  Class Ret = Void;
  uint8_t RetBytes = 0, RetBits = 0; // RetBits: integer results below 64
};

struct CallSite {
  FuncState *Callee = nullptr; // defined app function (direct), else null
  llvm::FunctionType *FT = nullptr;
  void *Native = nullptr;  // direct native target
  uint32_t CalleeSlot = 0; // indirect: frame offset of the pointer
  bool Indirect = false;
  unsigned NumFixed = 0;
  std::vector<uint32_t> ArgOff, ArgSize; // ArgSize: slot bytes
  std::vector<uint32_t> ByvalSize;       // 0 unless byval
  uint32_t RetOff = 0;
  bool RetInt = false;
  unsigned RetBits = 0;
  bool RegCall = false; // Sig, not Cif
  RegSig Sig;
  ffi_cif Cif;
  std::vector<ffi_type *> FfiArgs;
};

struct SwitchTable {
  std::vector<uint64_t> Vals;
  std::vector<Inst *> Targets;
  std::vector<uint32_t> Counters;
  std::vector<size_t> TargetIdx;
  Inst *Default = nullptr;
  size_t DefaultIdx = SIZE_MAX;
  uint32_t DefaultCounter = 0;
};

struct FuncState {
  llvm::Function *F = nullptr;
  int Id = -1;
  // Set once translated (release), read at every entry (acquire).
  std::atomic<bool> Translated = false;
  bool Failed = false;
  std::string Reason;
  uint32_t FrameSize = 0, FrameAlign = 16, ConstSize = 0;
  std::vector<uint8_t> Consts;
  std::vector<Inst> Code;
  Interpreter::Impl *Owner = nullptr;
  std::vector<uint32_t> ParamOff, ParamStore, ByvalOff, ByvalSize;
  uint32_t RetSize = 0, VaOff = 0;
  std::deque<CallSite> Calls;
  std::deque<SwitchTable> Switches;
  std::deque<std::vector<int>> Shuffles;
  std::deque<VecIntrinsic> VecIntrinsics;
  FunctionCounters Prof; // calls and cycles; profile() derives the rest
  std::vector<uint64_t> Counters, BackEdges;              // by block index
  std::vector<std::pair<unsigned, unsigned>> Fallthrough; // uncounted edges
  uint64_t CallThreshold = 0, LoopThreshold = 0;
  // A tenth of LoopThreshold, taken in one activation, also makes a loop
  // hot: a long loop entered once (TinyLlama's tokenizer reads 32,000
  // entries in one call, about 3 ms interpreted) asks for its code a tenth
  // as late, while a loop of few iterations per call still needs the whole
  // count over its calls (its call count asks for code too).
  uint64_t LoopThresholdInCall = 0;
  uint64_t NativeCalls = 0; // calls from native code (Interpreter::nativeCalls)
  bool IsLoop = false;
  // For an outlined loop: index of its header block, the one place where
  // re-entering the function resumes the loop exactly (an inner loop's
  // back-edge is not: its own state would restart).
  uint32_t ReentryBlock = UINT32_MAX;
  // Closure for native callers (libffi's or an engine-built entry).
  void *Closure = nullptr;
  bool SignatureReady = false;
  void *ClosureMem = nullptr;
  ffi_cif Cif;
  std::vector<ffi_type *> FfiArgs;
  ffi_type *FfiRet = nullptr;
  unsigned RetStore = 0, RetIntBits = 0;
  bool RetSext = false;
  bool RegCall = false; // vectors: Sig, not Cif
  RegSig Sig;
};

struct Interpreter::Impl {
  llvm::Module &M;
  const llvm::DataLayout &DL;
  InterpEnv Env;
  std::mutex TranslateLock; // first calls on several app threads
  llvm::DenseMap<const llvm::Function *, std::unique_ptr<FuncState>> Funcs;
  llvm::DenseMap<void *, FuncState *> ByAddr; // entry[id] and closures
  std::deque<ffi_type> StructTypes;
  std::deque<std::vector<ffi_type *>> StructElems;
  // blockaddress tokens: one byte per block of each function.
  llvm::DenseMap<const llvm::BasicBlock *, void *> BlockTokens;
  std::deque<std::vector<uint8_t>> TokenMem;

  Impl(llvm::Module &M, InterpEnv E)
      : M(M), DL(M.getDataLayout()), Env(std::move(E)) {}
  FuncState &state(llvm::Function &F);
  llvm::Error translate(FuncState &FS);
  llvm::Expected<void *> closure(FuncState &FS);
  llvm::Error prepareSignature(FuncState &FS);
  void setEntry(FuncState &FS, void *Code);
  llvm::Expected<ffi_type *> ffiType(llvm::Type *T, bool Signed);
  // Whether FT (with call or function attributes AL) has vectors, or with
  // Scalars holds only scalars (not variadic); if so, S describes it or the
  // Error names what registers cannot carry.
  llvm::Expected<bool> regSig(llvm::FunctionType *FT,
                              const llvm::AttributeList &AL, RegSig &S,
                              bool Scalars = false);
  llvm::Error writeConst(const llvm::Constant *C, uint8_t *Dst);
  void *blockToken(const llvm::BasicBlock *BB);
  // Maps entry[id] of every defined function (first indirect call).
  void mapEntries();
  bool EntriesMapped = false;
};

// Execution (Exec.cpp).
const void *const *handlerTable();
void closureEntry(ffi_cif *Cif, void *Ret, void **Args, void *UserData);
// Calls Target with signature S: Args[i] points to argument i in its slot;
// the result goes to Ret as a slot holds it (integers zero-extended).
void regCall(const RegSig &S, void *Target, uint8_t *const *Args, uint8_t *Ret);
[[noreturn]] void fatal(const llvm::Twine &Msg);

} // namespace gts

#endif
