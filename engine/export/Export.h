// Export: the app as a static native executable without LLVM, built from its
// IR and the profile that boots under `gts run --state` accumulated
// (docs/EXPORT.md).
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gts {

struct ExportOptions {
  std::string App;                 // APP.bc or APP.ll, as given to gts run
  std::vector<std::string> States; // --state folders; their counts add up
  std::string Output;              // the executable to write
  // Folder with crt1.o, crti.o, crtn.o, libc.a (musl),
  // libclang_rt.builtins-x86_64.a, memcpy.o and qsort.o
  // (engine/export/runtime).
  std::string Runtime;
};

// What went wrong, so the driver maps it to a documented exit code.
enum class ExportErrorKind {
  NoProfile,  // a --state folder is missing or holds no readable snapshot
  Mismatch,   // the profile belongs to other IR than the app's
  NoRuntime,  // the C library folder is incomplete
  CantCreate, // the output cannot be written
  Link,       // code generation or the link failed
};

class ExportError : public llvm::ErrorInfo<ExportError> {
public:
  static char ID;
  ExportError(ExportErrorKind Kind, std::string Msg)
      : Kind(Kind), Msg(std::move(Msg)) {}
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  ExportErrorKind Kind;
  std::string Msg;
};

struct ExportSummary {
  std::vector<std::string> Snapshots; // the snapshot used per folder
  unsigned Hot = 0;                   // functions optimized for speed (O3)
  unsigned Cold = 0;                  // ran, but cold (optsize)
  unsigned Never = 0;                 // never ran (minsize, cold)
  unsigned JammedNests = 0;           // versioned for row jamming (JamRows.cpp)
  uint64_t ObjectBytes = 0;
  uint64_t ProgramBytes = 0;
};

// Builds Options.Output. App load errors come back as LoadError
// (ir/Prepare.h), the rest as ExportError.
llvm::Expected<ExportSummary> exportProgram(const ExportOptions &Options);

} // namespace gts
