#include "Instrument.h"

#include "../profile/FunctionProfile.h"

#include "llvm/Analysis/CFG.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace gts {

namespace {

enum class Field {
  Calls,
  NextTierAt,
  Cycles,
  TimedCalls,
  MinCycles,
  MaxCycles
};
constexpr unsigned NumFields = 6;
// The generated code indexes FunctionCounters as an array of i64.
constexpr size_t offsetOf(Field F) {
  return static_cast<size_t>(F) * sizeof(uint64_t);
}
static_assert(sizeof(FunctionCounters) == NumFields * sizeof(uint64_t));
static_assert(
    offsetof(FunctionCounters, Calls) == offsetOf(Field::Calls) &&
    offsetof(FunctionCounters, NextTierAt) == offsetOf(Field::NextTierAt) &&
    offsetof(FunctionCounters, Cycles) == offsetOf(Field::Cycles) &&
    offsetof(FunctionCounters, TimedCalls) == offsetOf(Field::TimedCalls) &&
    offsetof(FunctionCounters, MinCycles) == offsetOf(Field::MinCycles) &&
    offsetof(FunctionCounters, MaxCycles) == offsetOf(Field::MaxCycles));

struct CounterAccess {
  Type *I64;
  Value *Record; // Pointer to this function's FunctionCounters.

