// The ORC side of the engine: one JITDylib that links object code from every
// tier, the host symbol table, and a stable entry per app function.
#pragma once

#include "llvm/ADT/StringMap.h"
#include "llvm/ExecutionEngine/Orc/IndirectionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/Memory.h"
#include "llvm/Support/MemoryBuffer.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace gts {

class Jit {
public:
  // DL: the app's data layout (the host's, checked when it is loaded).
  static llvm::Expected<std::unique_ptr<Jit>>
  create(const llvm::DataLayout &DL);

  // Makes Symbols (name -> address) visible to linked code.
  llvm::Error defineAbsolute(const llvm::StringMap<void *> &Symbols);
  // The same, each defined when linked code first looks it up: of the C
  // library's 900 names an app uses a few dozen, and defining them all cost
  // about 0.5 ms per start.
  void defineOnLookup(llvm::StringMap<void *> Symbols);

  // Creates one entry per name: a stub `jmp *slot` whose address never
  // changes, exported under that name. Ids are positions in Names.
  llvm::Error createEntries(const std::vector<std::string> &Names);
  void *entry(int Id) const { return Entries[Id]; }
  void *target(int Id) const {
    return Targets[Id].load(std::memory_order_acquire);
  }
  // Current target of every entry, by id (read by the interpreter on calls,
  // with acquire loads: the code behind a new target is ready when seen).
  const std::atomic<void *> *targets() const { return Targets.data(); }
  // Retargets entry Id (atomic: the app may be calling it right now).
  void setTarget(int Id, void *Code);

  // Count pieces of code of Bytes each, filled in by Write(I, Mem) while
  // writable, then made read+execute (never both: our kernel's W^X). They
  // live as long as the Jit.
  llvm::Expected<std::vector<void *>>
  writeCode(size_t Count, size_t Bytes,
            llvm::function_ref<llvm::Error(size_t, void *)> Write);

  // Links relocatable object code into the process.
  llvm::Error addObject(std::unique_ptr<llvm::MemoryBuffer> Obj);
  llvm::Expected<void *> lookup(llvm::StringRef Name);

private:
  std::unique_ptr<llvm::orc::LLJIT> J;
  std::unique_ptr<llvm::orc::IndirectStubsManager> Stubs;
  std::vector<std::string> Names;
  std::vector<void *> Entries;
  std::vector<std::atomic<void *>> Targets;
  std::vector<llvm::sys::OwningMemoryBlock> Code;
};

} // namespace gts
