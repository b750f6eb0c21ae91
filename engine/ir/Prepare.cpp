#include "Prepare.h"
#include "BitcodeCheck.h"
#include "Outline.h"

#include "../runtime/HostSymbols.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Verifier.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <iterator>
#include <new>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <cxxabi.h>
#include <exception>
#include <fstream>
#include <typeinfo>

#include <sys/resource.h>
#include <unistd.h>

using namespace llvm;

namespace gts {

char LoadError::ID = 0;

namespace {

// Names, triples and layouts come from the untrusted file: shown escaped
// (control bytes as \XX) and cut at Max bytes, so that an error stays one
// readable line.
std::string shown(StringRef S, size_t Max = 80) {
  std::string Out;
  raw_string_ostream OS(Out);
  printEscapedString(S.take_front(Max), OS);
  if (S.size() > Max)
    OS << "...";
  return Out;
}

// The last guard of "one line naming the problem": LLVM's own messages may
// quote the input too.
Error loadError(LoadErrorKind Kind, const Twine &Msg) {
  std::string Line = Msg.str();
  for (char &C : Line)
    if (static_cast<unsigned char>(C) < 0x20 || C == 0x7f)
      C = '?'; // control bytes; UTF-8 in file names stays
  return make_error<LoadError>(Kind, std::move(Line));
}

// LLVM's IR readers are not hardened: some malformed files make them read
// out of bounds and fault (in LLVM 19, a getelementptr whose struct index is
// past the struct's fields: about 7 in 300 random 1-4 byte changes of
// tinyllama.bc), others ask for gigabytes and end in LLVM's "out of memory"
// abort (the worst, attribute-group indices, are refused before reading:
// BitcodeCheck.h) or call report_fatal_error. Reading and verifying run under a
// CrashRecoveryContext, with LLVM's fatal-error and bad-alloc handlers
// leaving it too, so that all of these become a load error. Recovery
// longjmps out: whatever the reader had built is left as it is and must
// never be freed, which suits a process that then reports the error and
// exits. Our kernel delivers no signals: there a fault ends gts with the
// kernel's fault report and status 126 (docs/RELIABILITY.md); fatal errors
// and failed allocations are contained there too.
char StopReason[256]; // why LLVM gave up; empty after a fault

void leaveContained(void *, const char *Reason, bool) {
  // No allocation here: this may run because memory ran out.
  strncpy(StopReason, Reason, sizeof StopReason - 1);
  StopReason[strcspn(StopReason, "\n")] = '\0'; // one line
  if (CrashRecoveryContext *CRC = CrashRecoveryContext::GetCurrent())
    CRC->HandleExit(1);
  abort(); // not reached: only installed while a context runs
}

// Some malformed files make LLVM's reader loop while it allocates (LLVM 19:
// a global initializer whose constant refers to itself grows the reader's
// worklist without end, gigabytes in seconds). While it reads, the process
// may grow by a budget proportional to the file; past it an allocation
// fails and the reader stops, contained like any fault. The budget counts
// from the current size, so the sanitizers' reserved shadow memory is
// inside it; our kernel accepts and ignores the limit (memory running out
// is contained there).
class ReaderMemoryBudget {
public:
  explicit ReaderMemoryBudget(size_t FileBytes) {
    std::ifstream Statm("/proc/self/statm");
    uint64_t Pages = 0;
    if (!(Statm >> Pages) || getrlimit(RLIMIT_AS, &Saved) != 0 ||
        Saved.rlim_cur != RLIM_INFINITY)
      return;
    rlimit Budget = Saved;
    Budget.rlim_cur =
        Pages * sysconf(_SC_PAGESIZE) + (1ull << 30) + 256ull * FileBytes;
    Active = setrlimit(RLIMIT_AS, &Budget) == 0;
  }
  ~ReaderMemoryBudget() {
    if (Active)
      setrlimit(RLIMIT_AS, &Saved);
  }

private:
  rlimit Saved{};
  bool Active = false;
};

// A failed operator new (std::vector inside the reader, past the memory
// budget below) would throw std::bad_alloc through LLVM, which is built
// without exceptions: std::terminate. Leave the context instead, whether or
// not the driver installed LLVM's own new handler (InitLLVM does).
void newFailed() { leaveContained(nullptr, "out of memory", false); }

// Other C++ library exceptions still reach std::terminate: LLVM 19's inline
// asm constraint parser builds a std::string of a negative length from
// "=r,r@" (std::length_error; llvm-as-19 aborts on it too). Leave the context
// from the terminate handler, naming the exception without allocating
// ("St12length_error" gives "length_error"). The exception object is
// leaked, like everything the reader built.
[[noreturn]] void readerThrew() {
  static char Reason[96];
  const std::type_info *Type = abi::__cxa_current_exception_type();
  const char *Name = Type ? Type->name() : "unknown";
  if (Name[0] == 'S' && Name[1] == 't')
    Name += 2;
  while (isdigit(static_cast<unsigned char>(*Name)))
    ++Name;
  snprintf(Reason, sizeof Reason, "C++ exception %s", Name);
  leaveContained(nullptr, Reason, false);
  abort(); // not reached
}

// Runs Fn within the memory budget of a file of FileBytes; returns an
// empty string, or why it did not return. The budget ends with Fn: what Fn
// left allocated when it was stopped may fill it, and the error reported
// next must still be able to allocate.
std::string runContained(function_ref<void()> Fn, size_t FileBytes) {
  CrashRecoveryContext::Enable();
  install_fatal_error_handler(leaveContained);
  install_bad_alloc_error_handler(leaveContained);
  std::new_handler OuterNewHandler = std::set_new_handler(newFailed);
  std::terminate_handler OuterTerminate = std::set_terminate(readerThrew);
  StopReason[0] = '\0';
  bool Ok;
  {
    ReaderMemoryBudget Budget(FileBytes);
    CrashRecoveryContext CRC;
    Ok = CRC.RunSafely(Fn);
  }
  std::set_terminate(OuterTerminate);
  std::set_new_handler(OuterNewHandler);
  remove_bad_alloc_error_handler();
  remove_fatal_error_handler();
  CrashRecoveryContext::Disable(); // later faults are the app's: report them
  if (Ok)
    return "";
  return StopReason[0] ? "LLVM's reader stopped: " + std::string(StopReason)
                       : "LLVM's reader faulted on it";
}

// Reads and verifies Buffer into Ctx. *Faulted: the reader faulted, and Ctx
// holds a half-built module that must not be destroyed.
Expected<std::unique_ptr<Module>> parse(MemoryBufferRef Buffer,
                                        LLVMContext &Ctx, bool *Faulted) {
  StringRef Path = Buffer.getBufferIdentifier();
  SMDiagnostic Diag;
  std::unique_ptr<Module> M;
  std::string VerifyMsg;
  bool Invalid = false;
  std::string Complaint;
  std::string Stopped = runContained(
      [&] {
        Complaint = checkAttributeGroups(Buffer);
        if (!Complaint.empty())
          return;
        M = parseIR(Buffer, Diag, Ctx);
        raw_string_ostream VOS(VerifyMsg);
        Invalid = M && verifyModule(*M, &VOS);
      },
      Buffer.getBufferSize());
  *Faulted = !Stopped.empty();
  if (*Faulted) {
    (void)M.release();
    return loadError(LoadErrorKind::BadIR,
                     Path + ": malformed IR (" + Stopped + ")");
  }
  if (!Complaint.empty())
    return loadError(LoadErrorKind::BadIR,
                     Path + ": malformed bitcode: " + Complaint);
  if (!M) {
    std::string Msg;
    raw_string_ostream OS(Msg);
    OS << Path << ":" << Diag.getLineNo() << ": " << Diag.getMessage();
    return loadError(LoadErrorKind::BadIR, OS.str());
  }
  if (Invalid) {
    StringRef First = StringRef(VerifyMsg).split('\n').first;
    return loadError(LoadErrorKind::BadIR, Path + ": invalid module: " + First);
  }
  return std::move(M);
}

// Every symbol the app needs from outside must come from the engine's table.
Error checkExternals(const Module &M, StringRef Path) {
  const StringMap<void *> &Host = hostSymbols();
  constexpr unsigned Listed = 8;
  std::string Missing;
  unsigned N = 0;
  for (const GlobalValue &GV : M.global_values()) {
    if (!GV.isDeclaration() || GV.use_empty())
      continue;
    if (const auto *F = dyn_cast<Function>(&GV); F && F->isIntrinsic())
      continue;
    if (Host.count(GV.getName()))
      continue;
    if (N++ < Listed)
      Missing += (Missing.empty() ? "" : ", ") + shown(GV.getName());
  }
  if (N == 0)
    return Error::success();
  if (N > Listed)
    Missing += " and " + std::to_string(N - Listed) + " more";
  return loadError(LoadErrorKind::Unresolved,
                   Path + ": unresolved external symbols: " + Missing);
}

// The engine runs x86-64 Linux code only: IR for another target would be
// compiled with the wrong ABI (struct layouts, calling convention, va_list).
// Hand-written IR without a triple or data layout gets the host's.
Error checkTarget(Module &M, StringRef Path) {
  if (M.getTargetTriple().empty())
    M.setTargetTriple("x86_64-unknown-linux-gnu");
  Triple T(M.getTargetTriple());
  if (T.getArch() != Triple::x86_64 ||
      (T.getOS() != Triple::Linux && T.getOS() != Triple::UnknownOS))
    return loadError(LoadErrorKind::BadIR, Path + ": target triple '" +
                                               shown(M.getTargetTriple()) +
                                               "' is not x86_64 Linux");
  if (M.getDataLayoutStr().empty())
    M.setDataLayout(X86_64DataLayout);
  if (M.getDataLayout() != DataLayout(X86_64DataLayout))
    return loadError(LoadErrorKind::BadIR, Path + ": data layout '" +
                                               shown(M.getDataLayoutStr()) +
                                               "' does not match x86-64's '" +
                                               X86_64DataLayout + "'");
  return Error::success();
}

// The engine calls main(argc, argv, envp): C allows main to take the first
// zero, two or three of them, nothing else.
Error checkMain(const Function &Main, StringRef Path) {
  FunctionType *T = Main.getFunctionType();
  LLVMContext &C = Main.getContext();
  Type *Params[] = {Type::getInt32Ty(C), PointerType::getUnqual(C),
                    PointerType::getUnqual(C)};
  unsigned N = T->getNumParams();
  bool Ok = T->getReturnType()->isIntegerTy(32) && !T->isVarArg() && N != 1 &&
            N <= 3 &&
            std::equal(T->param_begin(), T->param_end(), std::begin(Params));
  if (Ok)
    return Error::success();
  std::string Sig;
  raw_string_ostream OS(Sig);
  T->print(OS);
  return loadError(LoadErrorKind::BadIR,
                   Path + ": main has type '" + Sig +
                       "'; expected int main(void), int main(int, char **) "
                       "or int main(int, char **, char **)");
}

void externalize(GlobalValue &GV) {
  if (GV.isDeclaration())
    return;
  if (GV.hasLocalLinkage() || GV.hasLinkOnceLinkage() || GV.hasWeakLinkage() ||
      GV.hasCommonLinkage()) {
    GV.setLinkage(GlobalValue::ExternalLinkage);
    GV.setVisibility(GlobalValue::HiddenVisibility);
  }
  // Private symbols may be nameless or clash after externalization.
  if (!GV.hasName())
    GV.setName("__gts_anon");
}

void stripO0Artifacts(Function &F) {
  F.removeFnAttr(Attribute::NoInline);
  F.removeFnAttr(Attribute::OptimizeNone);
  for (StringRef A :
       {"frame-pointer", "target-cpu", "target-features", "tune-cpu"})
    F.removeFnAttr(A);
}

// The steps after checking.
Error prepareBodies(Module &M, bool ForInterpreter, bool OutlineLoops) {
  if (ForInterpreter)
    if (Error E = prepareForInterp(M, OutlineLoops))
      return E;
  for (Function &F : M)
    if (!F.isDeclaration())
      stripO0Artifacts(F);
  return Error::success();
}

// Dense ids in module order: the same for the module and every copy read
// from its bitcode.
void numberFunctions(PreparedModule &P) {
  for (Function &F : *P.M) {
    if (F.isDeclaration())
      continue;
    P.Ids[&F] = static_cast<int>(P.Functions.size());
    P.Functions.push_back(&F);
  }
}

void externalizeAll(Module &M) {
  for (GlobalValue &GV : M.global_values())
    externalize(GV);
}

} // namespace

Expected<PreparedModule> loadAndPrepare(StringRef Path, bool ForInterpreter,
                                        bool OutlineLoops) {
  if (!sys::fs::exists(Path))
    return loadError(LoadErrorKind::NoInput, Path + ": no such file");
  if (sys::fs::is_directory(Path))
    return loadError(LoadErrorKind::NoInput, Path + ": is a directory");
  auto Buffer = MemoryBuffer::getFile(Path);
  if (!Buffer)
    return loadError(LoadErrorKind::NoInput,
                     Path + ": " + Buffer.getError().message());
  return loadAndPrepare(**Buffer, ForInterpreter, OutlineLoops);
}

Expected<PreparedModule>
loadAndPrepare(MemoryBufferRef Buffer, bool ForInterpreter, bool OutlineLoops) {
  StringRef Path = Buffer.getBufferIdentifier();
  PreparedModule P;
  P.Context = std::make_unique<LLVMContext>();
  bool Faulted;
  auto M = parse(Buffer, *P.Context, &Faulted);
  if (Faulted)
    (void)P.Context.release(); // see runContained
  if (!M)
    return M.takeError();
  P.M = std::move(*M);
  if (Error E = checkTarget(*P.M, Path))
    return std::move(E);
  Function *Main = P.M->getFunction("main");
  if (!Main || Main->isDeclaration())
    return loadError(LoadErrorKind::NoMain, Path + ": no definition of main");
  if (Error E = checkMain(*Main, Path))
    return std::move(E);
  if (Error E = checkExternals(*P.M, Path))
    return std::move(E);
  if (Error E = prepareBodies(*P.M, ForInterpreter, OutlineLoops))
    return std::move(E);
  numberFunctions(P);
  for (const Function *F : P.Functions)
    P.PrivateToCallers.push_back(F->hasLocalLinkage() && !F->hasAddressTaken());
  externalizeAll(*P.M);
  return std::move(P);
}

namespace {

// A label table refers to blocks of functions a lazy reader has not read.
bool holdsBlockAddress(const Constant &C) {
  return isa<BlockAddress>(C) || any_of(C.operands(), [](const Use &Op) {
           auto *E = dyn_cast<Constant>(Op.get());
           return E && !isa<GlobalValue>(E) && holdsBlockAddress(*E);
         });
}

// Prepared bitcode, function bodies read on demand (all of them at once
// when a label table points into some).
Expected<std::unique_ptr<Module>> readLazily(MemoryBufferRef Bitcode,
                                             LLVMContext &Ctx) {
  auto M = getLazyBitcodeModule(Bitcode, Ctx);
  if (!M)
    return M.takeError();
  for (const GlobalVariable &G : (*M)->globals())
    if (G.hasInitializer() && holdsBlockAddress(*G.getInitializer()))
      if (Error E = (*M)->materializeAll())
        return std::move(E);
  return std::move(*M);
}

} // namespace

Expected<PreparedModule> loadPrepared(std::unique_ptr<MemoryBuffer> Bitcode,
                                      ArrayRef<uint32_t> PrivateToCallers) {
  PreparedModule P;
  P.Context = std::make_unique<LLVMContext>();
  auto M = readLazily(Bitcode->getMemBufferRef(), *P.Context);
  if (!M)
    return M.takeError();
  P.M = std::move(*M);
  numberFunctions(P);
  P.PrivateToCallers.assign(P.Functions.size(), false);
  for (uint32_t Id : PrivateToCallers) {
    if (Id >= P.Functions.size())
      return createStringError(inconvertibleErrorCode(),
                               "prepared app: no function of id " + Twine(Id));
    P.PrivateToCallers[Id] = true;
  }
  P.Bitcode = std::move(Bitcode);
  P.Lazy = true;
  return std::move(P);
}

std::string preparedBitcode(const Module &M) {
  std::string Bytes;
  raw_string_ostream OS(Bytes);
  // Without the use lists' order: every copy that code is compiled from is
  // read from these bytes, so all see the same order. Keeping it cost a
  // third of the write (0.5 of 1.5 ms for TinyLlama, on the app's thread at
  // start), and TinyLlama's objects came out the same byte for byte without
  // it (pinned O0 and O3, and the 25 units of a --sync-compile run).
  WriteBitcodeToFile(M, OS, /*ShouldPreserveUseListOrder=*/false);
  return Bytes;
}

void keepBitcode(PreparedModule &P) {
  if (!P.Bitcode)
    P.Bitcode = MemoryBuffer::getMemBufferCopy(preparedBitcode(*P.M),
                                               P.M->getModuleIdentifier());
}

Expected<std::unique_ptr<Module>> prepareCopy(const PreparedModule &P,
                                              LLVMContext &Ctx) {
  if (!P.Bitcode)
    return createStringError(inconvertibleErrorCode(),
                             "the app was not kept as bitcode");
  return readLazily(P.Bitcode->getMemBufferRef(), Ctx);
}

} // namespace gts
