// Row jamming: in hot code, a loop nest whose inner loop is a floating-point
// reduction (a matrix-vector product's dot products) runs several outer
// iterations together, each with its own accumulator, so the additions of
// one row no longer wait for the previous one's. Every row still adds its
// terms in the same order: results stay bit-identical.
//
// Jamming moves the loads of later rows before the store of earlier ones, so
// it is only correct when nothing stored in the nest overlaps what it loads.
// clang cannot prove that from C pointers; the export checks it at run time:
// the nest is versioned behind a guard comparing the address ranges, the
// guarded copy says so to alias analysis (scoped noalias metadata) and asks
// LLVM's unroll-and-jam for 8 rows; the other copy is the original loop.
#include "Steps.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/ScalarEvolutionExpressions.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ScalarEvolutionExpander.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <functional>
#include <optional>

using namespace llvm;

namespace gts {

namespace {

constexpr unsigned JamCount = 8;
constexpr size_t MaxChecks = 8;

struct Range {
  const SCEV *Lo, *Hi; // integer addresses, Hi one past the last byte
};

struct Access {
  Instruction *I;
  Range R;
};

// The lowest and highest value S takes in any iteration of L and the loops
// inside it, as expressions invariant in L.
std::optional<Range> rangeIn(const SCEV *S, const Loop &L,
                             ScalarEvolution &SE) {
  if (SE.isLoopInvariant(S, &L))
    return Range{S, S};
  const auto *AR = dyn_cast<SCEVAddRecExpr>(S);
  if (!AR || !AR->isAffine() || !L.contains(AR->getLoop()))
    return std::nullopt;
  const SCEV *Trips = SE.getBackedgeTakenCount(AR->getLoop());
  if (isa<SCEVCouldNotCompute>(Trips))
    return std::nullopt;
  auto First = rangeIn(AR->getStart(), L, SE);
  auto Last = rangeIn(AR->evaluateAtIteration(Trips, SE), L, SE);
  if (!First || !Last)
    return std::nullopt;
  return Range{SE.getUMinExpr(First->Lo, Last->Lo),
               SE.getUMaxExpr(First->Hi, Last->Hi)};
}

std::optional<Access> accessOf(Instruction &I, const Loop &L,
                               ScalarEvolution &SE, const DataLayout &DL) {
  Value *Ptr = getLoadStorePointerOperand(&I);
  Type *Ty = getLoadStoreType(&I);
  Type *IntPtr = DL.getIntPtrType(Ptr->getType());
  const SCEV *S = SE.getPtrToIntExpr(SE.getSCEV(Ptr), IntPtr);
  if (isa<SCEVCouldNotCompute>(S))
    return std::nullopt;
  auto R = rangeIn(S, L, SE);
  if (!R)
    return std::nullopt;
  uint64_t Size = DL.getTypeStoreSize(Ty);
  return Access{&I,
                {R->Lo, SE.getAddExpr(R->Hi, SE.getConstant(IntPtr, Size))}};
}

bool hasFloatReduction(const Loop &Inner) {
  for (PHINode &P : Inner.getHeader()->phis())
    if (P.getType()->isFloatingPointTy())
      return true;
  return false;
}

// A two-deep nest: stores only outside the inner loop, loads anywhere,
// nothing else that touches memory.
bool collect(const Loop &L, ScalarEvolution &SE, const DataLayout &DL,
             SmallVectorImpl<Access> &Stores, SmallVectorImpl<Access> &Loads) {
  const Loop &Inner = *L.getSubLoops().front();
  for (BasicBlock *BB : L.blocks())
    for (Instruction &I : *BB) {
      if (!I.mayReadOrWriteMemory())
        continue;
      auto *LI = dyn_cast<LoadInst>(&I);
      auto *SI = dyn_cast<StoreInst>(&I);
      if (!(LI && LI->isSimple()) && !(SI && SI->isSimple()))
        return false;
      if (SI && Inner.contains(BB))
        return false;
      auto A = accessOf(I, L, SE, DL);
      if (!A)
        return false;
      (SI ? Stores : Loads).push_back(*A);
    }
  return !Stores.empty() && !Loads.empty() &&
         Stores.size() * Loads.size() <= MaxChecks;
}

bool isCandidate(const Loop &L, DominatorTree &DT) {
  // Each nest once: the guarded copy asks for jamming, the other copy
  // forbids it.
  if (L.getSubLoops().size() != 1 ||
      findOptionMDForLoop(&L, "llvm.loop.unroll_and_jam.count") ||
      findOptionMDForLoop(&L, "llvm.loop.unroll_and_jam.disable"))
    return false;
  const Loop &Inner = *L.getSubLoops().front();
  return Inner.isInnermost() && L.isLoopSimplifyForm() &&
         Inner.isLoopSimplifyForm() && L.getExitBlock() &&
         L.getExitingBlock() && L.isLCSSAForm(DT) && hasFloatReduction(Inner);
}

// True when some store range meets some load range.
Value *overlapCheck(ArrayRef<Access> Stores, ArrayRef<Access> Loads,
                    Instruction *At, ScalarEvolution &SE,
                    const DataLayout &DL) {
  SCEVExpander Exp(SE, DL, "jam.check");
  IRBuilder<> B(At);
  Value *Any = B.getFalse();
  for (const Access &S : Stores)
    for (const Access &L : Loads) {
      Type *Ty = S.R.Lo->getType();
      auto V = [&](const SCEV *X) {
        return Exp.expandCodeFor(X, Ty, At->getIterator());
      };
      Value *Meet = B.CreateAnd(B.CreateICmpULT(V(S.R.Lo), V(L.R.Hi)),
                                B.CreateICmpULT(V(L.R.Lo), V(S.R.Hi)));
      Any = B.CreateOr(Any, Meet, "jam.overlap");
    }
  return Any;
}

bool expandable(ArrayRef<Access> As, Instruction *At, ScalarEvolution &SE,
                const DataLayout &DL) {
  SCEVExpander Exp(SE, DL, "jam.check");
  for (const Access &A : As)
    if (!Exp.isSafeToExpandAt(A.R.Lo, At) || !Exp.isSafeToExpandAt(A.R.Hi, At))
      return false;
  return true;
}

// Stores and loads of the guarded nest are in two alias scopes that do not
// alias each other: what the guard established.
void markDisjoint(ArrayRef<Access> Stores, ArrayRef<Access> Loads,
                  LLVMContext &Ctx) {
  MDBuilder MDB(Ctx);
  MDNode *Domain = MDB.createAnonymousAliasScopeDomain("gts.jam");
  MDNode *StoreScope = MDB.createAnonymousAliasScope(Domain, "stores");
  MDNode *LoadScope = MDB.createAnonymousAliasScope(Domain, "loads");
  auto Mark = [&](Instruction *I, MDNode *Own, MDNode *Other) {
    I->setMetadata(
        LLVMContext::MD_alias_scope,
        MDNode::concatenate(I->getMetadata(LLVMContext::MD_alias_scope),
                            MDNode::get(Ctx, {Own})));
    I->setMetadata(LLVMContext::MD_noalias,
                   MDNode::concatenate(I->getMetadata(LLVMContext::MD_noalias),
                                       MDNode::get(Ctx, {Other})));
  };
  for (const Access &S : Stores)
    Mark(S.I, StoreScope, LoadScope);
  for (const Access &L : Loads)
    Mark(L.I, LoadScope, StoreScope);
}

void addLoopOptions(Loop &L, ArrayRef<Metadata *> Options) {
  SmallVector<Metadata *, 4> Ops{nullptr};
  if (MDNode *Old = L.getLoopID())
    for (unsigned I = 1; I < Old->getNumOperands(); ++I)
      Ops.push_back(Old->getOperand(I));
  append_range(Ops, Options);
  MDNode *ID = MDNode::getDistinct(L.getHeader()->getContext(), Ops);
  ID->replaceOperandWith(0, ID);
  L.setLoopID(ID);
}

// JamCount rows for the guarded copy; the loops unroll-and-jam leaves
// (jammed loop, remainder) and the unguarded copy are not jammed again.
void requestJam(Loop &Guarded, Loop &Original) {
  LLVMContext &Ctx = Guarded.getHeader()->getContext();
  MDNode *Disable = MDNode::get(
      Ctx, {MDString::get(Ctx, "llvm.loop.unroll_and_jam.disable")});
  Metadata *Count =
      MDNode::get(Ctx, {MDString::get(Ctx, "llvm.loop.unroll_and_jam.count"),
                        ConstantAsMetadata::get(ConstantInt::get(
                            Type::getInt32Ty(Ctx), JamCount))});
  Metadata *Followup = MDNode::get(
      Ctx,
      {MDString::get(Ctx, "llvm.loop.unroll_and_jam.followup_all"), Disable});
  addLoopOptions(Guarded, {Count, Followup});
  addLoopOptions(Original, {Disable});
}

// Splits L's preheader into a guard block and a new preheader, and puts an
// unchanged copy of L behind the guard for when Overlap holds.
Loop *version(Loop &L, const std::function<Value *(Instruction *)> &Overlap,
              LoopInfo &LI, DominatorTree &DT) {
  BasicBlock *Guard = L.getLoopPreheader();
  BasicBlock *Preheader =
      SplitBlock(Guard, Guard->getTerminator(), &DT, &LI, nullptr,
                 L.getHeader()->getName() + ".jam.ph");
  ValueToValueMapTy VMap;
  SmallVector<BasicBlock *, 16> Blocks;
  Loop *Copy = cloneLoopWithPreheader(Preheader, Guard, &L, VMap, ".nojam", &LI,
                                      &DT, Blocks);
  remapInstructionsInBlocks(Blocks, VMap);
  Instruction *Term = Guard->getTerminator();
  BranchInst::Create(Copy->getLoopPreheader(), Preheader, Overlap(Term), Term);
  Term->eraseFromParent();
  // Both copies leave through L's exit block; its LCSSA phis take the
  // copy's values too.
  BasicBlock *Exit = L.getExitBlock();
  for (PHINode &P : Exit->phis()) {
    Value *In = P.getIncomingValueForBlock(L.getExitingBlock());
    Value *Copied = VMap.lookup(In);
    P.addIncoming(Copied ? Copied : In,
                  cast<BasicBlock>(VMap[L.getExitingBlock()]));
  }
  DT.changeImmediateDominator(Exit, Guard);
  return Copy;
}

bool jam(Loop &L, LoopInfo &LI, DominatorTree &DT, ScalarEvolution &SE) {
  const DataLayout &DL = L.getHeader()->getModule()->getDataLayout();
  SmallVector<Access, 4> Stores, Loads;
  if (!collect(L, SE, DL, Stores, Loads))
    return false;
  Instruction *At = L.getLoopPreheader()->getTerminator();
  if (!expandable(Stores, At, SE, DL) || !expandable(Loads, At, SE, DL))
    return false;
  Loop *Copy = version(
      L,
      [&](Instruction *Term) {
        return overlapCheck(Stores, Loads, Term, SE, DL);
      },
      LI, DT);
  markDisjoint(Stores, Loads, L.getHeader()->getContext());
  requestJam(L, *Copy);
  SE.forgetAllLoops();
  return true;
}

} // namespace

PreservedAnalyses JamRowsPass::run(Function &F, FunctionAnalysisManager &AM) {
  // Outlined loops (engine preparation) are left to their caller, into
  // which they are inlined: their loop state lives in the caller's memory.
  if (F.hasOptSize() || F.hasFnAttribute("gts-loop"))
    return PreservedAnalyses::all();
  auto &LI = AM.getResult<LoopAnalysis>(F);
  auto &DT = AM.getResult<DominatorTreeAnalysis>(F);
  auto &SE = AM.getResult<ScalarEvolutionAnalysis>(F);
  SmallVector<Loop *, 4> Candidates;
  for (Loop *L : LI.getLoopsInPreorder())
    if (isCandidate(*L, DT))
      Candidates.push_back(L);
  bool Changed = false;
  for (Loop *L : Candidates)
    if (jam(*L, LI, DT, SE)) {
      Changed = true;
      ++Count;
    }
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace gts