  Value *field(IRBuilder<> &B, Field F) const {
    return B.CreateConstInBoundsGEP1_64(I64, Record, static_cast<uint64_t>(F));
  }
  Value *load(IRBuilder<> &B, Field F) const {
    return B.CreateLoad(I64, field(B, F));
  }
  void store(IRBuilder<> &B, Field F, Value *V) const {
    B.CreateStore(V, field(B, F));
  }
};

CounterAccess counterAccess(Module &M, IRBuilder<> &B, int Id) {
  Type *I64 = B.getInt64Ty();
  auto *Array = M.getOrInsertGlobal("__gts_counters", ArrayType::get(I64, 0));
  Value *Rec = B.CreateConstInBoundsGEP1_64(
      I64, Array, static_cast<uint64_t>(Id) * NumFields);
  return {I64, Rec};
}

MDNode *unlikely(LLVMContext &C) {
  return MDBuilder(C).createBranchWeights(1, 1 << 20);
}

// Calls __gts_hot(Id) when Calls reaches NextTierAt.
void emitTierUpCheck(IRBuilder<> &B, const CounterAccess &A, Value *Calls,
                     int Id) {
  Module &M = *B.GetInsertBlock()->getModule();
  // >=, not ==: counts seeded from the interpreter may start past it.
  Value *Hot = B.CreateICmpUGE(Calls, A.load(B, Field::NextTierAt));
  Instruction *Then = SplitBlockAndInsertIfThen(
      Hot, &*B.GetInsertPoint(), false, unlikely(M.getContext()));
  IRBuilder<> TB(Then);
  FunctionCallee HotFn =
      M.getOrInsertFunction("__gts_hot", TB.getVoidTy(), TB.getInt32Ty());
  TB.CreateCall(HotFn, {TB.getInt32(Id)});
  B.SetInsertPoint(Then->getParent()->getSingleSuccessor()->getFirstNonPHI());
}

// Timing goes through calls to the engine (__gts_cycles, __gts_time_call)
// rather than llvm.readcyclecounter, umin and umax in the IR: O0's fast
// instruction selector lowers calls but none of those intrinsics, and each
// one it misses sends its block through SelectionDAG. That made an O0 unit
// of TinyLlama's tokenizer loop 2.3 ms of code generation. Only sampled
// calls (one in SamplePeriod) take these paths.
FunctionCallee engineFunction(Module &M, StringRef Name, Type *Result,
                              ArrayRef<Type *> Params) {
  AttributeList NoUnwind = AttributeList::get(
      M.getContext(), AttributeList::FunctionIndex, {Attribute::NoUnwind});
  return M.getOrInsertFunction(Name, FunctionType::get(Result, Params, false),
                               NoUnwind);
}

Value *readCycles(IRBuilder<> &B) {
  Module &M = *B.GetInsertBlock()->getModule();
  return B.CreateCall(engineFunction(M, "__gts_cycles", B.getInt64Ty(), {}));
}

void emitRecord(IRBuilder<> &B, const CounterAccess &A, Value *Start) {
  Module &M = *B.GetInsertBlock()->getModule();
  B.CreateCall(engineFunction(M, "__gts_time_call", B.getVoidTy(),
                              {B.getPtrTy(), B.getInt64Ty()}),
               {A.Record, Start});
}

// After the entry block's static allocas: splitting the entry block above
// them would turn them into dynamic allocas that SROA cannot promote.
Instruction *afterAllocas(BasicBlock &Entry) {
  for (Instruction &I : Entry)
    if (!isa<AllocaInst>(I) && !isa<PHINode>(I))
      return &I;
  return Entry.getTerminator();
}

// Start time of a sampled call, or 0 when this call is not timed.
Value *emitSampledStart(IRBuilder<> &B, Value *Sampled) {
  BasicBlock *Head = B.GetInsertBlock();
  Instruction *Then = SplitBlockAndInsertIfThen(
      Sampled, &*B.GetInsertPoint(), false, unlikely(B.getContext()));
  IRBuilder<> TB(Then);
  Value *T = readCycles(TB);
  BasicBlock *Merge = Then->getParent()->getSingleSuccessor();
  B.SetInsertPoint(&Merge->front());
  PHINode *P = B.CreatePHI(B.getInt64Ty(), 2);
  P->addIncoming(T, Then->getParent());
  P->addIncoming(B.getInt64(0), Head);
  return P;
}

// Timing must end before a musttail call, which has to stay next to its ret.
Instruction *exitPoint(ReturnInst *R) {
  if (auto *C = dyn_cast_or_null<CallInst>(R->getPrevNode());
      C && C->isMustTailCall())
    return C;
  return R;
}

// Joins F's returns (but a musttail call's) in one block, so that the code
// timing an exit is emitted once: an outlined loop returns from each of its
// exits (six in TinyLlama's tokenizer loop).
void unifyReturns(Function &F) {
  SmallVector<ReturnInst *, 8> Returns;
  for (BasicBlock &BB : F)
    if (auto *R = dyn_cast<ReturnInst>(BB.getTerminator());
        R && exitPoint(R) == R)
      Returns.push_back(R);
  if (Returns.size() < 2)
    return;
  LLVMContext &C = F.getContext();
  auto *Exit = BasicBlock::Create(C, "gts.return", &F);
  PHINode *Value = nullptr;
  if (!F.getReturnType()->isVoidTy())
    Value =
        PHINode::Create(F.getReturnType(), Returns.size(), "gts.result", Exit);
  ReturnInst::Create(C, Value, Exit);
  for (ReturnInst *R : Returns) {
    if (Value)
      Value->addIncoming(R->getReturnValue(), R->getParent());
    BranchInst::Create(Exit, R);
    R->eraseFromParent();
  }
}

// The header of an outlined loop, when its entry block only jumps there and
// it has no phis (Outline.cpp demotes them): the block where calling the
// function again with the same arguments resumes.
BasicBlock *reentryHeader(Function &F) {
  if (!F.hasFnAttribute("gts-loop"))
    return nullptr;
  BasicBlock *H = F.getEntryBlock().getSingleSuccessor();
  return H && H->phis().empty() ? H : nullptr;
}

// Counts every back-edge of F in a counter of the unit; at the header H,
// calls __gts_loop_tick when the count passes the next tick, and moves to
// Entry if it answers true.
void emitLoopTransfer(Function &F, BasicBlock &H, int Id, Function &Entry) {
  Module &M = *F.getParent();
  LLVMContext &C = M.getContext();
  IRBuilder<> B(C);
  Type *I64 = B.getInt64Ty();
  auto *Count = new GlobalVariable(M, I64, false, GlobalValue::InternalLinkage,
                                   ConstantInt::get(I64, 0), "__gts_backedges");
  auto *NextTick = new GlobalVariable(
      M, I64, false, GlobalValue::InternalLinkage,
      ConstantInt::get(I64, LoopTickEvery), "__gts_next_tick");
  SmallVector<std::pair<const BasicBlock *, const BasicBlock *>, 8> Edges;
  FindFunctionBackedges(F, Edges);
  SmallPtrSet<const BasicBlock *, 8> Headers;
  for (auto &E : Edges)
    Headers.insert(E.second);
  // Between H's visits the count lives in a local, which mem2reg keeps in a
  // register at O0 too: the unit's counter is written at H and at the exits.
  // (An add to the counter in memory at each inner iteration tied an O0
  // inner loop to store-to-load forwarding.)
  B.SetInsertPoint(&*F.getEntryBlock().getFirstInsertionPt());
  AllocaInst *Local = B.CreateAlloca(I64, nullptr, "backedges");
  B.CreateStore(B.CreateLoad(I64, Count), Local);
  for (BasicBlock &BB : F)
    if (auto *R = dyn_cast<ReturnInst>(BB.getTerminator())) {
      B.SetInsertPoint(R);
      B.CreateStore(B.CreateLoad(I64, Local), Count);
    }
  // At each loop header (entries from outside the loop count too: a loop
  // entered often is hot as well).
  Instruction *At = &*H.getFirstInsertionPt(); // the tick goes before it
  for (BasicBlock &BB : F) {
    if (!Headers.contains(&BB))
      continue;
    B.SetInsertPoint(&*BB.getFirstInsertionPt());
    Value *Next = B.CreateAdd(B.CreateLoad(I64, Local), B.getInt64(1));
    Instruction *Store = B.CreateStore(Next, Local);
    if (&BB == &H)
      At = Store->getNextNode();
  }
  B.SetInsertPoint(At);
  Value *N = B.CreateLoad(I64, Local);
  B.CreateStore(N, Count);
  Value *Due = B.CreateICmpUGE(N, B.CreateLoad(I64, NextTick));
  Instruction *Then = SplitBlockAndInsertIfThen(Due, At, false, unlikely(C));
  IRBuilder<> TB(Then);
  TB.CreateStore(TB.CreateAdd(N, TB.getInt64(LoopTickEvery)), NextTick);
  FunctionCallee Tick = M.getOrInsertFunction(
      "__gts_loop_tick", TB.getInt1Ty(), TB.getInt32Ty(), TB.getPtrTy(), I64);
  Value *Moved = TB.CreateCall(Tick, {TB.getInt32(Id), &F, N});
  Instruction *Move = SplitBlockAndInsertIfThen(Moved, Then, true, unlikely(C));
  IRBuilder<> MB(Move);
  SmallVector<Value *, 8> Args;
  for (Argument &A : F.args())
    Args.push_back(&A);
  CallInst *Call = MB.CreateCall(Entry.getFunctionType(), &Entry, Args);
  if (F.getReturnType()->isVoidTy())
    MB.CreateRetVoid();
  else
    MB.CreateRet(Call);
  Move->eraseFromParent(); // the unreachable SplitBlockAndInsertIfThen left
}

} // namespace

