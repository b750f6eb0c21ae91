#include "TierUnit.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

using namespace llvm;

namespace gts {

namespace {

// Calls Visit on every block address in C. A global is a reference, not
// part of this constant (and globals may refer to each other in cycles).
void forEachBlockAddress(const Constant *C,
                         function_ref<void(const BlockAddress &)> Visit) {
  if (const auto *BA = dyn_cast<BlockAddress>(C))
    return Visit(*BA);
  if (isa<GlobalValue>(C))
    return;
  for (const Use &Op : C->operands())
    if (const auto *CO = dyn_cast<Constant>(Op.get()))
      forEachBlockAddress(CO, Visit);
}

// Functions reachable from Roots through direct calls, each body read
// (materialized, in a lazily read module) before it is scanned.
Expected<SetVector<Function *>> directCallees(ArrayRef<Function *> Roots) {
  SetVector<Function *> Seen(Roots.begin(), Roots.end());
  for (size_t I = 0; I < Seen.size(); ++I) {
    if (Error E = Seen[I]->materialize())
      return std::move(E);
    for (Instruction &Inst : instructions(*Seen[I]))
      if (auto *CB = dyn_cast<CallBase>(&Inst))
        if (Function *Callee = CB->getCalledFunction();
            Callee && !Callee->isDeclaration())
          Seen.insert(Callee);
  }
  return Seen;
}

bool hasBlockAddressUses(const Function &F) {
  return any_of(F.users(), [](const User *U) { return isa<BlockAddress>(U); });
}

// The direct callees of Targets, each body read: those an O0 unit inlines.
Expected<SmallVector<Function *, 8>>
trivialLeafCallees(ArrayRef<Function *> Targets) {
  SmallVector<Function *, 8> Leaves;
  for (Function *T : Targets)
    for (Instruction &Inst : instructions(*T)) {
      auto *CB = dyn_cast<CallBase>(&Inst);
      Function *Callee = CB ? CB->getCalledFunction() : nullptr;
      if (!Callee || Callee->isDeclaration() || is_contained(Targets, Callee) ||
          is_contained(Leaves, Callee))
        continue;
      if (Error E = Callee->materialize())
        return std::move(E);
      if (isTrivialLeaf(*Callee))
        Leaves.push_back(Callee);
    }
  return Leaves;
}

// A label table goes into a unit that compiles the one function it points
// into, when that function uses it.
bool tableBelongsTo(const GlobalVariable &G, ArrayRef<Function *> Targets) {
  bool AllInTargets = true;
  forEachBlockAddress(G.getInitializer(), [&](const BlockAddress &BA) {
    AllInTargets &= is_contained(Targets, BA.getFunction());
  });
  return AllInTargets && any_of(G.users(), [&](const User *U) {
           auto *I = dyn_cast<Instruction>(U);
           return I && is_contained(Targets, I->getFunction());
         });
}

void eraseGlobal(GlobalVariable &G) {
  G.replaceAllUsesWith(PoisonValue::get(G.getType()));
  G.eraseFromParent();
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
// build the tables again from the mapped blocks. The tables a unit does not
// define are erased: no code of the unit may jump through them.
void remapBlockAddressTables(
    const Module &Base, ValueToValueMapTy &VMap,
    const SmallPtrSetImpl<const GlobalValue *> &Defined) {
  for (const GlobalVariable &G : Base.globals()) {
    if (!isBlockAddressTable(G))
      continue;
    auto *Copy = cast<GlobalVariable>(VMap[&G]);
    if (!Defined.contains(&G)) {
      eraseGlobal(*Copy);
      continue;
    }
    Copy->setInitializer(
        remapBlockAddresses(const_cast<Constant *>(G.getInitializer()), VMap));
    Copy->setLinkage(GlobalValue::InternalLinkage);
    Copy->setVisibility(GlobalValue::DefaultVisibility);
  }
}

std::unique_ptr<Module>
cloneDefining(const Module &Base, ValueToValueMapTy &VMap,
              const SmallPtrSetImpl<const GlobalValue *> &Defined) {
  // Aliases keep their definitions, as in the app.
  std::unique_ptr<Module> M =
      CloneModule(Base, VMap, [&](const GlobalValue *GV) {
        return isa<GlobalAlias>(GV) || isa<GlobalIFunc>(GV) ||
               Defined.contains(GV);
      });
  remapBlockAddressTables(Base, VMap, Defined);
  return M;
}

void makeAvailableExternally(GlobalValue &GV) {
  GV.setLinkage(GlobalValue::AvailableExternallyLinkage);
  GV.setVisibility(GlobalValue::DefaultVisibility);
  if (auto *GO = dyn_cast<GlobalObject>(&GV))
    GO->setComdat(nullptr);
}

} // namespace

bool isTrivialLeaf(const Function &F) {
  if (F.isDeclaration() || F.isVarArg() || F.size() != 1 ||
      F.front().size() > MaxTrivialInstructions || hasBlockAddressUses(F) ||
      F.hasFnAttribute(Attribute::NoInline))
    return false;
  return none_of(F.front(), [](const Instruction &I) {
    return isa<CallBase>(I) && !isa<IntrinsicInst>(I);
  });
}

bool isBlockAddressTable(const GlobalVariable &G) {
  bool Holds = false;
  if (G.hasInitializer())
    forEachBlockAddress(G.getInitializer(),
                        [&](const BlockAddress &) { Holds = true; });
  return Holds;
}

Error readBodies(const std::vector<Function *> &Functions,
                 const UnitRequest &Request) {
  std::vector<Function *> Targets;
  for (int Id : Request.Targets)
    Targets.push_back(Functions[Id]);
  if (Request.Level != Tier::O0)
    return directCallees(Targets).takeError();
  for (Function *F : Targets)
    if (Error E = F->materialize())
      return E;
  return trivialLeafCallees(Targets).takeError();
}

// Only what the unit defines is copied (a tier-up compiles one function of
// a module of hundreds); everything else becomes a declaration.
UnitModule buildTierUnit(const Module &Base,
                         const std::vector<Function *> &Functions,
                         const UnitRequest &Request) {
  std::vector<Function *> BaseTargets;
  for (int Id : Request.Targets)
    BaseTargets.push_back(Functions[Id]);
  SmallPtrSet<const GlobalValue *, 32> Defined(BaseTargets.begin(),
                                               BaseTargets.end());
  SmallPtrSet<const GlobalValue *, 32> Inlinable;
  bool AtO0 = Request.Level == Tier::O0;
  if (AtO0)
    for (Function *F : cantFail(trivialLeafCallees(BaseTargets))) // read
      Inlinable.insert(F);
  else
    for (Function *F : cantFail(directCallees(BaseTargets))) // read already
      if (!Defined.contains(F) && !hasBlockAddressUses(*F))
        Inlinable.insert(F);
  for (const GlobalVariable &G : Base.globals())
    if (isBlockAddressTable(G) ? tableBelongsTo(G, BaseTargets)
                               : G.isConstant() && G.hasInitializer())
      Defined.insert(&G);
  Defined.insert(Inlinable.begin(), Inlinable.end());

  ValueToValueMapTy VMap;
  std::unique_ptr<Module> M = cloneDefining(Base, VMap, Defined);
  for (const GlobalValue *GV : Inlinable) {
    auto *Copy = cast<Function>(VMap[GV]);
    makeAvailableExternally(*Copy);
    if (AtO0) // O0's pipeline runs the always-inliner only
      Copy->addFnAttr(Attribute::AlwaysInline);
  }
  // Constants stay available so that loads of them fold; they live in the
  // data unit.
  for (const GlobalVariable &G : Base.globals())
    if (Defined.contains(&G) && !isBlockAddressTable(G) && !G.hasLocalLinkage())
      makeAvailableExternally(*cast<GlobalValue>(VMap[&G]));

  UnitModule U;
  for (size_t I = 0; I < BaseTargets.size(); ++I) {
    auto *Target = cast<Function>(VMap[BaseTargets[I]]);
    std::string Body = "__gts_f" + std::to_string(Request.Targets[I]) + "_" +
                       tierName(Request.Level).str() + "_b" +
                       std::to_string(Request.Boot) + "_" +
                       std::to_string(Request.Seq);
    Function *Entry =
        splitEntryFromBody(*Target, Body, Request.DirectCallsBetweenTargets);
    instrumentFunction(*Target, Request.Targets[I], Request.Instrument, Entry);
    if (is_contained(Request.LocalTargets, Request.Targets[I])) {
      Target->setLinkage(GlobalValue::InternalLinkage);
      Body.clear();
    }
    U.BodySymbols.push_back(Body);
  }
  U.M = std::move(M);
  return U;
}

std::unique_ptr<Module> buildDataUnit(const Module &Base) {
  SmallPtrSet<const GlobalValue *, 32> Defined;
  for (const GlobalVariable &G : Base.globals())
    if (!isBlockAddressTable(G))
      Defined.insert(&G);
  ValueToValueMapTy VMap;
  return cloneDefining(Base, VMap, Defined);
}

} // namespace gts
