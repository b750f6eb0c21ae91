//===- Prepare.cpp - mem2reg and loop outlining before translation --------===//
//
// Outlined loops give long-running loops their own function id, so the
// engine can tier a loop up independently of its caller. Header phis are
// demoted to stack slots of the caller first: then the only state live at
// the header is the outlined function's arguments, and calling the function
// again with the same arguments resumes the loop exactly at its header.
//
//===----------------------------------------------------------------------===//
#include "Interpreter.h"
#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/LoopInfo.h"
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
      if (isa<AllocaInst>(I) || isa<PHINode>(I) && BB != L.getHeader())
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

bool outlineOne(Function &F, std::set<BasicBlock *> &Tried) {
  DominatorTree DT(F);
  LoopInfo LI(DT);
  for (Loop *L : LI) {
    BasicBlock *H = L->getHeader();
    if (!Tried.insert(H).second || !outlinable(*L))
      continue;
    SmallVector<PHINode *, 8> Phis;
    for (PHINode &P : H->phis())
      Phis.push_back(&P);
    for (PHINode *P : Phis)
      DemotePHIToStack(P);
    CodeExtractor CE(L->getBlocks(), nullptr, false, nullptr, nullptr, nullptr,
                     false, false, nullptr, "loop");
    if (!CE.isEligible() || !scalarInterface(CE))
      continue;
    CodeExtractorAnalysisCache CEAC(F);
    Function *NF = CE.extractCodeRegion(CEAC);
    if (!NF)
      continue;
    if (resumable(*NF))
      NF->addFnAttr("gts-loop");
    return true;
  }
  return false;
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
  for (Function *F : Fs) {
    std::set<BasicBlock *> Tried;
    while (outlineOne(*F, Tried)) {
    }
  }
  return Error::success();
}

} // namespace gts
