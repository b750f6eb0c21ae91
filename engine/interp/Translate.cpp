//===- Translate.cpp - LLVM IR function -> pre-decoded form ---------------===//
//
// One pass assigns frame slots (constants first, so the constant template is
// a prefix of the frame), a second emits specialized instructions per block.
// Phis become parallel moves in edge stubs placed after the blocks.
//
//===----------------------------------------------------------------------===//
#include "Decoded.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/GetElementPtrTypeIterator.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Operator.h"
#include <cmath>

using namespace llvm;

namespace gts {
namespace {

Error unsupported(const Twine &What) {
  return createStringError(inconvertibleErrorCode(), "unsupported: " + What);
}

std::string typeName(Type *T) {
  std::string S;
  raw_string_ostream OS(S);
  T->print(OS);
  return S;
}

uint64_t maskOf(unsigned Bits) {
  return Bits >= 64 ? ~0ull : (1ull << Bits) - 1;
}

enum IntKind { IK_I32, IK_I64, IK_IN, IK_I128, IK_NONE };

IntKind intKind(Type *T) {
  if (T->isPointerTy())
    return IK_I64;
  if (!T->isIntegerTy())
    return IK_NONE;
  unsigned B = T->getIntegerBitWidth();
  return B == 32    ? IK_I32
         : B == 64  ? IK_I64
         : B < 64   ? IK_IN
         : B == 128 ? IK_I128
                    : IK_NONE;
}

unsigned intBits(Type *T) {
  return T->isPointerTy() ? 64 : T->getIntegerBitWidth();
}

Expected<ElemKind> elemKind(Type *T) {
  if (T->isPointerTy())
    return EK_I64;
  if (T->isFloatTy())
    return EK_F32;
  if (T->isDoubleTy())
    return EK_F64;
  if (T->isIntegerTy()) {
    switch (T->getIntegerBitWidth()) {
    case 1:
      return EK_I1;
    case 8:
      return EK_I8;
    case 16:
      return EK_I16;
    case 32:
      return EK_I32;
    case 64:
      return EK_I64;
    }
  }
  return unsupported("vector element type " + typeName(T));
}

static bool mulFeedsNextAdd(const BinaryOperator &M);

class Translator {
public:
  Translator(Interpreter::Impl &I, FuncState &FS)
      : I(I), FS(FS), F(*FS.F), DL(I.DL), DT(F) {}
  Error run();

private:
  Interpreter::Impl &I;
  FuncState &FS;
  Function &F;
  const DataLayout &DL;
  DominatorTree DT;
  DenseMap<const Value *, uint32_t> Slot;
  DenseMap<const BasicBlock *, unsigned> BBIdx;
  std::vector<size_t> BBStart;
  uint32_t Top = 0;
  // A branch target to resolve once edge stubs exist: Field 0/1 is
  // Imm/Imm2 of Code[At]; Field 2 is entry At of table ST (SIZE_MAX: default).
  struct Fix {
    size_t At;
    int Field;
    SwitchTable *ST;
    const BasicBlock *From, *To;
  };
  std::vector<Fix> Fixes;
  std::vector<Inst> &Code = FS.Code;

  uint32_t slotSize(Type *T);
  uint32_t alloc(uint32_t Size, uint32_t Align = 8);
  Error allocConst(Constant *C);
  Error collectConsts();
  bool needsSlot(const Instruction &In, unsigned OpNo);
  uint32_t op(const Value *V) { return Slot.lookup(V); }
  Inst &emit(Opcode O, uint32_t D = 0, uint32_t A = 0, uint32_t B = 0,
             uint32_t C = 0, int64_t Imm = 0) {
    Inst In{};
    In.H = reinterpret_cast<const void *>(uintptr_t(O));
    In.D = D, In.A = A, In.B = B, In.C = C, In.Imm = Imm;
    Code.push_back(In);
    return Code.back();
  }
  void target(const BasicBlock *From, const BasicBlock *To, int Field) {
    Fixes.push_back({Code.size() - 1, Field, nullptr, From, To});
  }
  uint32_t counter(const BasicBlock *BB) { return BBIdx.lookup(BB); }
  bool isBackEdge(const BasicBlock *From, const BasicBlock *To) {
    return DT.dominates(To, From);
  }

