//===- Interpreter.h - gts tier 0: pre-decoded threaded interpreter -------===//
//
// The engine prepares one llvm::Module (ir/Outline.h), assigns every defined
// function a dense id, and owns two tables per id: entry[id] (stable
// native stub, the value of @f) and slot[id] (current target: our closure at
// first, JIT code later). Functions are translated at their first call into
// a register-based decoded form executed with computed-goto dispatch; what
// cannot be translated then runs as code the engine compiles (onCannotRun).
//
// Calls: interpreted -> interpreted while slot[g] == closureFor(g) take a
// direct path (no ffi); everything else goes through libffi. Native code
// calls interpreted functions through ffi closures.
//
// Long loops: prepareForInterp outlines each outermost loop, and the loops
// inside a loop of few iterations, into functions of their own ("gts-loop").
// Its back-edge counter calls onLoopHot; if the engine then changed slot[id],
// the running activation resumes in the new code at the loop header (re-entry
// is exact, see docs/INTERPRETER.md).
//
//===----------------------------------------------------------------------===//
#ifndef GTS_ENGINE_INTERP_INTERPRETER_H
#define GTS_ENGINE_INTERP_INTERPRETER_H

#include "../profile/FunctionProfile.h"

#include "llvm/IR/Constant.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gts {

struct InterpEnv {
  // Address of a global value: entry[id] for app functions, the materialized
  // address for app globals, the native address for declarations. Called at
  // translation time; results are cached in the decoded form.
  std::function<llvm::Expected<void *>(const llvm::GlobalValue &)> addressOf;
  // Dense id of a defined function, or -1.
  std::function<int(const llvm::Function &)> idOf;
  // slot[id]: current target of each function, read on every call. The
  // engine stores new code from its compile thread (release); the
  // interpreter loads with acquire, a plain load on x86.
  const std::atomic<void *> *slots = nullptr;
  // Called once when a function's call count reaches its call threshold.
  std::function<void(int Id)> onHot;
  // Called when an outlined loop's back-edge count reaches its threshold.
  // If slot[id] changed afterwards, the activation moves to the new code.
  std::function<void(int Id)> onLoopHot;
  // Called at the first call of a function the interpreter cannot run (Why
  // names the construct): the engine compiles it and points slot[id] at the
  // code, which this call and later ones run, or ends the process. Unset,
  // such a call is a fatal error.
  std::function<void(int Id, const std::string &Why)> onCannotRun;
};

struct FuncState;

class Interpreter {
public:
  static llvm::Expected<std::unique_ptr<Interpreter>> create(llvm::Module &M,
                                                             InterpEnv Env);
  ~Interpreter();

  // Native-callable closure that interprets F (created once, cached). For a
  // variadic F, or one with vectors in its signature (libffi has no vector
  // types), it is the stub of writeEntryStub (in ffi_closure_alloc memory):
  // its routine saves the argument registers as a SysV register save area,
  // so va_start sees the native caller's variadic arguments.
  llvm::Expected<void *> closureFor(llvm::Function &F);
  // Native entries without libffi or compiled code, for a variadic F or one
  // whose parameters are integers of up to 64 bits, pointers, float or
  // double (no byval, sret or inreg) and whose result is one of those, none,
  // or a struct of them returned in rax, rdx, xmm0, xmm1: a stub of
  // EntryStubBytes,
  // "movabs $state, %r11; movabs $entry, %r10; jmp *%r10", into a routine
  // that saves the argument registers and reads them by F's signature.
  // The caller puts it in executable memory and adopts it (adoptEntry).
  static constexpr size_t EntryStubBytes = 23;
  static bool hasEntryStub(const llvm::Function &F);
  llvm::Error writeEntryStub(llvm::Function &F, void *Mem);
  // Native entries built by the engine instead of libffi closures (which
  // need writable+executable memory): a non-variadic function with F's
  // signature that calls entryHandler()(Ret, Args, entryData(F)) with the
  // libffi closure conventions (Args[i] points to argument i, to the struct
  // for byval; integer results widened to 64 bits). adoptEntry makes it F's
  // closure.
  using EntryHandler = void (*)(void *Ret, void **Args, void *Data);
  static EntryHandler entryHandler();
  llvm::Expected<void *> entryData(llvm::Function &F);
  // The same address without checking the signature: for the entry of a
  // function that other code runs and the interpreter never will (its
  // symbol must still resolve where a saved entries object refers to it).
  void *dormantEntryData(llvm::Function &F);
  void adoptEntry(llvm::Function &F, void *Code);
  // Translates F (if not yet) and checks its signature; the Error names the
  // unsupported construct.
  llvm::Error canRun(llvm::Function &F);
  // Checks only F's signature (native calls into and out of it): what the
  // engine asks at start; the body is translated at F's first call.
  llvm::Error canEnter(llvm::Function &F);

  // Thresholds: onHot fires when Calls == N, onLoopHot when a loop header's
  // back-edge count == N, or when one activation has taken N / 10
  // back-edges. 0 disables.
  void setCallThreshold(llvm::Function &F, uint64_t N);
  void setLoopThreshold(llvm::Function &F, uint64_t N);

  // What the interpreter measured of F (none if F was never translated):
  // calls; inclusive rdtsc cycles, exact for the first 256 calls, then every
  // 64th call timed and counted 64 times (rdtsc costs ~20 ns in a VM), so
  // TimedCalls = Calls (0 while the only call still runs); Min/Max over the
  // timed calls; block counts by basic-block index and back-edge counts by
  // loop-header block index in F. Reads counters that interpreted code
  // updates without synchronization: call it on the thread that runs the app
  // (or once that thread is stopped).
  std::optional<FunctionProfile> profile(const llvm::Function &F) const;
  // Calls of F so far (0 if never translated); same thread rule.
  uint64_t calls(const llvm::Function &F) const;
  // Those of them that came from native code (compiled code, the C
  // library's callbacks), not from interpreted code; same thread rule.
  uint64_t nativeCalls(const llvm::Function &F) const;

  // Writes the in-memory image of C (DataLayout of M) to Dst; used to
  // initialize globals. blockaddress values are interpreter tokens.
  llvm::Error writeConstant(const llvm::Constant &C, void *Dst);

  struct Impl;

private:
  explicit Interpreter(std::unique_ptr<Impl> I);
  std::unique_ptr<Impl> P;
};

} // namespace gts

#endif
