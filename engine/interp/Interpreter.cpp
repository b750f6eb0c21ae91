//===- Interpreter.cpp - public API, closures, constants, ffi types -------===//
#include "ConstantBytes.h"
#include "Decoded.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Operator.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace gts {

static Error fail(const Twine &What) {
  return createStringError(inconvertibleErrorCode(), "unsupported: " + What);
}

static std::string typeString(Type *T) {
  std::string S;
  raw_string_ostream OS(S);
  T->print(OS);
  return S;
}

FuncState &Interpreter::Impl::state(Function &F) {
  std::unique_ptr<FuncState> &S = Funcs[&F];
  if (!S) {
    S = std::make_unique<FuncState>();
    S->F = &F;
    S->Id = Env.idOf ? Env.idOf(F) : -1;
    S->Owner = this;
  }
  return *S;
}

void *Interpreter::Impl::blockToken(const BasicBlock *BB) {
  auto It = BlockTokens.find(BB);
  if (It != BlockTokens.end())
    return It->second;
  const Function &F = *BB->getParent();
  std::vector<uint8_t> &Mem = TokenMem.emplace_back(F.size());
  unsigned N = 0;
  for (const BasicBlock &B : F)
    BlockTokens[&B] = &Mem[N++];
  return BlockTokens[BB];
}

Expected<ffi_type *> Interpreter::Impl::ffiType(Type *T, bool Signed) {
  if (T->isVoidTy())
    return &ffi_type_void;
  if (T->isPointerTy())
    return &ffi_type_pointer;
  if (T->isFloatTy())
    return &ffi_type_float;
  if (T->isDoubleTy())
    return &ffi_type_double;
  if (T->isX86_FP80Ty())
    return &ffi_type_longdouble;
  if (T->isIntegerTy()) {
    unsigned B = T->getIntegerBitWidth();
    if (B <= 8)
      return Signed ? &ffi_type_sint8 : &ffi_type_uint8;
    if (B <= 16)
      return Signed ? &ffi_type_sint16 : &ffi_type_uint16;
    if (B <= 32)
      return Signed ? &ffi_type_sint32 : &ffi_type_uint32;
    if (B <= 64)
      return Signed ? &ffi_type_sint64 : &ffi_type_uint64;
  }
  // Aggregates (and i128 as two eightbytes) become libffi structs.
  std::vector<ffi_type *> Elems;
  if (auto *ST = dyn_cast<StructType>(T)) {
    for (Type *E : ST->elements()) {
      Expected<ffi_type *> X = ffiType(E, false);
      if (!X)
        return X.takeError();
      Elems.push_back(*X);
    }
  } else if (auto *AT = dyn_cast<ArrayType>(T)) {
    Expected<ffi_type *> X = ffiType(AT->getElementType(), false);
    if (!X)
      return X.takeError();
    Elems.assign(AT->getNumElements(), *X);
  } else if (T->isIntegerTy(128)) {
    Elems.assign(2, &ffi_type_uint64);
  } else {
    return fail("native call with argument or result of type " + typeString(T));
  }
  if (Elems.empty())
    Elems.push_back(&ffi_type_uint8);
  Elems.push_back(nullptr);
  std::vector<ffi_type *> &Stored = StructElems.emplace_back(std::move(Elems));
  ffi_type &FT = StructTypes.emplace_back();
  FT.size = 0;
  FT.alignment = 0;
  FT.type = FFI_TYPE_STRUCT;
  FT.elements = Stored.data();
  return &FT;
}

// A value the SysV ABI passes in one register (or stack slot) by itself.
static bool plainScalar(Type *T) {
  return T->isPointerTy() || T->isFloatTy() || T->isDoubleTy() ||
         (T->isIntegerTy() && T->getIntegerBitWidth() <= 64);
}