  // Byte offset of an extractvalue/insertvalue path (no LLVMContext use:
  // the JIT may compile from the same context on another thread).
  uint64_t aggOffset(Type *Agg, ArrayRef<unsigned> Idx) {
    uint64_t Off = 0;
    for (unsigned X : Idx) {
      if (auto *ST = dyn_cast<StructType>(Agg)) {
        Off += DL.getStructLayout(ST)->getElementOffset(X);
        Agg = ST->getElementType(X);
      } else {
        Agg = Agg->getArrayElementType();
        Off += X * DL.getTypeAllocSize(Agg);
      }
    }
    return Off;
  }
  Error inst(Instruction &In);
  Error binop(BinaryOperator &B);
  Error icmp(ICmpInst &C);
  Error fcmp(FCmpInst &C);
  Error castOp(CastInst &C);
  Error prepareCif(CallInst &C, CallSite &CS);
  Error load(LoadInst &L);
  Error store(StoreInst &S);
  Error gep(GetElementPtrInst &G);
  Error alloca(AllocaInst &A);
  Error branch(BranchInst &B);
  Error switchInst(SwitchInst &S);
  Error indirectBr(IndirectBrInst &B);
  Error ret(ReturnInst &R);
  Error select(SelectInst &S);
  Error call(CallInst &C);
  Error intrinsic(IntrinsicInst &C);
  Error vectorOp(Instruction &In);
  Error vectorIntrinsic(IntrinsicInst &C, FixedVectorType &VT);
  Error atomic(Instruction &In);
  void jumpTo(const BasicBlock *From, const BasicBlock *To);
  bool foldedAddr(const Value *Ptr, uint32_t &Base, int64_t &Off);
  bool gepFoldable(const GetElementPtrInst &G);
  struct Indexed {
    const Value *Base, *Idx;
    int64_t Off, Scale;
  };
  bool sextFoldable(const Value *V);
  const Value *index(const Value *Idx);
  void splitGep(const GetElementPtrInst &G, int64_t &Off,
                SmallVectorImpl<std::pair<const Value *, int64_t>> &Var);
  bool indexedFoldable(const GetElementPtrInst &G, Indexed &X);
  Error emitStubs();
  void phiMoves(const BasicBlock *From, const BasicBlock *To);
  const PHINode *coalesceTarget(const Instruction &V);
  // Phis whose slot a coalesced binop also writes: reads of them are never
  // deferred (folded GEPs, sexts, fused compares) past their position.
  SmallPtrSet<const Value *, 16> Shared;
  size_t stubFor(const BasicBlock *From, const BasicBlock *To);
  DenseMap<std::pair<const BasicBlock *, const BasicBlock *>, size_t> Stubs;
  void move(uint32_t D, uint32_t S, uint32_t Size);
};

uint32_t Translator::slotSize(Type *T) {
  if (auto *VT = dyn_cast<FixedVectorType>(T))
    if (VT->getElementType()->isIntegerTy(1))
      return alignTo(VT->getNumElements(), 8);
  uint64_t S = DL.getTypeAllocSize(T);
  return alignTo(std::max<uint64_t>(S, 1), 8);
}

uint32_t Translator::alloc(uint32_t Size, uint32_t Align) {
  Top = alignTo(Top, std::max<uint32_t>(Align, 8));
  uint32_t Off = Top;
  Top += alignTo(std::max<uint32_t>(Size, 1), 8);
  return Off;
}

Error Translator::allocConst(Constant *C) {
  if (Slot.count(C))
    return Error::success();
  uint32_t Off = alloc(slotSize(C->getType()), 16);
  FS.Consts.resize(Top, 0);
  Slot[C] = Off;
  return I.writeConst(C, FS.Consts.data() + Off);
}

bool Translator::needsSlot(const Instruction &In, unsigned OpNo) {
  if (isa<GetElementPtrInst>(In) && OpNo > 0)
    return !isa<ConstantInt>(In.getOperand(OpNo));
  if (isa<AllocaInst>(In))
    return !In.getParent()->isEntryBlock();
  if (isa<SwitchInst>(In) && OpNo > 0)
    return false;
  if (auto *CB = dyn_cast<CallBase>(&In)) {
    if (CB->isCallee(&In.getOperandUse(OpNo)))
      return !isa<Function>(CB->getCalledOperand());
    if (isa<IntrinsicInst>(CB))
      return !CB->paramHasAttr(OpNo, Attribute::ImmArg);
  }
  return true;
}

Error Translator::collectConsts() {
  for (BasicBlock &BB : F)
    for (Instruction &In : BB)
      for (unsigned N = 0; N < In.getNumOperands(); ++N) {
        auto *C = dyn_cast<Constant>(In.getOperand(N));
        if (!C || isa<BasicBlock>(C) || !needsSlot(In, N))
          continue;
        if (auto *Fn = dyn_cast<Function>(C); Fn && Fn->isIntrinsic())
          continue;
        if (Error E = allocConst(C))
          return E;
      }
  FS.ConstSize = Top;
  return Error::success();
}

Error Translator::run() {
  if (F.hasFnAttribute(Attribute::Naked))
    return unsupported("naked function");
  if (F.hasPersonalityFn())
    return unsupported("exception handling (personality)");
  unsigned N = 0;
  for (BasicBlock &BB : F)
    BBIdx[&BB] = N++;
  FS.Counters.assign(N + 1, 0); // last: sink for edge stubs
  FS.BackEdges.assign(N, 0);
  if (Error E = collectConsts())
    return E;
  for (Argument &A : F.args()) {
    Type *T = A.getType();
    Slot[&A] = alloc(slotSize(T), 16);
    FS.ParamOff.push_back(Slot[&A]);
    FS.ParamStore.push_back(DL.getTypeStoreSize(T));
    uint32_t BS = 0, BO = 0;
    if (Type *BT = A.getParamByValType()) {
      BS = DL.getTypeAllocSize(BT);
      BO = alloc(BS, DL.getPrefTypeAlign(BT).value());
    }
    FS.ByvalSize.push_back(BS);
    FS.ByvalOff.push_back(BO);
  }
  if (F.isVarArg())
    FS.VaOff = alloc(8);
  FS.RetSize = F.getReturnType()->isVoidTy() ? 0 : slotSize(F.getReturnType());
  DenseMap<const Instruction *, const PHINode *> Coalesced;
  for (BasicBlock &BB : F)
    for (Instruction &In : BB)
      if (const PHINode *P = coalesceTarget(In))
        Coalesced[&In] = P;
      else if (!In.getType()->isVoidTy())
        Slot[&In] = alloc(slotSize(In.getType()), 16);
  for (auto &[V, P] : Coalesced) {
    Slot[V] = Slot[P];
    Shared.insert(P);
  }
  for (BasicBlock &BB : F) {
    BBStart.push_back(Code.size());
    for (Instruction &In : BB)
      if (Error E = inst(In))
        return E;
  }
  if (Error E = emitStubs())
    return E;
  FS.FrameSize = alignTo(Top, 16);
  return Error::success();
}

void Translator::move(uint32_t D, uint32_t S, uint32_t Size) {
  if (Size == 8)
    emit(OP_MOV8, D, S);
  else if (Size == 16)
    emit(OP_MOV16, D, S);
  else
    emit(OP_MOVN, D, S, 0, Size);
}

// Edge stubs: parallel phi moves (through temps), the loop check for back
// edges, then a jump. Plain forward edges without phis jump directly.
// A binop whose only use is phi P of its block's single successor can write
// P's slot directly (no move on the edge) if P is not read after it: not
// later in the block, and not by another phi of the successor.
const PHINode *Translator::coalesceTarget(const Instruction &V) {
  auto *Bin = dyn_cast<BinaryOperator>(&V);
  if (!Bin || !V.hasOneUse() || V.getType()->isVectorTy() ||
      intKind(V.getType()) == IK_I128)
    return nullptr;
  auto *P = dyn_cast<PHINode>(*V.user_begin());
  const BasicBlock *B = V.getParent();
  auto *Br = dyn_cast<BranchInst>(B->getTerminator());
  if (!P || !Br || !Br->isUnconditional() ||
      Br->getSuccessor(0) != P->getParent() || P->getParent() == B ||
      P->getIncomingValueForBlock(B) != &V)
    return nullptr;
  for (const User *U : P->users()) {
    auto *UI = cast<Instruction>(U);
    if (UI->getParent() == B && V.comesBefore(UI))
      return nullptr;
    if (isa<PHINode>(UI) && UI->getParent() == P->getParent())
      return nullptr;
  }
  return P;
}

// Parallel phi copies for the edge From -> To, emitted at the current end
// of the code (through temps only if a source is a phi of To); moves a value
// already in its phi's slot (coalesced) are dropped.
void Translator::phiMoves(const BasicBlock *From, const BasicBlock *To) {
  auto Phis = To->phis();
  bool Direct = true;
  for (const PHINode &P : Phis)
    if (auto *Src = dyn_cast<PHINode>(P.getIncomingValueForBlock(From)))
      Direct &= Src->getParent() != To;
  if (Direct) {
    for (const PHINode &P : Phis)
      if (op(&P) != op(P.getIncomingValueForBlock(From)))
        move(op(&P), op(P.getIncomingValueForBlock(From)),
             slotSize(P.getType()));
    return;
  }
  SmallVector<std::pair<const PHINode *, uint32_t>, 8> Tmp;
  for (const PHINode &P : Phis) {
    uint32_t Size = slotSize(P.getType());
    uint32_t T = alloc(Size, 16);
    move(T, op(P.getIncomingValueForBlock(From)), Size);
    Tmp.push_back({&P, T});
  }
  for (auto &[P, T] : Tmp)
    move(op(P), T, slotSize(P->getType()));
}

// Edge stubs of conditional branches: phi moves, the loop check for back
// edges (block already counted by the branch), then a jump.
size_t Translator::stubFor(const BasicBlock *From, const BasicBlock *To) {
  size_t Dest = BBStart[BBIdx.lookup(To)];
  bool Back = isBackEdge(From, To);
  if (To->phis().empty() && !Back)
    return Dest;
  auto Key = std::make_pair(From, To);
  if (auto It = Stubs.find(Key); It != Stubs.end())
    return It->second;
  size_t Start = Code.size();
  phiMoves(From, To);
  emit(Back ? OP_BR_BACK : OP_JMP, 0, 0, BBIdx.lookup(To), F.size()).Imm = Dest;
  Stubs[Key] = Start;
  return Start;
}

Error Translator::emitStubs() {
  for (Fix &Fx : Fixes) {
    // From == null: a direct jump (moves and loop check already inline).
    size_t Dest =
        Fx.From ? stubFor(Fx.From, Fx.To) : BBStart[BBIdx.lookup(Fx.To)];
    if (Fx.Field == 0)
      Code[Fx.At].Imm = Dest;
    else if (Fx.Field == 1)
      Code[Fx.At].Imm2 = Dest;
    else if (Fx.At == SIZE_MAX)
      Fx.ST->DefaultIdx = Dest;
    else
      Fx.ST->TargetIdx[Fx.At] = Dest;
  }
  // Resolve code indices to pointers (Code no longer grows).
  for (Inst &In : Code) {
    switch (Opcode(uintptr_t(In.H))) {
    case OP_BR:
    case OP_BR_BACK:
    case OP_JMP:
      In.T = &Code[In.Imm];
      break;
    case OP_BRC:
    case OP_BRC_SLT_I32:
    case OP_BRC_SLT_I64:
    case OP_BRC_ULT_I64:
    case OP_BRC_EQ:
    case OP_BRC_NE:
    case OP_BRC_SLE_I32:
    case OP_BRC_SGT_I32:
    case OP_BRC_SGE_I32:
    case OP_BRC_SLE_I64:
    case OP_BRC_SGT_I64:
    case OP_BRC_SGE_I64:
    case OP_BRC_ULE:
    case OP_BRC_UGT:
    case OP_BRC_UGE:
      In.T = &Code[In.Imm], In.T2 = &Code[In.Imm2];
      break;
    default:
      break;
    }
  }
  for (SwitchTable &ST : FS.Switches) {
    ST.Default = ST.DefaultIdx == SIZE_MAX ? nullptr : &Code[ST.DefaultIdx];
    for (size_t X : ST.TargetIdx)
      ST.Targets.push_back(&Code[X]);
  }
  return Error::success();
}

Error Translator::inst(Instruction &In) {
  switch (In.getOpcode()) {
  case Instruction::PHI:
  case Instruction::Fence:
    return Error::success();
  case Instruction::ICmp:
    return In.getType()->isVectorTy() ? vectorOp(In) : icmp(cast<ICmpInst>(In));
  case Instruction::FCmp:
    return In.getType()->isVectorTy() ? vectorOp(In) : fcmp(cast<FCmpInst>(In));
  case Instruction::Load:
    return load(cast<LoadInst>(In));
  case Instruction::Store:
    return store(cast<StoreInst>(In));
  case Instruction::GetElementPtr:
    return gep(cast<GetElementPtrInst>(In));
  case Instruction::Alloca:
    return alloca(cast<AllocaInst>(In));
  case Instruction::Br:
    return branch(cast<BranchInst>(In));
  case Instruction::Switch:
    return switchInst(cast<SwitchInst>(In));
  case Instruction::IndirectBr:
    return indirectBr(cast<IndirectBrInst>(In));
  case Instruction::Ret:
    return ret(cast<ReturnInst>(In));
  case Instruction::Select:
    return select(cast<SelectInst>(In));
  case Instruction::Call:
    return call(cast<CallInst>(In));
  case Instruction::Unreachable:
    emit(OP_UNREACHABLE);
    return Error::success();
  case Instruction::Freeze:
    move(op(&In), op(In.getOperand(0)), slotSize(In.getType()));
    return Error::success();
  case Instruction::ExtractValue: {
    auto &EV = cast<ExtractValueInst>(In);
    Type *Agg = EV.getAggregateOperand()->getType();
    uint64_t Off = aggOffset(Agg, EV.getIndices());
    emit(OP_COPYZ, op(&In), op(EV.getAggregateOperand()), 0,
         DL.getTypeStoreSize(EV.getType()), Off);
    return Error::success();
  }
  case Instruction::InsertValue: {
    auto &IV = cast<InsertValueInst>(In);
    Type *Agg = IV.getType();
    uint64_t Off = aggOffset(Agg, IV.getIndices());
    move(op(&In), op(IV.getAggregateOperand()), slotSize(Agg));
    emit(OP_INSERT, op(&In), 0, op(IV.getInsertedValueOperand()),
         DL.getTypeStoreSize(IV.getInsertedValueOperand()->getType()), Off);
    return Error::success();
  }
  case Instruction::ExtractElement:
  case Instruction::InsertElement:
  case Instruction::ShuffleVector:
    return vectorOp(In);
  case Instruction::AtomicRMW:
  case Instruction::AtomicCmpXchg:
    return atomic(In);
  case Instruction::FNeg: {
    Type *T = In.getType();
    if (T->isVectorTy())
      return vectorOp(In);
    if (!T->isFloatTy() && !T->isDoubleTy())
      return unsupported("fneg on " + typeName(T));
    emit(T->isFloatTy() ? OP_FNEG_F32 : OP_FNEG_F64, op(&In),
         op(In.getOperand(0)));
    return Error::success();
  }
  default:
    break;
  }
  if (auto *B = dyn_cast<BinaryOperator>(&In))
    return In.getType()->isVectorTy() ? vectorOp(In) : binop(*B);
  if (auto *C = dyn_cast<CastInst>(&In))
    return In.getType()->isVectorTy() ? vectorOp(In) : castOp(*C);
  return unsupported(Twine("instruction '") + In.getOpcodeName() + "'");
}

Error Translator::binop(BinaryOperator &B) {
  Type *T = B.getType();
  uint32_t D = op(&B), A = op(B.getOperand(0)), Bo = op(B.getOperand(1));
  unsigned Opc = B.getOpcode();
  if (T->isFloatTy() || T->isDoubleTy()) {
    bool F32 = T->isFloatTy();
    if (mulFeedsNextAdd(B))
      return Error::success();
    if (Opc == Instruction::FAdd)
      for (unsigned K = 0; K < 2; ++K)
        if (auto *M = dyn_cast<BinaryOperator>(B.getOperand(K));
            M && mulFeedsNextAdd(*M)) {
          emit(F32 ? OP_FMULADD_F32 : OP_FMULADD_F64, D, op(M->getOperand(0)),
               op(M->getOperand(1)))
              .E = op(B.getOperand(1 - K));
          return Error::success();
        }
    Opcode O;
    switch (Opc) {
    case Instruction::FAdd:
      O = F32 ? OP_FADD_F32 : OP_FADD_F64;
      break;
    case Instruction::FSub:
      O = F32 ? OP_FSUB_F32 : OP_FSUB_F64;
      break;
    case Instruction::FMul:
      O = F32 ? OP_FMUL_F32 : OP_FMUL_F64;
      break;
    case Instruction::FDiv:
      O = F32 ? OP_FDIV_F32 : OP_FDIV_F64;
      break;
    case Instruction::FRem:
      O = F32 ? OP_FREM_F32 : OP_FREM_F64;
      break;
    default:
      return unsupported("fp binop");
    }
    emit(O, D, A, Bo);
    return Error::success();
  }
  IntKind K = intKind(T);
  if (K == IK_NONE)
    return unsupported("arithmetic on " + typeName(T));
  if (Opc == Instruction::And || Opc == Instruction::Or ||
      Opc == Instruction::Xor) {
    static const Opcode Small[] = {OP_AND, OP_OR, OP_XOR};
    static const Opcode Wide[] = {OP_AND_I128, OP_OR_I128, OP_XOR_I128};
    unsigned X = Opc - Instruction::And;
    emit(K == IK_I128 ? Wide[X] : Small[X], D, A, Bo);
    return Error::success();
  }
  static const Opcode Base[] = {OP_ADD_I32, OP_ADD_I64, OP_ADD_IN, OP_ADD_I128};
  int Sub;
  switch (Opc) {
  case Instruction::Add:
    Sub = 0;
    break;
  case Instruction::Sub:
    Sub = 1;
    break;
  case Instruction::Mul:
    Sub = 2;
    break;
  case Instruction::UDiv:
    Sub = 3;
    break;
  case Instruction::SDiv:
    Sub = 4;
    break;
  case Instruction::URem:
    Sub = 5;
    break;
  case Instruction::SRem:
    Sub = 6;
    break;
  case Instruction::Shl:
    Sub = 7;
    break;
  case Instruction::LShr:
    Sub = 8;
    break;
  case Instruction::AShr:
    Sub = 9;
    break;
  default:
    return unsupported(Twine("binop ") + B.getOpcodeName());
  }
  unsigned Bits = intBits(T);
  emit(Opcode(Base[K] + Sub), D, A, Bo, Bits, maskOf(Bits));
  return Error::success();
}

// "fmul; fadd" of one type, adjacent, the product used only by the add, run
// as one FMULADD handler (still two roundings: never fused).
static bool mulFeedsNextAdd(const BinaryOperator &M) {
  if (M.getOpcode() != Instruction::FMul || !M.hasOneUse())
    return false;
  auto *A = dyn_cast_or_null<BinaryOperator>(M.getNextNode());
  return A && A->getOpcode() == Instruction::FAdd && *M.user_begin() == A &&
         A->getType() == M.getType() && A->getOperand(0) != A->getOperand(1);
}

// Fused compare-and-branch opcode for C, or -1.
static int fusedOpcode(const ICmpInst &C) {
  IntKind K = intKind(C.getOperand(0)->getType());
  if (K == IK_I128 || K == IK_NONE)
    return -1;
  switch (C.getPredicate()) {
  case CmpInst::ICMP_EQ:
    return OP_BRC_EQ;
  case CmpInst::ICMP_NE:
    return OP_BRC_NE;
  case CmpInst::ICMP_ULT:
    return OP_BRC_ULT_I64; // zero-extended slots
  case CmpInst::ICMP_ULE:
    return OP_BRC_ULE;
  case CmpInst::ICMP_UGT:
    return OP_BRC_UGT;
  case CmpInst::ICMP_UGE:
    return OP_BRC_UGE;
  default:
    break;
  }
  if (K != IK_I32 && K != IK_I64)
    return -1;
  static const int S32[] = {OP_BRC_SGT_I32, OP_BRC_SGE_I32, OP_BRC_SLT_I32,
                            OP_BRC_SLE_I32};
  static const int S64[] = {OP_BRC_SGT_I64, OP_BRC_SGE_I64, OP_BRC_SLT_I64,
                            OP_BRC_SLE_I64};
  unsigned X = C.getPredicate() - CmpInst::ICMP_SGT;
  return K == IK_I32 ? S32[X] : S64[X];
}

// Fuses "icmp; br" when the compare feeds only the block's branch.
static bool fusedIntoBranch(ICmpInst &C) {
  auto *Br = dyn_cast<BranchInst>(C.getParent()->getTerminator());
  if (!C.hasOneUse() || !Br || !Br->isConditional() || Br->getCondition() != &C)
    return false;
  return fusedOpcode(C) >= 0;
}

Error Translator::icmp(ICmpInst &C) {
  if (fusedIntoBranch(C))
    return Error::success();
  Type *T = C.getOperand(0)->getType();
  IntKind K = intKind(T);
  uint32_t D = op(&C), A = op(C.getOperand(0)), B = op(C.getOperand(1));
  auto P = C.getPredicate();
  if (K == IK_NONE)
    return unsupported("icmp on " + typeName(T));
  if (K == IK_I128) {
    emit(OP_ICMP_I128, D, A, B, 0, P);
    return Error::success();
  }
  switch (P) {
  case CmpInst::ICMP_EQ:
    emit(OP_ICMP_EQ, D, A, B);
    break;
  case CmpInst::ICMP_NE:
    emit(OP_ICMP_NE, D, A, B);
    break;
  case CmpInst::ICMP_ULT:
    emit(OP_ICMP_ULT, D, A, B);
    break;
  case CmpInst::ICMP_ULE:
    emit(OP_ICMP_ULE, D, A, B);
    break;
  case CmpInst::ICMP_UGT:
    emit(OP_ICMP_UGT, D, A, B);
    break;
  case CmpInst::ICMP_UGE:
    emit(OP_ICMP_UGE, D, A, B);
    break;
  default: {
    static const Opcode S64[] = {OP_ICMP_SGT_I64, OP_ICMP_SGE_I64,
                                 OP_ICMP_SLT_I64, OP_ICMP_SLE_I64};
    static const Opcode S32[] = {OP_ICMP_SGT_I32, OP_ICMP_SGE_I32,
                                 OP_ICMP_SLT_I32, OP_ICMP_SLE_I32};
    unsigned X = P - CmpInst::ICMP_SGT;
    if (K == IK_I64)
      emit(S64[X], D, A, B);
    else if (K == IK_I32)
      emit(S32[X], D, A, B);
    else
      emit(OP_ICMP_SN, D, A, B, intBits(T), P);
  }
  }
  return Error::success();
}

Error Translator::fcmp(FCmpInst &C) {
  Type *T = C.getOperand(0)->getType();
  if (!T->isFloatTy() && !T->isDoubleTy())
    return unsupported("fcmp on " + typeName(T));
  uint32_t D = op(&C), A = op(C.getOperand(0)), B = op(C.getOperand(1));
  auto P = C.getPredicate();
  if (T->isDoubleTy() && P == CmpInst::FCMP_OLT)
    emit(OP_FCMP_OLT_F64, D, A, B);
  else if (T->isDoubleTy() && P == CmpInst::FCMP_OGT)
    emit(OP_FCMP_OGT_F64, D, A, B);
  else
    emit(T->isFloatTy() ? OP_FCMP_F32 : OP_FCMP_F64, D, A, B, 0, P);
  return Error::success();
}

Error Translator::castOp(CastInst &C) {
  Type *ST = C.getSrcTy(), *DT = C.getDestTy();
  uint32_t D = op(&C), A = op(C.getOperand(0));
  auto Fp = [](Type *T) { return T->isFloatTy() || T->isDoubleTy(); };
  switch (C.getOpcode()) {
  case Instruction::Trunc:
  case Instruction::PtrToInt:
    if (intBits(DT) > 64)
      break;
    if (intBits(DT) == 64)
      emit(OP_MOV8, D, A);
    else
      emit(OP_MASK, D, A, 0, 0, maskOf(intBits(DT)));
    return Error::success();
  case Instruction::ZExt:
  case Instruction::SExt: {
    if (sextFoldable(&C))
      return Error::success();
    bool S = C.getOpcode() == Instruction::SExt;
    if (intBits(ST) > 64)
      break;
    if (intBits(DT) == 128)
      emit(OP_SEXT_I128, D, A, 0, intBits(ST), S);
    else if (intBits(DT) > 64)
      break;
    else if (S)
      emit(OP_SEXT, D, A, 0, intBits(ST), maskOf(intBits(DT)));
    else
      emit(OP_MOV8, D, A);
    return Error::success();
  }
  case Instruction::IntToPtr:
  case Instruction::AddrSpaceCast:
    if (intBits(ST) > 64)
      break;
    emit(OP_MOV8, D, A);
    return Error::success();
  case Instruction::FPToSI:
  case Instruction::FPToUI: {
    if (!Fp(ST) || intBits(DT) > 64)
      break;
    bool S = C.getOpcode() == Instruction::FPToSI;
    Opcode O = ST->isFloatTy() ? (S ? OP_FPTOSI_F32 : OP_FPTOUI_F32)
                               : (S ? OP_FPTOSI_F64 : OP_FPTOUI_F64);
    emit(O, D, A, 0, intBits(DT), maskOf(intBits(DT)));
    return Error::success();
  }
  case Instruction::SIToFP:
  case Instruction::UIToFP: {
    if (!Fp(DT) || intBits(ST) > 64)
      break;
    bool S = C.getOpcode() == Instruction::SIToFP;
    Opcode O = DT->isFloatTy() ? (S ? OP_SITOFP_F32 : OP_UITOFP_F32)
                               : (S ? OP_SITOFP_F64 : OP_UITOFP_F64);
    emit(O, D, A, 0, intBits(ST));
    return Error::success();
  }
  case Instruction::FPExt:
    if (!ST->isFloatTy() || !DT->isDoubleTy())
      break;
    emit(OP_FPEXT, D, A);
    return Error::success();
  case Instruction::FPTrunc:
    if (!ST->isDoubleTy() || !DT->isFloatTy())
      break;
    emit(OP_FPTRUNC, D, A);
    return Error::success();
  case Instruction::BitCast:
    if (ST->isVectorTy() && ST->getScalarType()->isIntegerTy(1) ||
        DT->isVectorTy() && DT->getScalarType()->isIntegerTy(1))
      break;
    move(D, A, slotSize(DT));
    return Error::success();
  default:
    break;
  }
  return unsupported(Twine("cast ") + C.getOpcodeName() + " " + typeName(ST) +
                     " to " + typeName(DT));
}

// sext i32 -> i64 used only as GEP indices is not emitted: the GEPs read the
// i32 directly (GEP_I32, LOADX*_I32, ...).
bool Translator::sextFoldable(const Value *V) {
  auto *S = dyn_cast<SExtInst>(V);
  if (!S || !S->getSrcTy()->isIntegerTy(32) ||
      !S->getDestTy()->isIntegerTy(64) || Shared.count(S->getOperand(0)))
    return false;
  for (const Use &U : S->uses()) {
    auto *G = dyn_cast<GetElementPtrInst>(U.getUser());
    if (!G || U.getOperandNo() == 0 || G->getType()->isVectorTy())
      return false;
  }
  return true;
}

const Value *Translator::index(const Value *Idx) {
  return sextFoldable(Idx) ? cast<SExtInst>(Idx)->getOperand(0) : Idx;
}

void Translator::splitGep(
    const GetElementPtrInst &G, int64_t &Off,
    SmallVectorImpl<std::pair<const Value *, int64_t>> &Var) {
  Off = 0;
  for (gep_type_iterator It = gep_type_begin(G), E = gep_type_end(G); It != E;
       ++It) {
    const Value *Idx = It.getOperand();
    if (StructType *ST = It.getStructTypeOrNull()) {
      Off += DL.getStructLayout(ST)->getElementOffset(
          cast<ConstantInt>(Idx)->getZExtValue());
      continue;
    }
    int64_t Scale = It.getSequentialElementStride(DL);
    if (auto *CI = dyn_cast<ConstantInt>(Idx))
      Off += CI->getSExtValue() * Scale;
    else
      Var.push_back({index(Idx), Scale});
  }
}

static bool scalarAccess(Type *T) {
  if (T->isIntegerTy()) {
    unsigned W = T->getIntegerBitWidth();
    return W == 1 || W == 8 || W == 16 || W == 32 || W == 64;
  }
  return T->isPointerTy() || T->isFloatTy() || T->isDoubleTy();
}

// A GEP with one variable i32/i64 index used only as the address of scalar
// loads/stores folds into indexed accesses (LOADX/STOREX).
bool Translator::indexedFoldable(const GetElementPtrInst &G, Indexed &X) {
  if (G.getType()->isVectorTy())
    return false;
  SmallVector<std::pair<const Value *, int64_t>, 2> Var;
  splitGep(G, X.Off, Var);
  if (Var.size() != 1)
    return false;
  X.Base = G.getPointerOperand(), X.Idx = Var[0].first, X.Scale = Var[0].second;
  if (Shared.count(X.Base) || Shared.count(X.Idx))
    return false;
  unsigned Bits = intBits(X.Idx->getType());
  if (Bits != 32 && Bits != 64)
    return false;
  for (const User *U : G.users()) {
    if (auto *L = dyn_cast<LoadInst>(U);
        L && L->getPointerOperand() == &G && scalarAccess(L->getType()))
      continue;
    if (auto *S = dyn_cast<StoreInst>(U);
        S && S->getPointerOperand() == &G &&
        scalarAccess(S->getValueOperand()->getType()))
      continue;
    return false;
  }
  return true;
}

static int sizeIndex(uint64_t Size) {
  return Size == 1 ? 0 : Size == 2 ? 1 : Size == 4 ? 2 : 3;
}

// A GEP with constant offset whose users are all loads/stores through it is
// folded into their immediate offset.
bool Translator::gepFoldable(const GetElementPtrInst &G) {
  APInt Off(64, 0);
  if (G.getType()->isVectorTy() || !G.accumulateConstantOffset(DL, Off) ||
      Shared.count(G.getPointerOperand()))
    return false;
  for (const User *U : G.users()) {
    if (auto *L = dyn_cast<LoadInst>(U); L && L->getPointerOperand() == &G)
      continue;
    if (auto *S = dyn_cast<StoreInst>(U); S && S->getPointerOperand() == &G)
      continue;
    return false;
  }
  return true;
}

bool Translator::foldedAddr(const Value *Ptr, uint32_t &Base, int64_t &Off) {
  auto *G = dyn_cast<GetElementPtrInst>(Ptr);
  if (G && gepFoldable(*G)) {
    APInt O(64, 0);
    G->accumulateConstantOffset(DL, O);
    Base = op(G->getPointerOperand()), Off = O.getSExtValue();
    return true;
  }
  Base = op(Ptr), Off = 0;
  return false;
}

Error Translator::load(LoadInst &L) {
  Type *T = L.getType();
  if (T->isVectorTy() && T->getScalarType()->isIntegerTy(1))
    return unsupported("load of " + typeName(T));
  uint64_t Size = DL.getTypeStoreSize(T);
  auto *G = dyn_cast<GetElementPtrInst>(L.getPointerOperand());
  Indexed X;
  if (G && indexedFoldable(*G, X)) {
    bool I32 = intBits(X.Idx->getType()) == 32;
    emit(Opcode((I32 ? OP_LOADX8_I32 : OP_LOADX8_I64) + sizeIndex(Size)),
         op(&L), op(X.Base), op(X.Idx), 0, X.Off)
        .Imm2 = X.Scale;
    if (T->isIntegerTy(1))
      emit(OP_MASK, op(&L), op(&L), 0, 0, 1);
    return Error::success();
  }
  uint32_t Base;
  int64_t Off;
  foldedAddr(L.getPointerOperand(), Base, Off);
  bool Scalar = T->isIntOrPtrTy() || T->isFloatingPointTy();
  Opcode O = OP_LOADN;
  if (Scalar && Size == 1)
    O = OP_LOAD8;
  else if (Scalar && Size == 2)
    O = OP_LOAD16;
  else if (Scalar && Size == 4)
    O = OP_LOAD32;
  else if (Scalar && Size == 8)
    O = OP_LOAD64;
  if (O == OP_LOADN && Size == 16)
    O = OP_LOAD128;
  emit(O, op(&L), Base, 0, Size, Off);
  if (T->isIntegerTy() && intBits(T) < 64 && intBits(T) != Size * 8)
    emit(OP_MASK, op(&L), op(&L), 0, 0, maskOf(intBits(T)));
  return Error::success();
}

Error Translator::store(StoreInst &S) {
  Type *T = S.getValueOperand()->getType();
  if (T->isVectorTy() && T->getScalarType()->isIntegerTy(1))
    return unsupported("store of " + typeName(T));
  uint64_t Size = DL.getTypeStoreSize(T);
  auto *G = dyn_cast<GetElementPtrInst>(S.getPointerOperand());
  Indexed X;
  if (G && indexedFoldable(*G, X)) {
    bool I32 = intBits(X.Idx->getType()) == 32;
    emit(Opcode((I32 ? OP_STOREX8_I32 : OP_STOREX8_I64) + sizeIndex(Size)),
         op(X.Idx), op(X.Base), op(S.getValueOperand()), 0, X.Off)
        .Imm2 = X.Scale;
    return Error::success();
  }
  uint32_t Base;
  int64_t Off;
  foldedAddr(S.getPointerOperand(), Base, Off);
  Opcode O = OP_STOREN;
  if (Size == 1)
    O = OP_STORE8;
  else if (Size == 2)
    O = OP_STORE16;
  else if (Size == 4)
    O = OP_STORE32;
  else if (Size == 8)
    O = OP_STORE64;
  else if (Size == 16)
    O = OP_STORE128;
  emit(O, 0, Base, op(S.getValueOperand()), Size, Off);
  return Error::success();
}

Error Translator::gep(GetElementPtrInst &G) {
  if (G.getType()->isVectorTy())
    return unsupported("vector getelementptr");
  Indexed X;
  if (gepFoldable(G) || indexedFoldable(G, X))
    return Error::success();
  int64_t Off;
  SmallVector<std::pair<const Value *, int64_t>, 4> Var;
  splitGep(G, Off, Var);
  uint32_t D = op(&G), Base = op(G.getPointerOperand());
  if (Var.empty()) {
    emit(OP_PTRADD, D, Base, 0, 0, Off);
    return Error::success();
  }
  for (auto &[Idx, Scale] : Var) {
    unsigned Bits = intBits(Idx->getType());
    if (Bits != 32 && Bits != 64)
      return unsupported("getelementptr index of " + typeName(Idx->getType()));
    emit(Bits == 32 ? OP_GEP_I32 : OP_GEP_I64, D, Base, op(Idx), 0, Off).Imm2 =
        Scale;
    Base = D, Off = 0;
  }
  return Error::success();
}

Error Translator::alloca(AllocaInst &A) {
  uint64_t Size = DL.getTypeAllocSize(A.getAllocatedType());
  uint32_t Align = A.getAlign().value();
  auto *N = dyn_cast<ConstantInt>(A.getArraySize());
  if (N && A.getParent()->isEntryBlock()) {
    FS.FrameAlign = std::max(FS.FrameAlign, Align);
    emit(OP_LEA, op(&A), 0, 0, 0, alloc(Size * N->getZExtValue(), Align));
    return Error::success();
  }
  emit(OP_ALLOCA, op(&A), op(A.getArraySize()), 0, 0, Size).Imm2 =
      std::max<uint32_t>(Align, 16);
  return Error::success();
}

// Unconditional edges carry their phi moves and loop check inline.
void Translator::jumpTo(const BasicBlock *From, const BasicBlock *To) {
  phiMoves(From, To);
  emit(isBackEdge(From, To) ? OP_BR_BACK : OP_BR, 0, 0, BBIdx.lookup(To),
       counter(To));
  target(nullptr, To, 0);
}

Error Translator::branch(BranchInst &B) {
  const BasicBlock *From = B.getParent();
  if (B.isUnconditional()) {
    const BasicBlock *To = B.getSuccessor(0);
    // Falling through to the next block costs nothing; profile() derives
    // its count from this block's.
    if (BBIdx.lookup(To) == BBIdx.lookup(From) + 1 && To->phis().empty() &&
        !isBackEdge(From, To)) {
      FS.Fallthrough.push_back({BBIdx.lookup(From), BBIdx.lookup(To)});
      return Error::success();
    }
    jumpTo(From, To);
    return Error::success();
  }
  const BasicBlock *T = B.getSuccessor(0), *Fa = B.getSuccessor(1);
  auto *Cmp = dyn_cast<ICmpInst>(B.getCondition());
  if (Cmp && fusedIntoBranch(*Cmp)) {
    Opcode O = Opcode(fusedOpcode(*Cmp));
    emit(O, counter(T), op(Cmp->getOperand(0)), op(Cmp->getOperand(1)),
         counter(Fa));
  } else {
    emit(OP_BRC, counter(T), op(B.getCondition()), 0, counter(Fa));
  }
  target(From, T, 0);
  target(From, Fa, 1);
  return Error::success();
}

Error Translator::switchInst(SwitchInst &S) {
  if (intBits(S.getCondition()->getType()) > 64)
    return unsupported("switch on " + typeName(S.getCondition()->getType()));
  SwitchTable &ST = FS.Switches.emplace_back();
  emit(OP_SWITCH, 0, op(S.getCondition())).P = &ST;
  const BasicBlock *From = S.getParent();
  ST.DefaultCounter = counter(S.getDefaultDest());
  Fixes.push_back({SIZE_MAX, 2, &ST, From, S.getDefaultDest()});
  for (auto &Case : S.cases()) {
    ST.Vals.push_back(Case.getCaseValue()->getZExtValue());
    ST.Counters.push_back(counter(Case.getCaseSuccessor()));
    Fixes.push_back(
        {ST.TargetIdx.size(), 2, &ST, From, Case.getCaseSuccessor()});
    ST.TargetIdx.push_back(0);
  }
  return Error::success();
}

Error Translator::indirectBr(IndirectBrInst &B) {
  SwitchTable &ST = FS.Switches.emplace_back();
  emit(OP_INDIRECTBR, 0, op(B.getAddress())).P = &ST;
  for (unsigned N = 0; N < B.getNumDestinations(); ++N) {
    BasicBlock *To = B.getDestination(N);
    ST.Vals.push_back(uintptr_t(I.blockToken(To)));
    ST.Counters.push_back(counter(To));
    Fixes.push_back({ST.TargetIdx.size(), 2, &ST, B.getParent(), To});
    ST.TargetIdx.push_back(0);
  }
  return Error::success();
}

Error Translator::ret(ReturnInst &R) {
  Value *V = R.getReturnValue();
  if (!V)
    emit(OP_RET_VOID);
  else if (slotSize(V->getType()) == 8)
    emit(OP_RET8, 0, op(V));
  else
    emit(OP_RETN, 0, op(V), 0, slotSize(V->getType()));
  return Error::success();
}

Error Translator::select(SelectInst &S) {
  if (S.getCondition()->getType()->isVectorTy())
    return vectorOp(S);
  uint32_t Size = slotSize(S.getType());
  emit(Size == 8 ? OP_SELECT8 : OP_SELECTN, op(&S), op(S.getCondition()),
       op(S.getTrueValue()), Size)
      .E = op(S.getFalseValue());
  return Error::success();
}

// libffi's description of a call without vectors.
Error Translator::prepareCif(CallInst &C, CallSite &CS) {
  FunctionType *FT = C.getFunctionType();
  Expected<ffi_type *> R = I.ffiType(FT->getReturnType(), false);
  if (!R)
    return R.takeError();
  for (unsigned N = 0; N < C.arg_size(); ++N) {
    Type *BT = C.getParamByValType(N);
    Expected<ffi_type *> T = I.ffiType(BT ? BT : C.getArgOperand(N)->getType(),
                                       C.paramHasAttr(N, Attribute::SExt));
    if (!T)
      return T.takeError();
    CS.FfiArgs.push_back(*T);
  }
  ffi_status St =
      FT->isVarArg()
          ? ffi_prep_cif_var(&CS.Cif, FFI_DEFAULT_ABI, CS.NumFixed,
                             CS.FfiArgs.size(), *R, CS.FfiArgs.data())
          : ffi_prep_cif(&CS.Cif, FFI_DEFAULT_ABI, CS.FfiArgs.size(), *R,
                         CS.FfiArgs.data());
  if (St != FFI_OK)
    return unsupported("call signature for libffi");
  return Error::success();
}

Error Translator::call(CallInst &C) {
  if (C.isInlineAsm())
    return unsupported("inline asm");
  if (auto *II = dyn_cast<IntrinsicInst>(&C))
    return intrinsic(*II);
  Function *Callee = C.getCalledFunction();
  if (C.hasFnAttr(Attribute::ReturnsTwice) ||
      (Callee && Callee->hasFnAttribute(Attribute::ReturnsTwice)))
    return unsupported("returns_twice call (setjmp)");
  FunctionType *FT = C.getFunctionType();
  CallSite &CS = FS.Calls.emplace_back();
  CS.FT = FT;
  if (Callee && !Callee->isDeclaration() && Callee->getFunctionType() == FT) {
    CS.Callee = &I.state(*Callee);
    if (CS.Callee->Id < 0)
      return unsupported("call to @" + Callee->getName() + " without an id");
    // Its entry (closure or engine-built) may come later: calls compare
    // slot and entry at run time.
    if (Error E = I.prepareSignature(*CS.Callee))
      return E;
  }
  if (Callee) {
    Expected<void *> A = I.Env.addressOf(*Callee);
    if (!A)
      return A.takeError();
    CS.Native = *A;
  } else {
    CS.Indirect = true;
    CS.CalleeSlot = op(C.getCalledOperand());
  }
  CS.NumFixed = FT->getNumParams();
  Type *RT = FT->getReturnType();
  for (unsigned N = 0; N < C.arg_size(); ++N) {
    Value *A = C.getArgOperand(N);
    Type *BT = C.getParamByValType(N);
    CS.ArgOff.push_back(op(A));
    CS.ArgSize.push_back(slotSize(A->getType()));
    CS.ByvalSize.push_back(BT ? DL.getTypeAllocSize(BT) : 0);
  }
  Expected<bool> Regs =
      I.regSig(FT, C.getAttributes(), CS.Sig, /*Scalars=*/true);
  if (!Regs)
    return Regs.takeError();
  CS.RegCall = *Regs;
  if (!CS.RegCall)
    if (Error E = prepareCif(C, CS))
      return E;
  if (!RT->isVoidTy()) {
    CS.RetOff = op(&C);
    CS.RetInt = RT->isIntegerTy() && intBits(RT) < 64;
    CS.RetBits = CS.RetInt ? intBits(RT) : 0;
  }
  emit(OP_CALL).P = &CS;
  return Error::success();
}

static void *mathToInt(Intrinsic::ID ID, Type *A0);
template <typename T> static void *fn1(T (*F)(T)) { return (void *)F; }
template <typename T> static void *fn2(T (*F)(T, T)) { return (void *)F; }
static double minimumD(double A, double B) {
  return std::isnan(A) || std::isnan(B) ? NAN
         : A == B                       ? (std::signbit(A) ? A : B)
         : A < B                        ? A
                                        : B;
}
static double maximumD(double A, double B) {
  return std::isnan(A) || std::isnan(B) ? NAN
         : A == B                       ? (std::signbit(A) ? B : A)
         : A > B                        ? A
                                        : B;
}
static float minimumF(float A, float B) { return minimumD(A, B); }
static float maximumF(float A, float B) { return maximumD(A, B); }

static void *math1(Intrinsic::ID ID, bool F32) {
  switch (ID) {
  case Intrinsic::fabs:
    return F32 ? fn1<float>(fabsf) : fn1<double>(fabs);
  case Intrinsic::sqrt:
    return F32 ? fn1<float>(sqrtf) : fn1<double>(sqrt);
  case Intrinsic::exp:
    return F32 ? fn1<float>(expf) : fn1<double>(exp);
  case Intrinsic::exp2:
    return F32 ? fn1<float>(exp2f) : fn1<double>(exp2);
  case Intrinsic::log:
    return F32 ? fn1<float>(logf) : fn1<double>(log);
  case Intrinsic::log2:
    return F32 ? fn1<float>(log2f) : fn1<double>(log2);
  case Intrinsic::log10:
    return F32 ? fn1<float>(log10f) : fn1<double>(log10);
  case Intrinsic::sin:
    return F32 ? fn1<float>(sinf) : fn1<double>(sin);
  case Intrinsic::cos:
    return F32 ? fn1<float>(cosf) : fn1<double>(cos);
  case Intrinsic::floor:
    return F32 ? fn1<float>(floorf) : fn1<double>(floor);
  case Intrinsic::ceil:
    return F32 ? fn1<float>(ceilf) : fn1<double>(ceil);
  case Intrinsic::trunc:
    return F32 ? fn1<float>(truncf) : fn1<double>(trunc);
  case Intrinsic::round:
    return F32 ? fn1<float>(roundf) : fn1<double>(round);
  case Intrinsic::roundeven:
    return F32 ? fn1<float>(roundevenf) : fn1<double>(roundeven);
  case Intrinsic::rint:
    return F32 ? fn1<float>(rintf) : fn1<double>(rint);
  case Intrinsic::nearbyint:
    return F32 ? fn1<float>(nearbyintf) : fn1<double>(nearbyint);
  default:
    return nullptr;
  }
}

static void *math2(Intrinsic::ID ID, bool F32) {
  switch (ID) {
  case Intrinsic::pow:
    return F32 ? fn2<float>(powf) : fn2<double>(pow);
  case Intrinsic::copysign:
    return F32 ? fn2<float>(copysignf) : fn2<double>(copysign);
  case Intrinsic::minnum:
    return F32 ? fn2<float>(fminf) : fn2<double>(fmin);
  case Intrinsic::maxnum:
    return F32 ? fn2<float>(fmaxf) : fn2<double>(fmax);
  case Intrinsic::minimum:
    return F32 ? fn2<float>(minimumF) : fn2<double>(minimumD);
  case Intrinsic::maximum:
    return F32 ? fn2<float>(maximumF) : fn2<double>(maximumD);
  default:
    return nullptr;
  }
}

static int intOp(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::smin:
    return IO_SMIN;
  case Intrinsic::smax:
    return IO_SMAX;
  case Intrinsic::umin:
    return IO_UMIN;
  case Intrinsic::umax:
    return IO_UMAX;
  case Intrinsic::abs:
    return IO_ABS;
  case Intrinsic::ctpop:
    return IO_CTPOP;
  case Intrinsic::ctlz:
    return IO_CTLZ;
  case Intrinsic::cttz:
    return IO_CTTZ;
  case Intrinsic::bswap:
    return IO_BSWAP;
  case Intrinsic::bitreverse:
    return IO_BITREV;
  case Intrinsic::fshl:
    return IO_FSHL;
  case Intrinsic::fshr:
    return IO_FSHR;
  case Intrinsic::sadd_sat:
    return IO_SADDSAT;
  case Intrinsic::uadd_sat:
    return IO_UADDSAT;
  case Intrinsic::ssub_sat:
    return IO_SSUBSAT;
  case Intrinsic::usub_sat:
    return IO_USUBSAT;
  default:
    return -1;
  }
}

static int ovfOp(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::sadd_with_overflow:
    return OV_SADD;
  case Intrinsic::uadd_with_overflow:
    return OV_UADD;
  case Intrinsic::ssub_with_overflow:
    return OV_SSUB;
  case Intrinsic::usub_with_overflow:
    return OV_USUB;
  case Intrinsic::smul_with_overflow:
    return OV_SMUL;
  case Intrinsic::umul_with_overflow:
    return OV_UMUL;
  default:
    return -1;
  }
}

