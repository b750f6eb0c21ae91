#include "TierUnit.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

using namespace llvm;

namespace gts {

namespace {

bool holdsBlockAddress(const Constant *C) {
  if (isa<BlockAddress>(C))
    return true;
  // A global is a reference, not part of this constant (and globals may
  // refer to each other in cycles).
  if (isa<GlobalValue>(C))
    return false;
  for (const Use &Op : C->operands())
    if (const auto *CO = dyn_cast<Constant>(Op.get());
        CO && holdsBlockAddress(CO))
      return true;
  return false;
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

// Keeps the label tables that targets use as private copies and erases the
// others. Runs before bodies are deleted: a table must never outlive the
// blocks it points to.
void localizeBlockAddressTables(Module &M, ArrayRef<Function *> Targets) {
  for (GlobalVariable &G : make_early_inc_range(M.globals())) {
    if (!isBlockAddressTable(G))
      continue;
    bool UsedByTarget = any_of(G.users(), [&](const User *U) {
      auto *I = dyn_cast<Instruction>(U);
      return I && is_contained(Targets, I->getFunction());
    });
    if (!UsedByTarget) {
      eraseGlobal(G);
      continue;
    }
    G.setLinkage(GlobalValue::InternalLinkage);
    G.setVisibility(GlobalValue::DefaultVisibility);
  }
}

void declareGlobals(Module &M) {
  for (GlobalVariable &G : M.globals()) {
    if (G.isDeclaration() || G.hasLocalLinkage())
      continue;
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

// Renames target F to its body symbol and gives every use but block addresses
// and the direct calls that may bind to the body a fresh declaration under
// the original name: the entry.
Function *splitEntryFromBody(Function &F, const std::string &BodyName,
                             bool DirectFromOtherTargets) {
  std::string Name = F.getName().str();
  F.setName(BodyName);
  F.setLinkage(GlobalValue::ExternalLinkage);
  F.setVisibility(GlobalValue::DefaultVisibility);
  Function *Entry = Function::Create(
      F.getFunctionType(), GlobalValue::ExternalLinkage, Name, F.getParent());
  Entry->setAttributes(F.getAttributes());
  F.replaceUsesWithIf(Entry, [&](Use &U) {
    if (isa<BlockAddress>(U.getUser()))
      return false;
    auto *CB = dyn_cast<CallBase>(U.getUser());
    if (!CB || !CB->isCallee(&U))
      return true;
    return !(CB->getFunction() == &F || DirectFromOtherTargets);
  });
  return Entry;
}

Constant *remapBlockAddresses(Constant *C, ValueToValueMapTy &VMap) {
  if (auto *BA = dyn_cast<BlockAddress>(C))
    return BlockAddress::get(cast<Function>(VMap[BA->getFunction()]),
                             cast<BasicBlock>(VMap[BA->getBasicBlock()]));
  auto *Agg = dyn_cast<ConstantAggregate>(C);
  if (!Agg)
    return MapValue(C, VMap);
  SmallVector<Constant *, 16> Ops;
  for (Use &Op : Agg->operands())
    Ops.push_back(remapBlockAddresses(cast<Constant>(Op.get()), VMap));
  if (auto *A = dyn_cast<ConstantArray>(Agg))
    return ConstantArray::get(A->getType(), Ops);
  if (auto *S = dyn_cast<ConstantStruct>(Agg))
    return ConstantStruct::get(S->getType(), Ops);
  return ConstantVector::get(Ops);
}

// CloneModule copies initializers before function bodies, so block addresses
// in a copied table still point into Base (and VMap caches those copies):
// build the tables again from the mapped blocks.
void remapBlockAddressTables(const Module &Base, ValueToValueMapTy &VMap) {
  for (const GlobalVariable &G : Base.globals())
    if (isBlockAddressTable(G))
      cast<GlobalVariable>(VMap[&G])->setInitializer(remapBlockAddresses(
          const_cast<Constant *>(G.getInitializer()), VMap));
}

} // namespace

bool isBlockAddressTable(const GlobalVariable &G) {
  return G.hasInitializer() && holdsBlockAddress(G.getInitializer());
}

UnitModule buildTierUnit(const Module &Base,
                         const std::vector<Function *> &Functions,
                         const UnitRequest &Request) {
  ValueToValueMapTy VMap;
  std::unique_ptr<Module> M = CloneModule(Base, VMap);
  remapBlockAddressTables(Base, VMap);
  std::vector<Function *> Targets;
  for (int Id : Request.Targets)
    Targets.push_back(cast<Function>(VMap[Functions[Id]]));

  localizeBlockAddressTables(*M, Targets);
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
                       tierName(Request.Level).str() + "_b" +
                       std::to_string(Request.Boot) + "_" +
                       std::to_string(Request.Seq);
    splitEntryFromBody(*Targets[I], Body, Request.DirectCallsBetweenTargets);
    instrumentFunction(*Targets[I], Request.Targets[I], Request.Instrument);
    if (is_contained(Request.LocalTargets, Request.Targets[I])) {
      Targets[I]->setLinkage(GlobalValue::InternalLinkage);
      Body.clear();
    }
    U.BodySymbols.push_back(Body);
  }
  U.M = std::move(M);
  return U;
}

std::unique_ptr<Module> buildDataUnit(const Module &Base) {
  std::unique_ptr<Module> M = CloneModule(Base);
  localizeBlockAddressTables(*M, {});
  for (Function &F : *M)
    if (!F.isDeclaration())
      makeDeclaration(F);
  return M;
}

} // namespace gts
