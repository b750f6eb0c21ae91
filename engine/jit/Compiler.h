// Optimizes a module at a tier's level and turns it into relocatable object
// code (ELF), the form that is linked into the process and kept for snapshots.
#pragma once

#include "../core/Tier.h"

#include "llvm/IR/Module.h"
#include "llvm/IR/OptBisect.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace gts {

enum class CpuMode { Baseline, Host };

// The error of a compile that was cancelled (Compiler::setCancelled).
class CompileCancelled : public llvm::ErrorInfo<CompileCancelled> {
public:
  static char ID;
  void log(llvm::raw_ostream &OS) const override { OS << "compile cancelled"; }
  std::error_code convertToErrorCode() const override {
    return std::make_error_code(std::errc::operation_canceled);
  }
};

class Compiler {
public:
  // Baseline: generic x86-64 (bit-identical to clang -O3 without -march).
  // Host: the host CPU's features, but multiply-adds are never fused
  // (llvm.fmuladd stays a multiply and an add, as on the baseline).
  // DL: the app's data layout, which is the code generator's (x86-64 Linux,
  // checked when the app is loaded).
  static llvm::Expected<std::unique_ptr<Compiler>>
  create(CpuMode Mode, const llvm::DataLayout &DL);
  // The code generator's CPU name and feature string for Mode.
  static std::pair<std::string, std::string> cpuFor(CpuMode Mode);

  // Runs the level's default pipeline, then code generation.
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  compile(llvm::Module &M, Tier Level, llvm::StringRef Name);

  // Compiles a small loop at O0 and drops its code: the first compile in a
  // process sets up the code generator (its subtarget and tables, its code
  // pages), about 2 ms that this moves off the first real request.
  llvm::Error warmUp();

  // While set, compiles fail with CompileCancelled, the one in progress
  // too: it skips its remaining optional passes (as -opt-bisect-limit does)
  // and its code is dropped. For a process about to exit, so that it does
  // not wait for a compile whose code it would not use, and for a climb of
  // compiled code that a function leaving the interpreter interrupts.
  void setCancelled(bool On) { Cancelled = On; }
  bool cancelled() const { return Cancelled; }

  const llvm::DataLayout &dataLayout() const { return DL; }
  const llvm::Triple &triple() const { return TT; }

private:
  void optimize(llvm::Module &M, Tier Level, llvm::TargetMachine &TM);
  llvm::Expected<llvm::TargetMachine *> machineFor(Tier Level);
  llvm::Error checkNotCancelled() const;

  // The code generator's optional passes ask it whether to run
  // (Pass::skipFunction): none once cancelled, and at O0 not the machine
  // scheduler (AtO0).
  struct PassGate : llvm::OptPassGate {
    PassGate(const std::atomic<bool> &Cancelled, bool AtO0)
        : Cancelled(Cancelled), AtO0(AtO0) {}
    bool shouldRunPass(llvm::StringRef Pass, llvm::StringRef) override;
    bool isEnabled() const override { return AtO0 || Cancelled; }
    const std::atomic<bool> &Cancelled;
    const bool AtO0;
  };

  llvm::Triple TT;
  const llvm::Target *T = nullptr;
  std::string CPU, Features;
  llvm::DataLayout DL{""};
  std::unique_ptr<llvm::TargetMachine> Machines[4]; // per CodeGenOptLevel
  std::once_flag MachineMade[4];
  CpuMode Mode;
  std::string TuneCPU;
  std::atomic<bool> Cancelled = false;
  PassGate Gate{Cancelled, false}, GateAtO0{Cancelled, true};
};

} // namespace gts
