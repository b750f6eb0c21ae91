// The steps of an export, in the order exportProgram runs them.
#pragma once

#include "Export.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"

#include <memory>

namespace gts {

// One function's counts, summed over the --state folders.
struct FunctionCounts {
  uint64_t Calls = 0;
  std::vector<uint64_t> Blocks; // by block, in the prepared function's order
  uint64_t IrHash = 0;
};
using MergedProfile = llvm::StringMap<FunctionCounts>;

// Reads the newest readable snapshot of each folder and adds the counts up.
llvm::Expected<MergedProfile> readProfiles(const std::vector<std::string> &Dirs,
                                           std::vector<std::string> &Used);

// Checks P against the prepared module, then writes it into M as profile
// metadata (entry counts, branch weights, a profile summary) and sets the
// per-function size attributes; every function but main becomes internal.
llvm::Error applyProfile(llvm::Module &M, const MergedProfile &P,
                         ExportSummary &Summary);

// Runs several rows of a hot floating-point reduction nest together, behind
// a run-time guard that the rows' stores and loads do not overlap
// (JamRows.cpp).
struct JamRowsPass : llvm::PassInfoMixin<JamRowsPass> {
  explicit JamRowsPass(unsigned &Count) : Count(Count) {}
  llvm::PreservedAnalyses run(llvm::Function &F,
                              llvm::FunctionAnalysisManager &AM);
  unsigned &Count; // nests versioned so far
};

// O3 pipeline (with JamRowsPass before the vectorizers) and code generation for
// generic x86-64, one section per function.
llvm::Expected<std::string> compileModule(llvm::Module &M,
                                          ExportSummary &Summary);

// Links Object with the C library of Runtime into a static executable.
llvm::Error linkProgram(llvm::StringRef Object, llvm::StringRef Runtime,
                        llvm::StringRef Output);

// Syscall number of gts_main_reached (kernel/linux, docs/KERNEL.md).
constexpr uint64_t GtsMainReachedSyscall = 1000;

// Makes main's first act a gts_main_reached syscall (MainReached.cpp).
llvm::Error insertMainReached(llvm::Module &M);

llvm::Error exportError(ExportErrorKind Kind, const llvm::Twine &Msg);

} // namespace gts
