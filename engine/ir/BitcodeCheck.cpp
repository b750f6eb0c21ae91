#include "BitcodeCheck.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/LLVMBitCodes.h"
#include "llvm/Bitstream/BitstreamReader.h"

using namespace llvm;

namespace gts {

namespace {

// More parameters than any real function has.
constexpr uint64_t MaxAttributeIndex = 1 << 16;
constexpr uint64_t FunctionIndex = ~0U;

// True if the next Width bits are Want.
bool expect(BitstreamCursor &S, unsigned Width, unsigned Want) {
  Expected<SimpleBitstreamCursor::word_t> W = S.Read(Width);
  if (!W) {
    consumeError(W.takeError());
    return false;
  }
  return *W == Want;
}

bool readMagic(BitstreamCursor &S) {
  return expect(S, 8, 'B') && expect(S, 8, 'C') && expect(S, 4, 0x0) &&
         expect(S, 4, 0xC) && expect(S, 4, 0xE) && expect(S, 4, 0xD);
}

Expected<std::string> checkGroups(BitstreamCursor &S) {
  SmallVector<uint64_t, 64> Record;
  while (true) {
    Expected<BitstreamEntry> E = S.advanceSkippingSubblocks();
    if (!E)
      return E.takeError();
    if (E->Kind != BitstreamEntry::Record)
      return "";
    Record.clear();
    Expected<unsigned> Code = S.readRecord(E->ID, Record);
    if (!Code)
      return Code.takeError();
    if (*Code != bitc::PARAMATTR_GRP_CODE_ENTRY || Record.size() < 2)
      continue;
    uint64_t Index = Record[1];
    if (Index != FunctionIndex && Index > MaxAttributeIndex)
      return "attribute group " + std::to_string(Record[0]) +
             " is for parameter " + std::to_string(Index);
  }
}

// Walks the blocks at this level, entering the module, down to its
// attribute groups.
Expected<std::string> walk(BitstreamCursor &S, BitstreamBlockInfo &Info,
                           bool TopLevel) {
  while (!TopLevel || !S.AtEndOfStream()) {
    Expected<BitstreamEntry> E = S.advance();
    if (!E)
      return E.takeError();
    if (E->Kind == BitstreamEntry::EndBlock || E->Kind == BitstreamEntry::Error)
      return "";
    if (E->Kind == BitstreamEntry::Record) {
      if (Expected<unsigned> C = S.skipRecord(E->ID); !C)
        return C.takeError();
      continue;
    }
    if (E->ID == bitc::BLOCKINFO_BLOCK_ID) {
      Expected<std::optional<BitstreamBlockInfo>> BI = S.ReadBlockInfoBlock();
      if (!BI)
        return BI.takeError();
      if (!*BI)
        return "";
      Info = std::move(**BI);
      S.setBlockInfo(&Info);
      continue;
    }
    bool Module = TopLevel && E->ID == bitc::MODULE_BLOCK_ID;
    if (!Module && E->ID != bitc::PARAMATTR_GROUP_BLOCK_ID) {
      if (Error Err = S.SkipBlock())
        return std::move(Err);
      continue;
    }
    if (Error Err = S.EnterSubBlock(E->ID))
      return std::move(Err);
    Expected<std::string> Found =
        Module ? walk(S, Info, false) : checkGroups(S);
    if (!Found || !Found->empty())
      return Found;
    if (Module)
      return ""; // one module is all gts reads
  }
  return "";
}

} // namespace

std::string checkAttributeGroups(MemoryBufferRef Buffer) {
  const auto *Start =
      reinterpret_cast<const unsigned char *>(Buffer.getBufferStart());
  const auto *End = Start + Buffer.getBufferSize();
  if (!isBitcode(Start, End))
    return "";
  if (isBitcodeWrapper(Start, End) &&
      SkipBitcodeWrapperHeader(Start, End, true))
    return "";
  BitstreamCursor S(ArrayRef<uint8_t>(Start, End));
  BitstreamBlockInfo Info;
  if (!readMagic(S))
    return "";
  Expected<std::string> Found = walk(S, Info, true);
  if (!Found) {
    consumeError(Found.takeError());
    return "";
  }
  return *Found;
}

} // namespace gts