static int reduceOp(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::vector_reduce_add:
    return RD_ADD;
  case Intrinsic::vector_reduce_mul:
    return RD_MUL;
  case Intrinsic::vector_reduce_and:
    return RD_AND;
  case Intrinsic::vector_reduce_or:
    return RD_OR;
  case Intrinsic::vector_reduce_xor:
    return RD_XOR;
  case Intrinsic::vector_reduce_smax:
    return RD_SMAX;
  case Intrinsic::vector_reduce_smin:
    return RD_SMIN;
  case Intrinsic::vector_reduce_umax:
    return RD_UMAX;
  case Intrinsic::vector_reduce_umin:
    return RD_UMIN;
  case Intrinsic::vector_reduce_fadd:
    return RD_FADD;
  case Intrinsic::vector_reduce_fmul:
    return RD_FMUL;
  case Intrinsic::vector_reduce_fmax:
    return RD_FMAX;
  case Intrinsic::vector_reduce_fmin:
    return RD_FMIN;
  default:
    return -1;
  }
}

Error Translator::intrinsic(IntrinsicInst &C) {
  Intrinsic::ID ID = C.getIntrinsicID();
  uint32_t D = C.getType()->isVoidTy() ? 0 : op(&C);
  auto Arg = [&](unsigned N) { return op(C.getArgOperand(N)); };
  auto Bad = [&] {
    return unsupported("intrinsic " + C.getCalledFunction()->getName());
  };
  Type *T = C.getType();
  Type *A0 = C.arg_size() ? C.getArgOperand(0)->getType() : nullptr;
  switch (ID) {
  case Intrinsic::lifetime_start:
  case Intrinsic::lifetime_end:
  case Intrinsic::dbg_declare:
  case Intrinsic::dbg_value:
  case Intrinsic::dbg_label:
  case Intrinsic::dbg_assign:
  case Intrinsic::assume:
  case Intrinsic::experimental_noalias_scope_decl:
  case Intrinsic::donothing:
  case Intrinsic::sideeffect:
  case Intrinsic::prefetch:
  case Intrinsic::var_annotation:
  case Intrinsic::invariant_end:
  case Intrinsic::vaend:
    return Error::success();
  case Intrinsic::expect:
  case Intrinsic::expect_with_probability:
  case Intrinsic::threadlocal_address:
  case Intrinsic::launder_invariant_group:
  case Intrinsic::strip_invariant_group:
  case Intrinsic::annotation:
    move(D, Arg(0), slotSize(T));
    return Error::success();
  case Intrinsic::load_relative:
    emit(OP_LOADREL, D, Arg(0), Arg(1));
    return Error::success();
  case Intrinsic::ptrmask:
    emit(OP_AND, D, Arg(0), Arg(1));
    return Error::success();
  case Intrinsic::objectsize:
    emit(OP_IMM, D, 0, 0, 0,
         cast<ConstantInt>(C.getArgOperand(1))->isOne() ? 0 : -1);
    return Error::success();
  case Intrinsic::is_constant:
  case Intrinsic::invariant_start:
    emit(OP_IMM, D);
    return Error::success();
  case Intrinsic::memcpy:
  case Intrinsic::memcpy_inline:
  case Intrinsic::memmove:
  case Intrinsic::memset:
  case Intrinsic::memset_inline: {
    Opcode O = ID == Intrinsic::memmove ? OP_MEMMOVE
               : (ID == Intrinsic::memset || ID == Intrinsic::memset_inline)
                   ? OP_MEMSET
                   : OP_MEMCPY;
    Value *Len = C.getArgOperand(2);
    auto *CL = dyn_cast<ConstantInt>(Len);
    Inst &In = emit(O, 0, Arg(0), Arg(1), CL ? 1 : 0);
    if (CL)
      In.Imm = CL->getZExtValue();
    else
      In.E = op(Len);
    return Error::success();
  }
  case Intrinsic::stacksave:
    emit(OP_STACKSAVE, D);
    return Error::success();
  case Intrinsic::stackrestore:
    emit(OP_STACKRESTORE, 0, Arg(0));
    return Error::success();
  case Intrinsic::vastart:
    emit(OP_VASTART, 0, Arg(0));
    return Error::success();
  case Intrinsic::vacopy:
    emit(OP_VACOPY, 0, Arg(0), Arg(1));
    return Error::success();
  case Intrinsic::trap:
  case Intrinsic::debugtrap:
  case Intrinsic::ubsantrap:
    emit(OP_UNREACHABLE, 0, 0, 0, 1);
    return Error::success();
  case Intrinsic::fma:
  case Intrinsic::fmuladd:
    if (ID == Intrinsic::fmuladd && T->getPrimitiveSizeInBits() == 128 &&
        (T->getScalarType()->isFloatTy() || T->getScalarType()->isDoubleTy())) {
      emit(T->getScalarType()->isFloatTy() ? OP_VFMULADD_V4F32
                                           : OP_VFMULADD_V2F64,
           D, Arg(0), Arg(1))
          .E = Arg(2);
      return Error::success();
    }
    if (auto *VT = dyn_cast<FixedVectorType>(T))
      return vectorIntrinsic(C, *VT);
    if (!T->isFloatTy() && !T->isDoubleTy())
      return Bad();
    emit(ID == Intrinsic::fma
             ? (T->isFloatTy() ? OP_FMA_F32 : OP_FMA_F64)
             : (T->isFloatTy() ? OP_FMULADD_F32 : OP_FMULADD_F64),
         D, Arg(0), Arg(1))
        .E = Arg(2);
    return Error::success();
  default:
    break;
  }
  if (auto *VT = dyn_cast<FixedVectorType>(T))
    return vectorIntrinsic(C, *VT);
  if (ID == Intrinsic::is_fpclass) {
    if (!A0->isFloatTy() && !A0->isDoubleTy())
      return Bad();
    emit(OP_FPCLASS, D, Arg(0), 0, A0->isFloatTy(),
         cast<ConstantInt>(C.getArgOperand(1))->getZExtValue());
    return Error::success();
  }
  if (void *P = mathToInt(ID, A0); P && intBits(T) <= 64) {
    emit(A0->isFloatTy() ? OP_MATHI_F32 : OP_MATHI_F64, D, Arg(0), 0, 0,
         maskOf(intBits(T)))
        .P2 = P;
    return Error::success();
  }
  if (auto *VT = dyn_cast<FixedVectorType>(T))
    return vectorIntrinsic(C, *VT);
  if (ID == Intrinsic::is_fpclass) {
    if (!A0->isFloatTy() && !A0->isDoubleTy())
      return Bad();
    emit(OP_FPCLASS, D, Arg(0), 0, A0->isFloatTy(),
         cast<ConstantInt>(C.getArgOperand(1))->getZExtValue());
    return Error::success();
  }
  if (void *P = mathToInt(ID, A0); P && intBits(T) <= 64) {
    emit(A0->isFloatTy() ? OP_MATHI_F32 : OP_MATHI_F64, D, Arg(0), 0, 0,
         maskOf(intBits(T)))
        .P2 = P;
    return Error::success();
  }
  if (T->isFloatTy() || T->isDoubleTy()) {
    bool F32 = T->isFloatTy();
    if (void *P = math1(ID, F32)) {
      emit(F32 ? OP_MATH1_F32 : OP_MATH1_F64, D, Arg(0)).P = P;
      return Error::success();
    }
    if (void *P = math2(ID, F32)) {
      emit(F32 ? OP_MATH2_F32 : OP_MATH2_F64, D, Arg(0), Arg(1)).P = P;
      return Error::success();
    }
  }
  if (int X = intOp(ID); X >= 0) {
    if (!T->isIntegerTy() || intBits(T) > 64)
      return Bad();
    Inst &In =
        emit(OP_IINTR, D, Arg(0), C.arg_size() > 1 ? Arg(1) : 0, intBits(T), X);
    if (X == IO_FSHL || X == IO_FSHR)
      In.E = Arg(2);
    if (X == IO_ABS || X == IO_CTLZ || X == IO_CTTZ)
      In.B = 0;
    return Error::success();
  }
  if (int X = ovfOp(ID); X >= 0) {
    if (!A0->isIntegerTy() || intBits(A0) > 64)
      return Bad();
    auto *ST = cast<StructType>(T);
    emit(OP_OVF, D, Arg(0), Arg(1), intBits(A0), X).Imm2 =
        DL.getStructLayout(ST)->getElementOffset(1);
    return Error::success();
  }
  if (int X = reduceOp(ID); X >= 0) {
    bool Ordered = X == RD_FADD || X == RD_FMUL;
    auto *VT = dyn_cast<FixedVectorType>(C.getArgOperand(Ordered)->getType());
    if (!VT)
      return Bad();
    Expected<ElemKind> K = elemKind(VT->getElementType());
    if (!K)
      return K.takeError();
    emit(OP_VREDUCE, D, Arg(Ordered), Ordered ? Arg(0) : 0,
         VT->getNumElements(), X)
        .Imm2 = *K | (Ordered ? 0x100 : 0);
    return Error::success();
  }
  return Bad();
}

