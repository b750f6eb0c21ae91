// libFuzzer target: the snapshot reader on arbitrary bytes. Each input is
// read as it is (header and checksum checks) and once more with its size and
// checksum fields made to fit, so that mutations reach the record parser.
// Anything the reader accepts must also print (table and JSON).
#include "snapshot/Snapshot.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

void readAndPrint(llvm::StringRef Bytes) {
  auto S = gts::readSnapshot(llvm::MemoryBufferRef(Bytes, "fuzz"));
  if (!S) {
    llvm::consumeError(S.takeError());
    return;
  }
  gts::printSnapshot(*S, llvm::nulls());
  gts::printSnapshotJson(*S, llvm::nulls());
  (void)gts::configMismatch(S->Config, gts::SnapshotConfig());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Bytes(reinterpret_cast<const char *>(Data), Size);
  readAndPrint(Bytes);
  constexpr size_t Header = 24; // magic, version, size, checksum
  if (Size < Header)
    return 0;
  using namespace llvm::support;
  endian::write64le(&Bytes[8], Size);
  endian::write64le(&Bytes[16],
                    llvm::xxh3_64bits(llvm::arrayRefFromStringRef(
                        llvm::StringRef(Bytes).drop_front(Header))));
  readAndPrint(Bytes);
  return 0;
}
