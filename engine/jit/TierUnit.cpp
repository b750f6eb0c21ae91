#include "TierUnit.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Transforms/Utils/Cloning.h"

using namespace llvm;

namespace gts {

namespace {

bool holdsBlockAddress(const Constant *C) {
  if (isa<BlockAddress>(C))
    return true;
  for (const Use &Op : C->operands())
    if (const auto *CO = dyn_cast<Constant>(Op.get());
        CO && holdsBlockAddress(CO))
      return true;
  return false;
}

bool isBlockAddressTable(const GlobalVariable &G) {
  return G.hasInitializer() && G.isConstant() &&
         holdsBlockAddress(G.getInitializer());
}

// Functions reachable from Roots through direct calls.
SetVector<Function *> directCallees(ArrayRef<Function *> Roots) {
  SetVector<Function *> Seen(Roots.begin(), Roots.end());
  for (size_t I = 0; I < Seen.size(); ++I)
    for (Instruction &Inst : instructions(*Seen[I]))
      if (auto *CB = dyn_cast<CallBase>(&Inst))
        if (Function *Callee = CB->getCalledFunction();
            Callee && !Callee->isDeclaration())
          Seen.insert(Callee);
  return Seen;
}

void makeDeclaration(Function &F) {
  F.deleteBody();
  F.setLinkage(GlobalValue::ExternalLinkage);
  F.setComdat(nullptr);
}

bool hasBlockAddressUses(const Function &F) {
  return any_of(F.users(), [](const User *U) { return isa<BlockAddress>(U); });
}

void eraseGlobal(GlobalVariable &G) {
  G.replaceAllUsesWith(PoisonValue::get(G.getType()));
  G.eraseFromParent();
}

void declareGlobals(Module &M) {
  for (GlobalVariable &G : make_early_inc_range(M.globals())) {
    if (G.isDeclaration())
      continue;
    if (isBlockAddressTable(G)) {
      // Label tables of computed gotos: a private copy where the function
      // they point into is compiled, nothing elsewhere.
      bool ForBody = false;
      for (const User *U : G.users())
        if (auto *I = dyn_cast<Instruction>(U))
          ForBody |= !I->getFunction()->isDeclaration();
      if (!ForBody) {
        eraseGlobal(G);
        continue;
      }
      G.setLinkage(GlobalValue::InternalLinkage);
      G.setVisibility(GlobalValue::DefaultVisibility);
      continue;
    }
    if (G.isConstant()) {
      G.setLinkage(GlobalValue::AvailableExternallyLinkage);
      G.setComdat(nullptr);
      continue;
    }
    G.setInitializer(nullptr);
    G.setLinkage(GlobalValue::ExternalLinkage);
    G.setComdat(nullptr);
  }
}

// Renames target F to its body symbol and gives everything but direct calls
// and block addresses a fresh declaration under the original name.
Function *splitEntryFromBody(Function &F, const std::string &BodyName) {
  std::string Name = F.getName().str();
  F.setName(BodyName);
  F.setLinkage(GlobalValue::ExternalLinkage);
  F.setVisibility(GlobalValue::DefaultVisibility);
  Function *Entry =
      Function::Create(F.getFunctionType(), GlobalValue::ExternalLinkage, Name,
                       F.getParent());
  Entry->setAttributes(F.getAttributes());
  F.replaceUsesWithIf(Entry, [](Use &U) {
    if (isa<BlockAddress>(U.getUser()))
      return false;
    auto *CB = dyn_cast<CallBase>(U.getUser());
    return !(CB && CB->isCallee(&U));
  });
  return Entry;
}

} // namespace

std::unique_ptr<Module> cloneForUnit(const Module &Base) {
  return CloneModule(Base);
}

UnitModule buildTierUnit(const Module &Base,
                         const std::vector<Function *> &Functions,
                         const UnitRequest &Request) {
  ValueToValueMapTy VMap;
  std::unique_ptr<Module> M = CloneModule(Base, VMap);
  std::vector<Function *> Targets;
  for (int Id : Request.Targets)
    Targets.push_back(cast<Function>(VMap[Functions[Id]]));

  SetVector<Function *> Keep = directCallees(Targets);
  for (Function &F : *M) {
    if (F.isDeclaration() || is_contained(Targets, &F))
      continue;
    bool Inlinable = Request.Level != Tier::O0 && Keep.contains(&F) &&
                     !hasBlockAddressUses(F);
    if (Inlinable) {
      F.setLinkage(GlobalValue::AvailableExternallyLinkage);
      F.setVisibility(GlobalValue::DefaultVisibility);
      F.setComdat(nullptr);
    } else {
      makeDeclaration(F);
    }
  }
  declareGlobals(*M);

  UnitModule U;
  for (size_t I = 0; I < Targets.size(); ++I) {
    std::string Body = "__gts_f" + std::to_string(Request.Targets[I]) + "_" +
                       tierName(Request.Level).str() + "_" +
                       std::to_string(Request.Seq);
    splitEntryFromBody(*Targets[I], Body);
    instrumentFunction(*Targets[I], Request.Targets[I], Request.Instrument);
    U.BodySymbols.push_back(Body);
  }
  U.M = std::move(M);
  return U;
}

std::unique_ptr<Module> buildDataUnit(const Module &Base) {
  std::unique_ptr<Module> M = CloneModule(Base);
  for (Function &F : *M)
    if (!F.isDeclaration())
      makeDeclaration(F);
  for (GlobalVariable &G : make_early_inc_range(M->globals()))
    if (isBlockAddressTable(G))
      eraseGlobal(G);
  return M;
}

} // namespace gts
