#include "Jit.h"

#include "llvm/ExecutionEngine/JITLink/JITLinkMemoryManager.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;
using namespace llvm::orc;

namespace gts {

namespace {

// The engine adds object code only (its Compiler makes it): LLJIT's own IR
// compiler would create a target machine at start for nothing.
class NoIRCompiler : public IRCompileLayer::IRCompiler {
public:
  NoIRCompiler() : IRCompiler(IRSymbolMapper::ManglingOptions()) {}
  Expected<std::unique_ptr<MemoryBuffer>> operator()(Module &M) override {
    return createStringError(inconvertibleErrorCode(),
                             "gts links object code only, not IR (" +
                                 M.getModuleIdentifier() + ")");
  }
};

} // namespace

Expected<std::unique_ptr<Jit>> Jit::create(const DataLayout &DL) {
  auto Self = std::make_unique<Jit>();
  // No process-symbol lookup (a static binary cannot dlsym itself), no
  // platform runtime, no eh-frame registration: C apps need none of them.
  // The data layout is given, so that LLJIT does not make a target machine
  // to ask for it.
  auto J =
      LLJITBuilder()
          .setDataLayout(DL)
          .setCompileFunctionCreator(
              [](JITTargetMachineBuilder)
                  -> Expected<std::unique_ptr<IRCompileLayer::IRCompiler>> {
                return std::make_unique<NoIRCompiler>();
              })
          .setLinkProcessSymbolsByDefault(false)
          .setPlatformSetUp(setUpInactivePlatform)
          .setObjectLinkingLayerCreator(
              [](ExecutionSession &ES,
                 const Triple &) -> Expected<std::unique_ptr<ObjectLayer>> {
                return std::make_unique<ObjectLinkingLayer>(ES);
              })
          .create();
  if (!J)
    return J.takeError();
  Self->J = std::move(*J);
  auto StubsBuilder =
      createLocalIndirectStubsManagerBuilder(Triple(sys::getProcessTriple()));
  if (!StubsBuilder)
    return createStringError(inconvertibleErrorCode(),
                             "no indirect stubs for this target");
  Self->Stubs = StubsBuilder();
  return std::move(Self);
}

namespace {

// Defines the names of a table that a lookup asks for (ELF x86-64: linker
// names are the names themselves).
class TableGenerator final : public DefinitionGenerator {
public:
  explicit TableGenerator(StringMap<void *> Table) : Table(std::move(Table)) {}

  Error tryToGenerate(LookupState &, LookupKind, JITDylib &JD,
                      JITDylibLookupFlags,
                      const SymbolLookupSet &Names) override {
    SymbolMap Found;
    for (const auto &[Name, Flags] : Names)
      if (auto It = Table.find(*Name); It != Table.end())
        Found[Name] = {ExecutorAddr::fromPtr(It->second),
                       JITSymbolFlags::Exported};
    if (Found.empty())
      return Error::success();
    return JD.define(absoluteSymbols(std::move(Found)));
  }

private:
  StringMap<void *> Table;
};

} // namespace

Error Jit::defineAbsolute(const StringMap<void *> &Symbols) {
  SymbolMap Map;
  for (const auto &KV : Symbols)
    Map[J->mangleAndIntern(KV.first())] = {ExecutorAddr::fromPtr(KV.second),
                                           JITSymbolFlags::Exported};
  return J->getMainJITDylib().define(absoluteSymbols(std::move(Map)));
}

void Jit::defineOnLookup(StringMap<void *> Symbols) {
  J->getMainJITDylib().addGenerator(
      std::make_unique<TableGenerator>(std::move(Symbols)));
}

Error Jit::createEntries(const std::vector<std::string> &NewNames) {
  IndirectStubsManager::StubInitsMap Inits;
  for (const std::string &N : NewNames)
    Inits[N] = {ExecutorAddr(), JITSymbolFlags::Exported};
  if (Error E = Stubs->createStubs(Inits))
    return E;
  Names = NewNames;
  Targets = std::vector<std::atomic<void *>>(Names.size());
  StringMap<void *> Exports;
  for (const std::string &N : Names) {
    Entries.push_back(Stubs->findStub(N, false).getAddress().toPtr<void *>());
    Exports[N] = Entries.back();
  }
  return defineAbsolute(Exports);
}

void Jit::setTarget(int Id, void *Code) {
  // The stub first: a reader of Targets that sees new code may call it
  // directly, while native callers still use the stub.
  cantFail(Stubs->updatePointer(Names[Id], ExecutorAddr::fromPtr(Code)));
  Targets[Id].store(Code, std::memory_order_release);
}

Expected<std::vector<void *>>
Jit::writeCode(size_t Count, size_t Bytes,
               function_ref<Error(size_t, void *)> Write) {
  std::vector<void *> Pieces;
  if (Count == 0)
    return Pieces;
  std::error_code EC;
  sys::MemoryBlock Block = sys::Memory::allocateMappedMemory(
      Count * Bytes, nullptr, sys::Memory::MF_READ | sys::Memory::MF_WRITE, EC);
  if (EC)
    return errorCodeToError(EC);
  sys::OwningMemoryBlock Owned(Block);
  auto *Base = static_cast<char *>(Block.base());
  for (size_t I = 0; I < Count; ++I) {
    Pieces.push_back(Base + I * Bytes);
    if (Error E = Write(I, Pieces.back()))
      return std::move(E);
  }
  if (std::error_code PEC = sys::Memory::protectMappedMemory(
          Block, sys::Memory::MF_READ | sys::Memory::MF_EXEC))
    return errorCodeToError(PEC);
  sys::Memory::InvalidateInstructionCache(Base, Count * Bytes);
  Code.push_back(std::move(Owned));
  return Pieces;
}

Error Jit::addObject(std::unique_ptr<MemoryBuffer> Obj) {
  return J->addObjectFile(std::move(Obj));
}

Expected<void *> Jit::lookup(StringRef Name) {
  auto Addr = J->lookup(Name);
  if (!Addr)
    return Addr.takeError();
  return Addr->toPtr<void *>();
}

} // namespace gts
