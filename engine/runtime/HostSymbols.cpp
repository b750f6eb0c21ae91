#include "HostSymbols.h"
#include "HostSymbolsTable.h"

namespace gts {

const llvm::StringMap<void *> &hostSymbols() {
  static const llvm::StringMap<void *> Table = [] {
    llvm::StringMap<void *> T;
    for (unsigned I = 0; I < gtsHostSymbolCount; ++I)
      T[gtsHostSymbolTable[I].name] = gtsHostSymbolTable[I].address;
    return T;
  }();
  return Table;
}

} // namespace gts
