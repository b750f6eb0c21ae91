//===- ConstantBytes.cpp - the in-memory bytes of an IR constant ----------===//
#include "ConstantBytes.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Operator.h"

#include <algorithm>
#include <cstring>

using namespace llvm;

namespace gts {
namespace {

Error unsupported(const Twine &What) {
  return createStringError(inconvertibleErrorCode(), "unsupported: " + What);
}

void writeInt(const APInt &V, uint8_t *Dst, unsigned Bytes) {
  unsigned W = V.getBitWidth();
  for (unsigned K = 0; K < Bytes; ++K)
    Dst[K] = 8 * K >= W
                 ? 0
                 : V.extractBitsAsZExtValue(std::min(8u, W - 8 * K), 8 * K);
}

class Writer {
public:
  Writer(const DataLayout &DL, const ConstantAddresses &A) : DL(DL), A(A) {}

  Error write(const Constant *C, uint8_t *Dst) {
    Type *T = C->getType();
    if (isa<ConstantPointerNull>(C) || isa<ConstantAggregateZero>(C) ||
        isa<UndefValue>(C) || isa<ConstantTokenNone>(C))
      return zero(T, Dst);
    if (auto *CI = dyn_cast<ConstantInt>(C)) {
      writeInt(CI->getValue(), Dst, DL.getTypeStoreSize(T));
      return Error::success();
    }
    if (auto *CF = dyn_cast<ConstantFP>(C)) {
      APInt V = CF->getValueAPF().bitcastToAPInt();
      writeInt(V, Dst, (V.getBitWidth() + 7) / 8);
      return Error::success();
    }
    if (auto *GV = dyn_cast<GlobalValue>(C))
      return address(A.Global(*GV), Dst);
    if (auto *BA = dyn_cast<BlockAddress>(C)) {
      if (!A.Block)
        return unsupported("blockaddress outside a label table");
      return address(A.Block(*BA->getBasicBlock()), Dst);
    }
    if (auto *E = dyn_cast<DSOLocalEquivalent>(C))
      return write(E->getGlobalValue(), Dst);
    if (auto *E = dyn_cast<NoCFIValue>(C))
      return write(E->getGlobalValue(), Dst);
    if (isa<ConstantAggregate>(C) || isa<ConstantDataSequential>(C))
      return aggregate(C, Dst);
    if (auto *CE = dyn_cast<ConstantExpr>(C))
      return expression(CE, Dst);
    return unsupported("constant of kind " + Twine(C->getValueID()));
  }

private:
  const DataLayout &DL;
  const ConstantAddresses &A;

  Error zero(Type *T, uint8_t *Dst) {
    auto *VT = dyn_cast<FixedVectorType>(T);
    memset(Dst, 0,
           VT && VT->getElementType()->isIntegerTy(1) ? VT->getNumElements()
                                                      : DL.getTypeStoreSize(T));
    return Error::success();
  }

  static Error address(Expected<void *> Addr, uint8_t *Dst) {
    if (!Addr)
      return Addr.takeError();
    memcpy(Dst, &*Addr, 8);
    return Error::success();
  }

  Error aggregate(const Constant *C, uint8_t *Dst) {
    Type *T = C->getType();
    const StructLayout *SL =
        isa<StructType>(T) ? DL.getStructLayout(cast<StructType>(T)) : nullptr;
    Type *ET = SL                  ? nullptr
               : isa<ArrayType>(T) ? T->getArrayElementType()
                                   : cast<VectorType>(T)->getElementType();
    uint64_t Stride =
        ET ? (ET->isIntegerTy(1) ? 1 : DL.getTypeAllocSize(ET)) : 0;
    unsigned N = SL ? T->getStructNumElements()
                 : isa<ArrayType>(T)
                     ? T->getArrayNumElements()
                     : cast<FixedVectorType>(T)->getNumElements();
    for (unsigned K = 0; K < N; ++K) {
      uint64_t Off = SL ? SL->getElementOffset(K) : K * Stride;
      if (Error E = write(C->getAggregateElement(K), Dst + Off))
        return E;
    }
    return Error::success();
  }

  Error expression(const ConstantExpr *CE, uint8_t *Dst) {
    uint8_t L[16] = {0}, R[16] = {0};
    if (Error E = write(CE->getOperand(0), L))
      return E;
    uint64_t X, Y = 0;
    memcpy(&X, L, 8);
    unsigned Bytes = DL.getTypeStoreSize(CE->getType());
    switch (CE->getOpcode()) {
    case Instruction::GetElementPtr: {
      APInt Off(64, 0);
      if (!cast<GEPOperator>(CE)->accumulateConstantOffset(DL, Off))
        break;
      X += Off.getZExtValue();
      memcpy(Dst, &X, 8);
      return Error::success();
    }
    case Instruction::PtrToInt:
    case Instruction::IntToPtr:
    case Instruction::BitCast:
    case Instruction::AddrSpaceCast:
    case Instruction::Trunc:
      memcpy(Dst, L, std::min(Bytes, 16u));
      return Error::success();
    case Instruction::Add:
    case Instruction::Sub:
    case Instruction::Mul:
    case Instruction::Xor: {
      if (Error E = write(CE->getOperand(1), R))
        return E;
      memcpy(&Y, R, 8);
      unsigned Op = CE->getOpcode();
      uint64_t V = Op == Instruction::Add   ? X + Y
                   : Op == Instruction::Sub ? X - Y
                   : Op == Instruction::Mul ? X * Y
                                            : X ^ Y;
      memcpy(Dst, &V, std::min(Bytes, 8u));
      return Error::success();
    }
    default:
      break;
    }
    return unsupported(Twine("constant expression ") + CE->getOpcodeName());
  }
};

} // namespace

Error writeConstantBytes(const Constant &C, uint8_t *Dst, const DataLayout &DL,
                         const ConstantAddresses &Addresses) {
  return Writer(DL, Addresses).write(&C, Dst);
}

} // namespace gts