// Parameters that are all plain scalars, none byval, sret or inreg.
static bool scalarParams(const FunctionType *FT, const AttributeList &AL) {
  for (unsigned N = 0; N < FT->getNumParams(); ++N)
    if (!plainScalar(FT->getParamType(N)) ||
        AL.hasParamAttr(N, Attribute::ByVal) ||
        AL.hasParamAttr(N, Attribute::StructRet) ||
        AL.hasParamAttr(N, Attribute::InReg))
      return false;
  return true;
}

// The register class of one value of type T (RegSig), or an Error.
static Expected<RegSig::Class> regClass(Type *T, const DataLayout &DL,
                                        bool Sext) {
  if (T->isPointerTy() || (T->isIntegerTy() && T->getIntegerBitWidth() <= 64))
    return Sext ? RegSig::GpSext : RegSig::Gp;
  if (T->isFloatTy() || T->isDoubleTy())
    return RegSig::Sse;
  // LLVM widens vectors of up to 16 bytes to one XMM register; larger ones
  // are split (or use YMM registers with AVX), one-element ones scalarized.
  auto *VT = dyn_cast<FixedVectorType>(T);
  if (VT && VT->getNumElements() > 1 && DL.getTypeStoreSize(VT) <= 16 &&
      !VT->getElementType()->isIntegerTy(1))
    return RegSig::Vec;
  return fail("call with argument or result of type " + typeString(T));
}

Expected<bool> Interpreter::Impl::regSig(FunctionType *FT,
                                         const AttributeList &AL, RegSig &S,
                                         bool Scalars) {
  auto IsVector = [](Type *T) { return T->isVectorTy(); };
  Type *R = FT->getReturnType();
  bool Vectors = IsVector(R) || any_of(FT->params(), IsVector);
  bool OnlyScalars = !FT->isVarArg() && (R->isVoidTy() || plainScalar(R)) &&
                     scalarParams(FT, AL);
  if (!Vectors && !(Scalars && OnlyScalars))
    return false;
  if (FT->isVarArg())
    return fail("variadic call with vector arguments");
  for (unsigned N = 0; N < FT->getNumParams(); ++N) {
    Type *T = FT->getParamType(N);
    if (AL.hasParamAttr(N, Attribute::ByVal) ||
        AL.hasParamAttr(N, Attribute::StructRet) ||
        AL.hasParamAttr(N, Attribute::InReg))
      return fail("byval, sret or inreg argument beside vectors");
    Expected<RegSig::Class> C =
        regClass(T, DL, AL.hasParamAttr(N, Attribute::SExt));
    if (!C)
      return C.takeError();
    S.Args.push_back(*C);
    S.Bytes.push_back(DL.getTypeStoreSize(T));
  }
  Type *RT = FT->getReturnType();
  if (RT->isVoidTy())
    return true;
  Expected<RegSig::Class> C = regClass(RT, DL, false);
  if (!C)
    return C.takeError();
  S.Ret = *C;
  S.RetBytes = DL.getTypeStoreSize(RT);
  if (RT->isIntegerTy() && RT->getIntegerBitWidth() < 64)
    S.RetBits = RT->getIntegerBitWidth();
  return true;
}

extern "C" void gts_interp_va_thunk();

// Variadic functions need the caller's register save area, which libffi
// closures do not expose: "movabs $FS, %r11; movabs $thunk, %r10; jmp *%r10".
static bool writeVaStub(void *Mem, FuncState *FS) {
  static_assert(sizeof(ffi_closure) >= Interpreter::EntryStubBytes,
                "stub does not fit");
  uint8_t *P = static_cast<uint8_t *>(Mem);
  void *Thunk = reinterpret_cast<void *>(gts_interp_va_thunk);
  P[0] = 0x49, P[1] = 0xBB;
  memcpy(P + 2, &FS, 8);
  P[10] = 0x49, P[11] = 0xBA;
  memcpy(P + 12, &Thunk, 8);
  P[20] = 0x41, P[21] = 0xFF, P[22] = 0xE2;
  return true;
}