static long lroundF(float X) { return lroundf(X); }
static long lrintF(float X) { return lrintf(X); }
static long lroundD(double X) { return lround(X); }
static long lrintD(double X) { return lrint(X); }

static void *mathToInt(Intrinsic::ID ID, Type *A0) {
  if (!A0 || (!A0->isFloatTy() && !A0->isDoubleTy()))
    return nullptr;
  bool F32 = A0->isFloatTy();
  switch (ID) {
  case Intrinsic::lround:
  case Intrinsic::llround:
    return F32 ? (void *)lroundF : (void *)lroundD;
  case Intrinsic::lrint:
  case Intrinsic::llrint:
    return F32 ? (void *)lrintF : (void *)lrintD;
  default:
    return nullptr;
  }
}

Error Translator::vectorIntrinsic(IntrinsicInst &C, FixedVectorType &VT) {
  Intrinsic::ID ID = C.getIntrinsicID();
  Expected<ElemKind> K = elemKind(VT.getElementType());
  if (!K)
    return K.takeError();
  VecIntrinsic V{};
  V.K = *K, V.N = VT.getNumElements(), V.D = op(&C);
  auto Arg = [&](unsigned N) {
    return N < C.arg_size() && !C.paramHasAttr(N, Attribute::ImmArg)
               ? op(C.getArgOperand(N))
               : 0;
  };
  V.A = Arg(0), V.B = Arg(1), V.C = Arg(2);
  bool F32 = *K == EK_F32, Fp = F32 || *K == EK_F64;
  if (Fp && (V.Fn = math1(ID, F32)))
    V.Cls = VecIntrinsic::Math1;
  else if (Fp && (V.Fn = math2(ID, F32)))
    V.Cls = VecIntrinsic::Math2;
  else if (Fp && ID == Intrinsic::fma)
    V.Cls = VecIntrinsic::Fma;
  else if (Fp && ID == Intrinsic::fmuladd)
    V.Cls = VecIntrinsic::FmulAdd;
  else if (!Fp && intOp(ID) >= 0)
    V.Cls = VecIntrinsic::Int, V.Op = intOp(ID);
  else
    return unsupported("intrinsic " + C.getCalledFunction()->getName());
  if (V.Cls == VecIntrinsic::Int &&
      (V.Op == IO_ABS || V.Op == IO_CTLZ || V.Op == IO_CTTZ))
    V.B = 0;
  FS.VecIntrinsics.push_back(V);
  emit(OP_VINTR).P = &FS.VecIntrinsics.back();
  return Error::success();
}

