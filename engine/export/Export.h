// Export: the app as a static native executable without LLVM, built from its
// IR and the profile that boots under `gts run --state` accumulated
// (docs/EXPORT.md).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
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
  NoTool,     // a program the image builder needs is not installed
  NoFile,     // a file to put on the image is missing
  Image,      // the image builder failed
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

// --- Bootable image (gts export --image, Image.cpp) ---

// Where the program goes on the volume.
inline constexpr const char *NativeProgramPath = "/NATIVE";

struct ImageOptions {
  std::string Program;   // the exported program
  std::string Output;    // the disk image to write
  std::string BootFiles; // stage1.bin, stage2.bin, kernel.bin, mkimage.py
  std::string Args;      // the program's arguments, split like a shell
  std::vector<std::string> Files; // SRC[:DEST] data files
};

// Bytes of what is booted (the payload) and of the data files.
struct ImageSummary {
  uint64_t Stage1 = 0, Stage2 = 0, Kernel = 0, Program = 0, Files = 0;
  uint64_t payload() const { return Stage1 + Stage2 + Kernel + Program; }
};

// Everything buildImage needs but the program: checked before an export.
llvm::Error checkImageInputs(const ImageOptions &Options);
llvm::Expected<ImageSummary> buildImage(const ImageOptions &Options);

// --- The next boot's configuration (gts run --export-at-convergence) ---

// The kernel's A/B files, in the folder of the exported program (the
// volume's root in the guest): the trial configuration the program writes,
// and what the kernel renames it to when the trial fails.
inline constexpr const char *TrialCmdline = "CMDLINE.NEW";
inline constexpr const char *FailedCmdline = "CMDLINE.BAD";

// Why no export may be made next to Program now, if so: a trial is pending
// or has failed.
std::optional<std::string> pendingTrial(llvm::StringRef Program);

// Exports to Options.Output (via Output.TMP, synced and renamed), then
// writes CMDLINE.NEW beside it: the program followed by AppArgs.
llvm::Expected<ExportSummary>
exportForNextBoot(ExportOptions Options, llvm::ArrayRef<std::string> AppArgs);

} // namespace gts
