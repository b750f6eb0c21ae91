// The profile as LLVM sees a PGO build's: entry counts, branch weights and
// a module summary, so the O3 pipeline's hot/cold logic (inlining, block
// placement, section prefixes, size decisions) follows what the boots
// measured.
#include "Steps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/ProfileSummary.h"
#include "llvm/IR/StructuralHash.h"
#include "llvm/ProfileData/InstrProf.h"
#include "llvm/ProfileData/ProfileCommon.h"

#include <algorithm>

using namespace llvm;

namespace gts {

namespace {

// Counts of one function of the module, if the profile has it.
const FunctionCounts *countsOf(const MergedProfile &P, const Function &F) {
  auto It = P.find(F.getName());
  return It == P.end() ? nullptr : &It->second;
}

// The interpreter counts blocks only while a function is interpreted; calls
// are counted in every tier that counts. Block counts scaled to calls are
// what LLVM derives from the entry count and the branch weights.
std::vector<uint64_t> scaledBlocks(const Function &F, const FunctionCounts &C) {
  if (C.Blocks.size() != F.size() || C.Blocks.empty() || C.Blocks[0] == 0)
    return {C.Calls};
  std::vector<uint64_t> S;
  for (uint64_t B : C.Blocks)
    S.push_back(static_cast<uint64_t>(static_cast<long double>(B) * C.Calls /
                                      C.Blocks[0]));
  return S;
}

// Edge estimates from block counts: an edge into a successor whose only
// predecessor is this block carries that successor's count; what is left of
// this block's count is split over the other successors by their counts.
SmallVector<uint64_t, 4>
edgeCounts(const BasicBlock &BB,
           const DenseMap<const BasicBlock *, size_t> &Index,
           ArrayRef<uint64_t> Blocks) {
  const Instruction *T = BB.getTerminator();
  unsigned N = T->getNumSuccessors();
  SmallVector<uint64_t, 4> W(N, 0);
  SmallVector<unsigned, 4> Shared;
  uint64_t Known = 0, SharedSum = 0;
  for (unsigned I = 0; I < N; ++I) {
    const BasicBlock *S = T->getSuccessor(I);
    uint64_t Count = Blocks[Index.lookup(S)];
    if (S->getSinglePredecessor() == &BB) {
      W[I] = Count;
      Known += Count;
    } else {
      Shared.push_back(I);
      SharedSum += Count;
    }
  }
  uint64_t Self = Blocks[Index.lookup(&BB)];
  uint64_t Rest = Self > Known ? Self - Known : 0;
  for (unsigned I : Shared) {
    uint64_t Count = Blocks[Index.lookup(T->getSuccessor(I))];
    W[I] = SharedSum ? static_cast<uint64_t>(static_cast<long double>(Rest) *
                                             Count / SharedSum)
                     : Rest / Shared.size();
  }
  return W;
}

void setBranchWeights(Function &F, ArrayRef<uint64_t> Blocks) {
  if (Blocks.size() != F.size())
    return;
  DenseMap<const BasicBlock *, size_t> Index;
  for (const BasicBlock &BB : F)
    Index[&BB] = Index.size();
  MDBuilder MDB(F.getContext());
  for (BasicBlock &BB : F) {
    Instruction *T = BB.getTerminator();
    bool Conditional =
        isa<SwitchInst>(T) ||
        (isa<BranchInst>(T) && cast<BranchInst>(T)->isConditional());
    if (!Conditional || Blocks[Index[&BB]] == 0)
      continue;
    SmallVector<uint64_t, 4> W = edgeCounts(BB, Index, Blocks);
    uint64_t Max = *std::max_element(W.begin(), W.end());
    if (Max == 0)
      continue;
    // Weights are 32-bit: scale down, keeping the ratios.
    uint64_t Div = Max / UINT32_MAX + 1;
    SmallVector<uint32_t, 4> W32;
    for (uint64_t X : W)
      W32.push_back(static_cast<uint32_t>(X / Div));
    T->setMetadata(LLVMContext::MD_prof, MDB.createBranchWeights(W32));
  }
}

Error checkProfile(const Module &M, const MergedProfile &P) {
  for (const auto &Entry : P) {
    const Function *F = M.getFunction(Entry.getKey());
    if (!F || F->isDeclaration())
      return exportError(ExportErrorKind::Mismatch,
                         "profile does not match the app: no function " +
                             Entry.getKey());
    if (StructuralHash(*F, true) != Entry.getValue().IrHash)
      return exportError(ExportErrorKind::Mismatch,
                         "profile does not match the app: " + Entry.getKey() +
                             " has other IR");
  }
  return Error::success();
}

// Functions whose blocks reach LLVM's hot count, and every function that
// calls one: a caller of hot code stays at O3 so that hot code inlined
// into it is not optimized for size.
DenseSet<const Function *>
hotFunctions(Module &M, const StringMap<std::vector<uint64_t>> &Scaled,
             uint64_t HotCount) {
  DenseSet<const Function *> Hot;
  SetVector<const Function *> Work;
  for (const Function &F : M) {
    auto It = Scaled.find(F.getName());
    if (It != Scaled.end() &&
        *std::max_element(It->second.begin(), It->second.end()) >= HotCount)
      Work.insert(&F);
  }
  while (!Work.empty()) {
    const Function *F = Work.pop_back_val();
    if (!Hot.insert(F).second)
      continue;
    for (const User *U : F->users())
      if (const auto *CB = dyn_cast<CallBase>(U))
        if (CB->getCalledFunction() == F)
          Work.insert(CB->getFunction());
  }
  return Hot;
}

void internalize(Module &M) {
  for (GlobalValue &GV : M.global_values())
    if (!GV.isDeclaration() && GV.getName() != "main") {
      GV.setLinkage(GlobalValue::InternalLinkage);
      GV.setVisibility(GlobalValue::DefaultVisibility);
    }
}

} // namespace

Error applyProfile(Module &M, const MergedProfile &P, ExportSummary &Summary) {
  if (Error E = checkProfile(M, P))
    return E;
  StringMap<std::vector<uint64_t>> Scaled;
  InstrProfSummaryBuilder Builder(ProfileSummaryBuilder::DefaultCutoffs);
  for (Function &F : M) {
    if (F.isDeclaration())
      continue;
    const FunctionCounts *C = countsOf(P, F);
    F.setEntryCount(
        Function::ProfileCount(C ? C->Calls : 0, Function::PCT_Real));
    if (!C)
      continue;
    setBranchWeights(F, C->Blocks);
    std::vector<uint64_t> S = scaledBlocks(F, *C);
    Builder.addRecord(InstrProfRecord(S));
    Scaled[F.getName()] = std::move(S);
  }
  std::unique_ptr<ProfileSummary> PS = Builder.getSummary();
  M.setProfileSummary(PS->getMD(M.getContext()), ProfileSummary::PSK_Instr);
  // Without any count (nothing ran) nothing is hot; LLVM's threshold lookup
  // needs counts.
  uint64_t HotCount = PS->getTotalCount()
                          ? ProfileSummaryBuilder::getHotCountThreshold(
                                PS->getDetailedSummary())
                          : UINT64_MAX;
  DenseSet<const Function *> Hot = hotFunctions(M, Scaled, HotCount);
  for (Function &F : M) {
    if (F.isDeclaration())
      continue;
    auto It = Scaled.find(F.getName());
    bool Ran = It != Scaled.end() &&
               *std::max_element(It->second.begin(), It->second.end()) > 0;
    if (Hot.contains(&F)) {
      ++Summary.Hot;
    } else if (Ran) {
      F.addFnAttr(Attribute::OptimizeForSize);
      ++Summary.Cold;
    } else {
      F.addFnAttr(Attribute::OptimizeForSize);
      F.addFnAttr(Attribute::MinSize);
      F.addFnAttr(Attribute::Cold);
      ++Summary.Never;
    }
  }
  internalize(M);
  return Error::success();
}

} // namespace gts