// Specialized handler for a 128-bit vector binop, or -1.
static int fastVectorOp(unsigned Opc, Type *T) {
  auto *VT = dyn_cast<FixedVectorType>(T);
  if (!VT || VT->getPrimitiveSizeInBits() != 128)
    return -1;
  Type *E = VT->getElementType();
  if (E->isFloatTy() || E->isDoubleTy()) {
    int Base = E->isFloatTy() ? OP_VFADD_V4F32 : OP_VFADD_V2F64;
    switch (Opc) {
    case Instruction::FAdd:
      return Base;
    case Instruction::FSub:
      return Base + 1;
    case Instruction::FMul:
      return Base + 2;
    case Instruction::FDiv:
      return Base + 3;
    default:
      return -1;
    }
  }
  if (!E->isIntegerTy())
    return -1;
  int Base;
  switch (E->getIntegerBitWidth()) {
  case 8:
    Base = OP_VADD_V16I8;
    break;
  case 16:
    Base = OP_VADD_V8I16;
    break;
  case 32:
    Base = OP_VADD_V4I32;
    break;
  case 64:
    Base = OP_VADD_V2I64;
    break;
  default:
    return -1;
  }
  switch (Opc) {
  case Instruction::Add:
    return Base;
  case Instruction::Sub:
    return Base + 1;
  case Instruction::Mul:
    return Base + 2;
  case Instruction::And:
    return Base + 3;
  case Instruction::Or:
    return Base + 4;
  case Instruction::Xor:
    return Base + 5;
  default:
    return -1;
  }
}