// The libffi view of FS's signature: native calls to it and entries into it.
Error Interpreter::Impl::prepareSignature(FuncState &FS) {
  if (FS.SignatureReady)
    return Error::success();
  Function &F = *FS.F;
  Type *RT = F.getReturnType();
  bool RSext = F.getAttributes().hasRetAttr(Attribute::SExt);
  FS.RetSext = RSext;
  FS.RetIntBits = RT->isIntegerTy() && RT->getIntegerBitWidth() <= 64
                      ? RT->getIntegerBitWidth()
                      : 0;
  FS.RetStore = RT->isVoidTy() ? 0 : DL.getTypeStoreSize(RT);
  Expected<bool> Regs = regSig(F.getFunctionType(), F.getAttributes(), FS.Sig);
  if (!Regs)
    return Regs.takeError();
  if (*Regs) {
    FS.RegCall = FS.SignatureReady = true;
    return Error::success();
  }
  for (Argument &A : F.args()) {
    Type *BT = A.getParamByValType();
    Expected<ffi_type *> T =
        ffiType(BT ? BT : A.getType(), A.hasAttribute(Attribute::SExt));
    if (!T)
      return T.takeError();
    FS.FfiArgs.push_back(*T);
  }
  Expected<ffi_type *> R = ffiType(RT, RSext);
  if (!R)
    return R.takeError();
  FS.FfiRet = *R;
  if (ffi_prep_cif(&FS.Cif, FFI_DEFAULT_ABI, FS.FfiArgs.size(), FS.FfiRet,
                   FS.FfiArgs.data()) != FFI_OK)
    return fail("signature of @" + F.getName() + " for libffi");
  FS.SignatureReady = true;
  return Error::success();
}

void Interpreter::Impl::setEntry(FuncState &FS, void *Code) {
  FS.Closure = Code;
  ByAddr[Code] = &FS;
}

Expected<void *> Interpreter::Impl::closure(FuncState &FS) {
  if (FS.Closure)
    return FS.Closure;
  if (Error E = prepareSignature(FS))
    return std::move(E);
  Function &F = *FS.F;
  void *Code = nullptr;
  auto *Cl =
      static_cast<ffi_closure *>(ffi_closure_alloc(sizeof(ffi_closure), &Code));
  // Signatures with vectors read their registers like variadic ones.
  bool Ok = Cl && (F.isVarArg() || FS.RegCall
                       ? writeVaStub(Cl, &FS)
                       : ffi_prep_closure_loc(Cl, &FS.Cif, closureEntry, &FS,
                                              Code) == FFI_OK);
  if (!Ok)
    return fail("cannot allocate a closure for @" + F.getName());
  FS.ClosureMem = Cl;
  setEntry(FS, Code);
  return Code;
}

void Interpreter::Impl::mapEntries() {
  EntriesMapped = true;
  for (Function &F : M) {
    if (F.isDeclaration() || Env.idOf(F) < 0)
      continue;
    if (Expected<void *> A = Env.addressOf(F))
      ByAddr.try_emplace(*A, &state(F));
    else
      consumeError(A.takeError());
  }
}

Error Interpreter::Impl::writeConst(const Constant *C, uint8_t *Dst) {
  auto Block = [this](const BasicBlock &BB) { return blockToken(&BB); };
  return writeConstantBytes(*C, Dst, DL, {Env.addressOf, Block});
}

Interpreter::Interpreter(std::unique_ptr<Impl> I) : P(std::move(I)) {}
Interpreter::~Interpreter() {
  for (auto &[F, S] : P->Funcs)
    if (S->ClosureMem)
      ffi_closure_free(S->ClosureMem);
}

Expected<std::unique_ptr<Interpreter>> Interpreter::create(Module &M,
                                                           InterpEnv Env) {
  if (!Env.addressOf || !Env.idOf || !Env.slots)
    return createStringError(inconvertibleErrorCode(),
                             "InterpEnv needs addressOf, idOf and slots");
  handlerTable();
  return std::unique_ptr<Interpreter>(
      new Interpreter(std::make_unique<Impl>(M, std::move(Env))));
}

Expected<void *> Interpreter::closureFor(Function &F) {
  return P->closure(P->state(F));
}