void instrumentFunction(Function &F, int Id, const InstrumentOptions &Opts,
                        Function *Entry) {
  if (Opts.None)
    return;
  unifyReturns(F);
  if (BasicBlock *H = reentryHeader(F); H && Opts.LoopTransfer && Entry)
    emitLoopTransfer(F, *H, Id, *Entry);
  Module &M = *F.getParent();
  std::vector<Instruction *> Exits;
  for (BasicBlock &BB : F)
    if (auto *R = dyn_cast<ReturnInst>(BB.getTerminator()))
      Exits.push_back(exitPoint(R));

  IRBuilder<> B(afterAllocas(F.getEntryBlock()));
  CounterAccess A = counterAccess(M, B, Id);
  Value *Calls = B.CreateAdd(A.load(B, Field::Calls), B.getInt64(1));
  A.store(B, Field::Calls, Calls);
  if (Opts.TierUpCheck)
    emitTierUpCheck(B, A, Calls, Id);

  if (Opts.SamplePeriod == 0)
    return;
  if (Opts.SamplePeriod == 1) {
    Value *Start = readCycles(B);
    for (Instruction *X : Exits) {
      IRBuilder<> RB(X);
      emitRecord(RB, A, Start);
    }
    return;
  }
  // Calls 1, 1 + period, ...: a function called once is still timed.
  Value *Sampled = B.CreateICmpEQ(
      B.CreateAnd(Calls, B.getInt64(Opts.SamplePeriod - 1)), B.getInt64(1));
  Value *Start = emitSampledStart(B, Sampled);
  for (Instruction *X : Exits) {
    Instruction *Then =
        SplitBlockAndInsertIfThen(Sampled, X, false, unlikely(M.getContext()));
    IRBuilder<> TB(Then);
    emitRecord(TB, A, Start);
  }
}

} // namespace gts