Error Translator::vectorOp(Instruction &In) {
  auto Kind = [&](Type *T) { return elemKind(T->getScalarType()); };
  auto Count = [](Type *T) -> unsigned {
    auto *VT = dyn_cast<FixedVectorType>(T);
    return VT ? VT->getNumElements() : 0;
  };
  Type *T = In.getType();
  if (isa<ScalableVectorType>(T) ||
      (In.getNumOperands() &&
       isa<ScalableVectorType>(In.getOperand(0)->getType())))
    return unsupported("scalable vector");
  uint32_t D = op(&In);
  switch (In.getOpcode()) {
  case Instruction::ExtractElement: {
    Type *VT = In.getOperand(0)->getType();
    emit(OP_EXTRACTELT, D, op(In.getOperand(0)), op(In.getOperand(1)),
         DL.getTypeAllocSize(VT->getScalarType()));
    return Kind(VT).takeError();
  }
  case Instruction::InsertElement: {
    move(D, op(In.getOperand(0)), slotSize(T));
    emit(OP_INSERTELT, D, 0, op(In.getOperand(1)),
         DL.getTypeAllocSize(T->getScalarType()))
        .E = op(In.getOperand(2));
    return Kind(T).takeError();
  }
  case Instruction::ShuffleVector: {
    auto &SV = cast<ShuffleVectorInst>(In);
    if (auto K = Kind(T); !K)
      return K.takeError();
    auto &Mask = FS.Shuffles.emplace_back();
    for (int M : SV.getShuffleMask())
      Mask.push_back(M);
    uint32_t ES = T->getScalarType()->isIntegerTy(1)
                      ? 1
                      : DL.getTypeAllocSize(T->getScalarType());
    emit(OP_SHUFFLE, D, op(SV.getOperand(0)), op(SV.getOperand(1)), ES, 0).P =
        &Mask;
    Code.back().Imm2 = Count(SV.getOperand(0)->getType());
    return Error::success();
  }
  case Instruction::Select: {
    uint32_t ES = T->getScalarType()->isIntegerTy(1)
                      ? 1
                      : DL.getTypeAllocSize(T->getScalarType());
    emit(OP_VSELECT, D, op(In.getOperand(0)), op(In.getOperand(1)), Count(T),
         ES)
        .E = op(In.getOperand(2));
    return Error::success();
  }
  case Instruction::ICmp:
  case Instruction::FCmp: {
    auto K = Kind(In.getOperand(0)->getType());
    if (!K)
      return K.takeError();
    emit(OP_VCMP, D, op(In.getOperand(0)), op(In.getOperand(1)), Count(T),
         cast<CmpInst>(In).getPredicate())
        .Imm2 = *K;
    return Error::success();
  }
  default:
    break;
  }
  auto KD = Kind(T);
  if (!KD)
    return KD.takeError();
  if (int O = fastVectorOp(In.getOpcode(), T); O >= 0) {
    emit(Opcode(O), D, op(In.getOperand(0)), op(In.getOperand(1)));
    return Error::success();
  }
  if (isa<BinaryOperator>(In) || In.getOpcode() == Instruction::FNeg) {
    bool Neg = In.getOpcode() == Instruction::FNeg;
    emit(OP_VBIN, D, op(In.getOperand(0)), Neg ? 0 : op(In.getOperand(1)),
         Count(T), In.getOpcode())
        .Imm2 = *KD;
    return Error::success();
  }
  if (auto *CI = dyn_cast<CastInst>(&In)) {
    auto KS = Kind(CI->getSrcTy());
    if (!KS)
      return KS.takeError();
    if (CI->getOpcode() == Instruction::BitCast)
      return unsupported("vector bitcast between element kinds");
    emit(OP_VCAST, D, op(In.getOperand(0)), 0, Count(T), CI->getOpcode()).Imm2 =
        *KS | (*KD << 8);
    return Error::success();
  }
  return unsupported(Twine("vector instruction '") + In.getOpcodeName() + "'");
}

