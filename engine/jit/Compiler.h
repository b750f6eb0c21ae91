// Optimizes a module at a tier's level and turns it into relocatable object
// code (ELF), the form that is linked into the process and kept for snapshots.
#pragma once

#include "../core/Tier.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>
#include <utility>

namespace gts {

enum class CpuMode { Baseline, Host };

class Compiler {
public:
  // Baseline: generic x86-64 (bit-identical to clang -O3 without -march).
  // Host: the host CPU's features, but multiply-adds are never fused
  // (llvm.fmuladd stays a multiply and an add, as on the baseline).
  static llvm::Expected<std::unique_ptr<Compiler>> create(CpuMode Mode);
  // The code generator's CPU name and feature string for Mode.
  static std::pair<std::string, std::string> cpuFor(CpuMode Mode);

  // Runs the level's default pipeline, then code generation.
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  compile(llvm::Module &M, Tier Level, llvm::StringRef Name);

  const llvm::DataLayout &dataLayout() const { return DL; }
  const llvm::Triple &triple() const { return TT; }

private:
  void optimize(llvm::Module &M, Tier Level);
  llvm::TargetMachine &machineFor(Tier Level);

  llvm::Triple TT;
  llvm::DataLayout DL{""};
  std::unique_ptr<llvm::TargetMachine> Machines[4]; // per CodeGenOptLevel
  CpuMode Mode;
  std::string TuneCPU;
};

} // namespace gts
