//===- Outline.cpp - mem2reg and loop outlining before translation --------===//
//
// Outlined loops give long-running loops their own function id, so the
// engine can tier a loop up independently of its caller. Header phis are
// demoted to stack slots of the caller first: then the only state live at
// the header is the outlined function's arguments, and calling the function
// again with the same arguments resumes the loop exactly at its header.
//
//===----------------------------------------------------------------------===//
#include "Outline.h"

#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/CodeExtractor.h"
#include "llvm/Transforms/Utils/Local.h"
#include "llvm/Transforms/Utils/PromoteMemToReg.h"
#include <set>

using namespace llvm;

namespace gts {
namespace {

void promote(Function &F) {
  DominatorTree DT(F);
  AssumptionCache AC(F);
  std::vector<AllocaInst *> As;
  for (Instruction &I : F.getEntryBlock())
    if (auto *AI = dyn_cast<AllocaInst>(&I); AI && isAllocaPromotable(AI))
      As.push_back(AI);
  if (!As.empty())
    PromoteMemToReg(As, DT, &AC);
}

// Loops with stack or control constructs that cannot cross a call boundary.
bool outlinable(const Loop &L) {
  for (BasicBlock *BB : L.blocks()) {
    if (BB->hasAddressTaken() || isa<IndirectBrInst>(BB->getTerminator()))
      return false;
    for (Instruction &I : *BB) {
      if (isa<AllocaInst>(I) || (isa<PHINode>(I) && BB != L.getHeader()))
        continue; // handled by CodeExtractor / demotion
      auto *CB = dyn_cast<CallBase>(&I);
      if (!CB)
        continue;
      // Recursion inside the loop: the function tiers up by calls anyway,
      // and outlining would add a call per activation.
      if (CB->hasFnAttr(Attribute::ReturnsTwice) ||
          CB->getCalledFunction() == BB->getParent())
        return false;
      if (auto *II = dyn_cast<IntrinsicInst>(CB)) {
        Intrinsic::ID ID = II->getIntrinsicID();
        if (ID == Intrinsic::vastart || ID == Intrinsic::stacksave ||
            ID == Intrinsic::stackrestore || ID == Intrinsic::vacopy ||
            ID == Intrinsic::vaend)
          return false;
      }
    }
    for (Instruction &I : *BB)
      if (isa<AllocaInst>(I))
        return false;
  }
  return true;
}

// Vector live-ins would become vector parameters, which native entries
// (libffi) cannot express.
bool scalarInterface(const CodeExtractor &CE) {
  SetVector<Value *> Inputs, Outputs, Allocas;
  CE.findInputsOutputs(Inputs, Outputs, Allocas);
  return none_of(Inputs, [](Value *V) { return V->getType()->isVectorTy(); });
}

// Re-entry at the header is exact when the new entry block only jumps there.
bool resumable(Function &NF) {
  BasicBlock &E = NF.getEntryBlock();
  auto *Br = dyn_cast<BranchInst>(E.getTerminator());
  return E.size() == 1 && Br && Br->isUnconditional() &&
         Br->getSuccessor(0)->phis().empty();
}

// An outlined loop that runs at most this many iterations per entry has its
// inner loops outlined too: its own header comes round too seldom for its
// activation to move there (a sieve's or whetstone's `for (rep < 3)` around
// the hot loops). Loops with other trip counts keep their inner loops inline,
// so that a hot nest compiles once, as one function, and moves at its
// header (inner loops of a few iterations would each need a compile).
constexpr unsigned FewIterations = 64;

bool runsFewTimes(Function &F, DominatorTree &DT, LoopInfo &LI, Loop &L) {
  TargetLibraryInfoImpl TLII(Triple(F.getParent()->getTargetTriple()));
  TargetLibraryInfo TLI(TLII, &F);
  AssumptionCache AC(F);
  ScalarEvolution SE(F, TLI, AC, DT, LI);
  unsigned N = SE.getSmallConstantMaxTripCount(&L);
  return N > 0 && N <= FewIterations;
}

// Outlines one top-level loop of F (of the loop F is, when F is itself an
// outlined loop); returns the new function, or null when none is left.
Function *outlineOne(Function &F, bool Outlined,
                     std::set<BasicBlock *> &Tried) {
  DominatorTree DT(F);
  LoopInfo LI(DT);
  // In an outlined loop, the loop at the entry's successor is the function
  // itself: its sub-loops are the candidates.
  SmallVector<Loop *, 8> Candidates;
  const BasicBlock *Self = F.getEntryBlock().getSingleSuccessor();
  for (Loop *L : LI) {
    if (Outlined && L->getHeader() == Self)
      append_range(Candidates, L->getSubLoops());
    else
      Candidates.push_back(L);
  }
  // A loop that cannot be outlined leaves its sub-loops as candidates.
  for (size_t I = 0; I < Candidates.size(); ++I) {
    Loop *L = Candidates[I];
    BasicBlock *H = L->getHeader();
    if (!Tried.insert(H).second || !outlinable(*L)) {
      append_range(Candidates, L->getSubLoops());
      continue;
    }
    // Decided before the header phis (the induction variables) are demoted;
    // only loops with inner loops ask (the trip count was 40% of preparing
    // TinyLlama).
    bool Few = !L->getSubLoops().empty() && runsFewTimes(F, DT, LI, *L);
    SmallVector<PHINode *, 8> Phis;
    for (PHINode &P : H->phis())
      Phis.push_back(&P);
    for (PHINode *P : Phis)
      DemotePHIToStack(P);
    CodeExtractor CE(L->getBlocks(), nullptr, false, nullptr, nullptr, nullptr,
                     false, false, nullptr, "loop");
    Function *NF = nullptr;
    if (CE.isEligible() && scalarInterface(CE)) {
      CodeExtractorAnalysisCache CEAC(F);
      NF = CE.extractCodeRegion(CEAC);
    }
    if (!NF) {
      append_range(Candidates, L->getSubLoops());
      continue;
    }
    if (resumable(*NF))
      NF->addFnAttr("gts-loop");
    if (Few)
      NF->addFnAttr("gts-outline-inner");
    return NF;
  }
  return nullptr;
}

// Whether Ptr's object is used only by loads and stores through it (at
// offsets), and by outlined loops that do the same with their parameter:
// then nothing else reads or writes it, and its address goes nowhere else.
bool onlyAccessed(Value *Ptr, const SmallPtrSetImpl<Function *> &Loops) {
  SmallVector<Value *, 8> Work{Ptr};
  SmallPtrSet<Value *, 16> Seen;
  while (!Work.empty()) {
    Value *V = Work.pop_back_val();
    if (!Seen.insert(V).second)
      continue;
    for (Use &U : V->uses()) {
      User *Usr = U.getUser();
      if (auto *L = dyn_cast<LoadInst>(Usr); L && !L->isVolatile())
        continue;
      if (auto *S = dyn_cast<StoreInst>(Usr);
          S && !S->isVolatile() && U.getOperandNo() == 1)
        continue;
      if (auto *G = dyn_cast<GetElementPtrInst>(Usr)) {
        Work.push_back(G);
        continue;
      }
      if (auto *II = dyn_cast<IntrinsicInst>(Usr);
          II && II->isLifetimeStartOrEnd())
        continue;
      auto *CB = dyn_cast<CallBase>(Usr);
      if (CB && CB->isArgOperand(&U) && Loops.count(CB->getCalledFunction())) {
        Work.push_back(
            CB->getCalledFunction()->getArg(CB->getArgOperandNo(&U)));
        continue;
      }
      return false;
    }
  }
  return true;
}

// The pointer parameters of outlined loops hold the caller's locals (its
// demoted header phis among them) or, in nested loops, its own such
// parameters. Where each object is only accessed (above) and passed once
// per call, the parameter is noalias: no other pointer reaches the object
// while the loop runs, so O3 keeps it in a register across the loop (LICM's
// scalar promotion), as it does when the loop is left inline. Without it,
// whetstone's loops stored their counters to memory at every iteration.
// Loops: in the order outlined (a loop before the loops outlined from it).
void markNoAlias(ArrayRef<Function *> Loops) {
  SmallPtrSet<Function *, 16> Set(Loops.begin(), Loops.end());
  for (Function *NF : Loops) {
    if (!NF->hasOneUse())
      continue;
    auto *Call = dyn_cast<CallBase>(NF->user_back());
    if (!Call || Call->getCalledFunction() != NF)
      continue;
    SmallVector<Value *, 8> Objects(Call->arg_size(), nullptr);
    DenseMap<const Value *, unsigned> Passed;
    for (unsigned I = 0; I < Call->arg_size(); ++I)
      if (Value *A = Call->getArgOperand(I); A->getType()->isPointerTy())
        ++Passed[Objects[I] = getUnderlyingObject(A)];
    for (unsigned I = 0; I < Call->arg_size(); ++I) {
      Value *Obj = Objects[I];
      if (!Obj)
        continue;
      auto *Arg = dyn_cast<Argument>(Obj);
      bool Local = isa<AllocaInst>(Obj) || (Arg && Arg->hasNoAliasAttr());
      if (Local && Passed[Obj] == 1 && onlyAccessed(Obj, Set)) {
        NF->addParamAttr(I, Attribute::NoAlias);
        NF->addParamAttr(I, Attribute::NoCapture);
      }
    }
  }
}

} // namespace

Error prepareForInterp(Module &M, bool OutlineLoops) {
  std::vector<Function *> Fs;
  for (Function &F : M)
    if (!F.isDeclaration()) {
      promote(F);
      Fs.push_back(&F);
    }
  if (!OutlineLoops)
    return Error::success();
  // The loops inside an outlined loop that runs few iterations are outlined
  // in turn (see FewIterations), at any depth, so that a hot inner loop has
  // a header of its own where its activation can move to compiled code.
  std::vector<std::pair<Function *, bool>> Work;
  for (Function *F : Fs)
    Work.push_back({F, false});
  std::vector<Function *> Loops;
  while (!Work.empty()) {
    auto [F, Outlined] = Work.back();
    Work.pop_back();
    std::set<BasicBlock *> Tried;
    while (Function *NF = outlineOne(*F, Outlined, Tried)) {
      Loops.push_back(NF);
      if (NF->hasFnAttribute("gts-outline-inner"))
        Work.push_back({NF, true});
    }
  }
  markNoAlias(Loops);
  return Error::success();
}

} // namespace gts
