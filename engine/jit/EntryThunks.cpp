#include "EntryThunks.h"

#include "llvm/IR/IRBuilder.h"

using namespace llvm;

namespace gts {

namespace {

// An external symbol whose address is all that is used.
Constant *symbol(Module &M, StringRef Name) {
  return M.getOrInsertGlobal(Name, Type::getInt8Ty(M.getContext()));
}

// The target's signature may name types of another context: rebuild it here
// (null for types a thunk does not handle).
Type *mapType(Type *T, LLVMContext &Ctx) {
  if (&T->getContext() == &Ctx)
    return T;
  switch (T->getTypeID()) {
  case Type::VoidTyID:
    return Type::getVoidTy(Ctx);
  case Type::FloatTyID:
    return Type::getFloatTy(Ctx);
  case Type::DoubleTyID:
    return Type::getDoubleTy(Ctx);
  case Type::X86_FP80TyID:
    return Type::getX86_FP80Ty(Ctx);
  case Type::IntegerTyID:
    return IntegerType::get(Ctx, T->getIntegerBitWidth());
  case Type::PointerTyID:
    return PointerType::get(Ctx, T->getPointerAddressSpace());
  case Type::ArrayTyID: {
    Type *E = mapType(T->getArrayElementType(), Ctx);
    return E ? ArrayType::get(E, T->getArrayNumElements()) : nullptr;
  }
  case Type::FixedVectorTyID: {
    auto *V = cast<FixedVectorType>(T);
    Type *E = mapType(V->getElementType(), Ctx);
    return E ? FixedVectorType::get(E, V->getNumElements()) : nullptr;
  }
  case Type::StructTyID: {
    auto *S = cast<StructType>(T);
    SmallVector<Type *, 8> Elts;
    for (Type *E : S->elements()) {
      Elts.push_back(mapType(E, Ctx));
      if (!Elts.back())
        return nullptr;
    }
    return StructType::get(Ctx, Elts, S->isPacked());
  }
  default:
    return nullptr;
  }
}

// Only the attributes that decide the calling convention travel along.
AttributeList abiAttributes(const Function &F, LLVMContext &Ctx) {
  static const Attribute::AttrKind Kinds[] = {
      Attribute::ZExt, Attribute::SExt, Attribute::InReg, Attribute::NoUndef};
  AttributeList AL;
  for (unsigned I = 0; I < F.arg_size(); ++I) {
    AttrBuilder B(Ctx);
    for (Attribute::AttrKind K : Kinds)
      if (F.hasParamAttribute(I, K))
        B.addAttribute(K);
    if (Type *BV = F.getParamByValType(I))
      B.addByValAttr(mapType(BV, Ctx));
    if (Type *SR = F.getParamStructRetType(I))
      B.addStructRetAttr(mapType(SR, Ctx));
    if (MaybeAlign A = F.getParamAlign(I))
      B.addAlignmentAttr(*A);
    AL = AL.addParamAttributes(Ctx, I, B);
  }
  AttrBuilder R(Ctx);
  for (Attribute::AttrKind K : Kinds)
    if (F.hasRetAttribute(K))
      R.addAttribute(K);
  return AL.addRetAttributes(Ctx, R);
}

void buildThunk(Module &M, const ThunkRequest &Q) {
  LLVMContext &Ctx = M.getContext();
  const Function &T = *Q.Target;
  SmallVector<Type *, 8> Params;
  for (Type *P : T.getFunctionType()->params())
    Params.push_back(mapType(P, Ctx));
  Type *RetTy = mapType(T.getReturnType(), Ctx);
  auto *FT = FunctionType::get(RetTy, Params, false);
  Function *F = Function::Create(FT, GlobalValue::ExternalLinkage, Q.Name, M);
  F->setAttributes(abiAttributes(T, Ctx));

  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", F));
  Type *Ptr = B.getPtrTy();
  const DataLayout &DL = M.getDataLayout();
  uint64_t RetBytes = RetTy->isVoidTy() ? 0 : DL.getTypeAllocSize(RetTy);
  auto *RetBuf = B.CreateAlloca(B.getInt8Ty(),
                                B.getInt64(std::max<uint64_t>(RetBytes, 16)));
  RetBuf->setAlignment(Align(16));
  auto *Args =
      B.CreateAlloca(Ptr, B.getInt64(std::max<size_t>(1, F->arg_size())));
  for (Argument &A : F->args()) {
    Value *Slot = &A;
    if (!F->getParamByValType(A.getArgNo())) {
      Slot = B.CreateAlloca(A.getType());
      B.CreateStore(&A, Slot);
    }
    B.CreateStore(Slot, B.CreateConstGEP1_64(Ptr, Args, A.getArgNo()));
  }
  FunctionCallee Handler = M.getOrInsertFunction(
      EntryHandlerSymbol,
      FunctionType::get(B.getVoidTy(), {Ptr, Ptr, Ptr}, false));
  B.CreateCall(Handler, {RetBuf, Args, symbol(M, Q.DataSymbol)});
  if (RetTy->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(B.CreateLoad(RetTy, RetBuf));
}

} // namespace

bool thunkable(const Function &F, LLVMContext &Ctx) {
  if (F.isVarArg())
    return false;
  if (!mapType(F.getReturnType(), Ctx))
    return false;
  for (Type *P : F.getFunctionType()->params())
    if (!mapType(P, Ctx))
      return false;
  for (unsigned I = 0; I < F.arg_size(); ++I)
    if (Type *BV = F.getParamByValType(I); BV && !mapType(BV, Ctx))
      return false;
  return true;
}

std::unique_ptr<Module>
buildEntryThunks(LLVMContext &Ctx, const DataLayout &DL,
                 const std::vector<ThunkRequest> &Reqs) {
  auto M = std::make_unique<Module>("interp-entries", Ctx);
  M->setDataLayout(DL);
  for (const ThunkRequest &Q : Reqs)
    buildThunk(*M, Q);
  return M;
}

} // namespace gts