static void entryFromNative(void *Ret, void **Args, void *Data) {
  closureEntry(nullptr, Ret, Args, Data);
}

// A result the register-save entry returns: nothing, a plain scalar, or a
// struct of them that LLVM returns element by element in at most rax, rdx,
// xmm0 and xmm1 (writeResult in Exec.cpp), such as clang's {ptr, i64} for
// a C struct of a pointer and a size.
static bool registerResult(Type *T) {
  if (T->isVoidTy() || plainScalar(T))
    return true;
  auto *ST = dyn_cast<StructType>(T);
  if (!ST)
    return false;
  unsigned Gp = 0, Xmm = 0;
  for (Type *E : ST->elements()) {
    if (!plainScalar(E))
      return false;
    ++(E->isFloatTy() || E->isDoubleTy() ? Xmm : Gp);
  }
  return Gp <= 2 && Xmm <= 2;
}

bool Interpreter::hasEntryStub(const Function &F) {
  return F.isVarArg() || (registerResult(F.getReturnType()) &&
                          scalarParams(F.getFunctionType(), F.getAttributes()));
}

Error Interpreter::writeEntryStub(Function &F, void *Mem) {
  FuncState &FS = P->state(F);
  if (Error E = P->prepareSignature(FS))
    return E;
  writeVaStub(Mem, &FS);
  return Error::success();
}

Interpreter::EntryHandler Interpreter::entryHandler() {
  return entryFromNative;
}

Expected<void *> Interpreter::entryData(Function &F) {
  FuncState &FS = P->state(F);
  if (Error E = P->prepareSignature(FS))
    return std::move(E);
  return &FS;
}

void *Interpreter::dormantEntryData(Function &F) { return &P->state(F); }

void Interpreter::adoptEntry(Function &F, void *Code) {
  P->setEntry(P->state(F), Code);
}

Error Interpreter::canRun(Function &F) {
  if (Error E = P->translate(P->state(F)))
    return E;
  return canEnter(F);
}

Error Interpreter::canEnter(Function &F) {
  return P->prepareSignature(P->state(F));
}

void Interpreter::setCallThreshold(Function &F, uint64_t N) {
  P->state(F).CallThreshold = N;
}

void Interpreter::setLoopThreshold(Function &F, uint64_t N) {
  FuncState &FS = P->state(F);
  FS.LoopThreshold = N;
  FS.LoopThresholdInCall = N ? std::max<uint64_t>(N / 10, 1) : 0; // 0: off
}

std::optional<FunctionProfile> Interpreter::profile(const Function &F) const {
  auto It = P->Funcs.find(&F);
  if (It == P->Funcs.end() || !It->second->Translated)
    return std::nullopt;
  const FuncState &S = *It->second;
  FunctionProfile Out;
  Out.Name = F.getName().str();
  Out.Counters = S.Prof;
  // Cycles estimate every call (samples are weighted), unless no call
  // finished: one still running (a loop that moved to compiled code).
  Out.Counters.TimedCalls = S.Prof.MinCycles == UINT64_MAX ? 0 : S.Prof.Calls;
  Out.BlockCounts.assign(S.Counters.begin(), S.Counters.end() - 1);
  for (auto [From, To] : S.Fallthrough) // in layout order
    Out.BlockCounts[To] += Out.BlockCounts[From];
  Out.BackEdges = S.BackEdges;
  return Out;
}

uint64_t Interpreter::calls(const Function &F) const {
  auto It = P->Funcs.find(&F);
  if (It == P->Funcs.end() || !It->second->Translated)
    return 0;
  return It->second->Prof.Calls;
}

uint64_t Interpreter::nativeCalls(const Function &F) const {
  auto It = P->Funcs.find(&F);
  return It == P->Funcs.end() ? 0 : It->second->NativeCalls;
}

Error Interpreter::writeConstant(const Constant &C, void *Dst) {
  return P->writeConst(&C, static_cast<uint8_t *>(Dst));
}

} // namespace gts
