// A bootable disk that holds only the exported program: stage 1, stage 2,
// the kernel, the program as /NATIVE, its command line and data files,
// built by image/mkimage.py (docs/IMAGE.md, docs/EXPORT.md).
#include "Export.h"
#include "Steps.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace llvm;

namespace gts {

namespace {

std::string inFolder(StringRef Dir, StringRef Name) {
  SmallString<256> P(Dir);
  sys::path::append(P, Name);
  return std::string(P);
}

// mkimage.py needs these; Debian keeps mkfs.fat in /usr/sbin.
Expected<std::string> findTool(StringRef Name, StringRef Package) {
  auto P = sys::findProgramByName(Name);
  if (!P)
    P = sys::findProgramByName(Name, {"/usr/sbin", "/sbin"});
  if (!P)
    return exportError(ExportErrorKind::NoTool,
                       Name + " not found (apt-get install " + Package + ")");
  return *P;
}

uint64_t sizeOf(StringRef Path) {
  uint64_t Size = 0;
  sys::fs::file_size(Path, Size);
  return Size;
}

// The source part of SRC[:DEST].
StringRef sourceOf(StringRef Spec) {
  size_t Colon = Spec.rfind(':');
  return Colon == StringRef::npos ? Spec : Spec.take_front(Colon);
}

// The last line mkimage.py wrote (its one-line error).
std::string lastLine(StringRef Log) {
  auto Buf = MemoryBuffer::getFile(Log);
  if (!Buf)
    return "no output";
  StringRef Text = (*Buf)->getBuffer().rtrim();
  return Text.rsplit('\n').second.empty() ? Text.str()
                                          : Text.rsplit('\n').second.str();
}

} // namespace

Error checkImageInputs(const ImageOptions &O) {
  for (StringRef F : {"stage1.bin", "stage2.bin", "kernel.bin", "mkimage.py"})
    if (!sys::fs::is_regular_file(inFolder(O.BootFiles, F)))
      return exportError(ExportErrorKind::NoRuntime,
                         "boot files folder " + O.BootFiles + " has no " + F);
  for (const std::string &Spec : O.Files)
    if (!sys::fs::is_regular_file(sourceOf(Spec)))
      return exportError(ExportErrorKind::NoFile,
                         "--file " + Spec + ": no such file");
  for (auto [Tool, Package] : {std::pair{"python3", "python3"},
                               {"mkfs.fat", "dosfstools"},
                               {"mcopy", "mtools"},
                               {"mmd", "mtools"}})
    if (auto P = findTool(Tool, Package); !P)
      return P.takeError();
  SmallString<256> Dir(O.Output);
  sys::path::remove_filename(Dir);
  if (Dir.empty())
    Dir = ".";
  if (sys::fs::is_directory(O.Output) ||
      sys::fs::access(Dir, sys::fs::AccessMode::Write))
    return exportError(ExportErrorKind::CantCreate,
                       O.Output + ": cannot create the image there");
  return Error::success();
}

Expected<ImageSummary> buildImage(const ImageOptions &O) {
  if (Error E = checkImageInputs(O))
    return std::move(E);
  ImageSummary S;
  S.Stage1 = sizeOf(inFolder(O.BootFiles, "stage1.bin"));
  S.Stage2 = sizeOf(inFolder(O.BootFiles, "stage2.bin"));
  S.Kernel = sizeOf(inFolder(O.BootFiles, "kernel.bin"));
  S.Program = sizeOf(O.Program);
  for (const std::string &Spec : O.Files)
    S.Files += sizeOf(sourceOf(Spec));
  // FAT16 wants at least ~17 MiB; room for the files and what the program
  // writes.
  uint64_t MiB = 32 + (S.Program + S.Files) / (1 << 20) * 2;
  std::string Python = cantFail(findTool("python3", "python3"));
  std::vector<std::string> Args = {
      Python,      inFolder(O.BootFiles, "mkimage.py"),
      "--stage1",  inFolder(O.BootFiles, "stage1.bin"),
      "--stage2",  inFolder(O.BootFiles, "stage2.bin"),
      "--kernel",  inFolder(O.BootFiles, "kernel.bin"),
      "--program", O.Program + ":" + NativeProgramPath,
      "--args",    O.Args,
      "--size",    std::to_string(MiB),
      "--out",     O.Output};
  for (const std::string &Spec : O.Files) {
    Args.push_back("--file");
    Args.push_back(Spec);
  }
  SmallString<128> Log;
  if (std::error_code EC =
          sys::fs::createTemporaryFile("gts-mkimage", "log", Log))
    return exportError(ExportErrorKind::CantCreate,
                       "cannot create a temporary file: " + EC.message());
  std::vector<StringRef> Argv(Args.begin(), Args.end());
  std::optional<StringRef> Redirects[] = {std::nullopt, Log.str(), Log.str()};
  std::string ErrMsg;
  int RC =
      sys::ExecuteAndWait(Python, Argv, std::nullopt, Redirects, 0, 0, &ErrMsg);
  std::string Last = lastLine(Log);
  sys::fs::remove(Log);
  if (RC != 0)
    return exportError(ExportErrorKind::Image,
                       RC < 0 ? "cannot run " + Python + ": " + ErrMsg
                              : "image not built: " + Last);
  return S;
}

} // namespace gts
