#include "DataImage.h"
#include "TierUnit.h"

#include "../interp/ConstantBytes.h"

#include "llvm/IR/DerivedTypes.h"

using namespace llvm;

namespace gts {
namespace {

constexpr uint64_t PageSize = 4096;

Error notWritten(const GlobalValue &G, const Twine &Why) {
  return createStringError(inconvertibleErrorCode(),
                           "@" + G.getName() + ": " + Why);
}

// Vectors of i1 are bit-packed in memory; ConstantBytes writes a byte each.
bool holdsBoolVector(Type *T) {
  if (auto *VT = dyn_cast<VectorType>(T))
    return VT->getElementType()->isIntegerTy(1);
  if (auto *AT = dyn_cast<ArrayType>(T))
    return holdsBoolVector(AT->getElementType());
  if (auto *ST = dyn_cast<StructType>(T))
    return any_of(ST->elements(), holdsBoolVector);
  return false;
}

Error checkWritable(const GlobalVariable &G, const DataLayout &DL) {
  if (G.isThreadLocal())
    return notWritten(G, "thread-local");
  if (DL.getPreferredAlign(&G).value() > PageSize)
    return notWritten(G, "aligned above a page");
  if (holdsBoolVector(G.getValueType()))
    return notWritten(G, "vector of i1");
  return Error::success();
}

// Variables laid out one after another, each at its alignment, in memory of
// their own: writable ones, or constants (made read-only once written).
struct Section {
  std::vector<const GlobalVariable *> Vars;
  std::vector<uint64_t> Offsets;
  uint64_t Size = 0;

  void add(const GlobalVariable &G, const DataLayout &DL) {
    Size = alignTo(Size, DL.getPreferredAlign(&G));
    Vars.push_back(&G);
    Offsets.push_back(Size);
    // Distinct addresses for empty variables too, as the code generator's.
    Size += std::max<uint64_t>(DL.getTypeAllocSize(G.getValueType()), 1);
  }
};

} // namespace

Expected<DataImage> DataImage::write(const Module &M, ResolveFn Resolve) {
  if (!M.alias_empty() || !M.ifunc_empty())
    return createStringError(inconvertibleErrorCode(),
                             "the app defines aliases or ifuncs");
  const DataLayout &DL = M.getDataLayout();
  Section Writable, Constants;
  for (const GlobalVariable &G : M.globals()) {
    if (G.isDeclaration() || isBlockAddressTable(G))
      continue;
    if (Error E = checkWritable(G, DL))
      return std::move(E);
    (G.isConstant() ? Constants : Writable).add(G, DL);
  }

  // Every address first: initializers refer to each other.
  DataImage Image;
  for (const Section *S : {&Writable, &Constants}) {
    std::error_code EC;
    sys::MemoryBlock Block = sys::Memory::allocateMappedMemory(
        std::max<uint64_t>(S->Size, 1), nullptr,
        sys::Memory::MF_READ | sys::Memory::MF_WRITE, EC);
    if (EC)
      return errorCodeToError(EC);
    Image.Blocks.emplace_back(Block);
    auto *Base = static_cast<uint8_t *>(Block.base());
    for (size_t I = 0; I < S->Vars.size(); ++I)
      Image.Symbols[S->Vars[I]->getName()] = Base + S->Offsets[I];
  }

  // Names are unique in a module: a placed name is that variable.
  auto Global = [&](const GlobalValue &GV) -> Expected<void *> {
    if (void *At = Image.Symbols.lookup(GV.getName()))
      return At;
    return Resolve(GV);
  };
  // Fresh mappings read as zero: zero initializers need no writing.
  for (const Section *S : {&Writable, &Constants})
    for (const GlobalVariable *G : S->Vars)
      if (!G->getInitializer()->isNullValue())
        if (Error E = writeConstantBytes(
                *G->getInitializer(),
                static_cast<uint8_t *>(Image.Symbols.lookup(G->getName())), DL,
                {Global}))
          return notWritten(*G, toString(std::move(E)));

  if (std::error_code EC = sys::Memory::protectMappedMemory(
          Image.Blocks.back().getMemoryBlock(), sys::Memory::MF_READ))
    return errorCodeToError(EC);
  return std::move(Image);
}

} // namespace gts