Error Translator::atomic(Instruction &In) {
  Type *T = isa<AtomicRMWInst>(In)
                ? In.getType()
                : cast<AtomicCmpXchgInst>(In).getCompareOperand()->getType();
  auto K = elemKind(T);
  if (!K || *K == EK_I1)
    return unsupported("atomic on " + typeName(T));
  if (auto *RMW = dyn_cast<AtomicRMWInst>(&In)) {
    emit(OP_ATOMICRMW, op(&In), op(RMW->getPointerOperand()),
         op(RMW->getValOperand()), *K, RMW->getOperation());
    return Error::success();
  }
  auto &CX = cast<AtomicCmpXchgInst>(In);
  emit(OP_CMPXCHG, op(&In), op(CX.getPointerOperand()),
       op(CX.getCompareOperand()), *K,
       DL.getStructLayout(cast<StructType>(CX.getType()))->getElementOffset(1))
      .E = op(CX.getNewValOperand());
  return Error::success();
}

} // namespace

Error Interpreter::Impl::translate(FuncState &FS) {
  if (FS.Translated)
    return Error::success();
  if (FS.Failed)
    return unsupported(FS.Reason);
  if (FS.F->isDeclaration())
    return unsupported("@" + FS.F->getName() + " has no body");
  // A module read lazily (a warm boot's) reads a body at its first call.
  if (Error E = FS.F->materialize())
    return E;
  Translator T(*this, FS);
  if (Error E = T.run()) {
    FS.Failed = true;
    FS.Code.clear();
    std::string Msg = toString(std::move(E));
    StringRef Why(Msg);
    Why.consume_front("unsupported: ");
    FS.Reason = Why.str() + " in @" + FS.F->getName().str();
    return unsupported(FS.Reason);
  }
  const void *const *H = handlerTable();
  for (Inst &In : FS.Code)
    In.H = H[uintptr_t(In.H)];
  FS.IsLoop = FS.F->hasFnAttribute("gts-loop");
  const BasicBlock *Header = FS.F->getEntryBlock().getSingleSuccessor();
  uint32_t N = 0;
  for (const BasicBlock &BB : *FS.F) {
    if (FS.IsLoop && &BB == Header)
      FS.ReentryBlock = N;
    ++N;
  }
  FS.Translated.store(true, std::memory_order_release);
  return Error::success();
}

} // namespace gts
