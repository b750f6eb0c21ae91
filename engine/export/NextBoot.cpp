// The export a converged boot makes for the next boot (gts run
// --export-at-convergence=PATH): the program at PATH and a trial
// configuration ROOT/CMDLINE.NEW, ROOT being PATH's folder (the volume's
// root in the guest). The kernel boots the trial once and keeps it only if
// the program reaches main (docs/EXPORT.md, "A/B").
#include "Export.h"
#include "Steps.h"

#include "../snapshot/StateDir.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace llvm;

namespace gts {

namespace {

std::string beside(StringRef Path, StringRef Name) {
  SmallString<256> P(Path);
  sys::path::remove_filename(P);
  sys::path::append(P, Name);
  return std::string(P);
}

std::string folderOf(StringRef Path) {
  StringRef Dir = sys::path::parent_path(Path);
  return Dir.empty() ? "." : Dir.str();
}

Error cantCreate(const Twine &Msg) {
  return exportError(ExportErrorKind::CantCreate,
                     Msg + ": " + std::strerror(errno));
}

// LLD wrote Path; make its bytes durable before it is renamed.
Error syncFile(const std::string &Path) {
  int Fd = ::open(Path.c_str(), O_WRONLY | O_CLOEXEC);
  if (Fd < 0)
    return cantCreate("cannot open " + Path);
  int R = ::fsync(Fd);
  ::close(Fd);
  return R == 0 ? Error::success() : cantCreate("cannot sync " + Path);
}

// tmp, fsync, rename, fsync of the folder: a crash leaves Path as it was
// or complete.
Error renameDurably(const std::string &Tmp, const std::string &Path) {
  if (::rename(Tmp.c_str(), Path.c_str()) != 0) {
    Error E = cantCreate("cannot rename " + Tmp);
    ::unlink(Tmp.c_str());
    return E;
  }
  if (Error E = syncDir(folderOf(Path)))
    return exportError(ExportErrorKind::CantCreate, toString(std::move(E)));
  return Error::success();
}

// /CMDLINE.TXT's format (docs/IMAGE.md): the program, then one argument a
// line.
Expected<std::string> cmdlineText(StringRef Program,
                                  ArrayRef<std::string> Args) {
  std::string Text = Program.str() + "\n";
  for (const std::string &A : Args) {
    if (StringRef(A).contains('\n') || StringRef(A).starts_with("ENV "))
      return exportError(ExportErrorKind::CantCreate,
                         "argument '" + A +
                             "' cannot be written to a command line file");
    Text += A + "\n";
  }
  return Text;
}

} // namespace

std::optional<std::string> pendingTrial(StringRef Program) {
  std::string New = beside(Program, TrialCmdline),
              Bad = beside(Program, FailedCmdline);
  if (sys::fs::exists(New))
    return New + " exists (a trial boot is pending)";
  if (sys::fs::exists(Bad))
    return Bad + " exists (the last trial failed)";
  return std::nullopt;
}

Expected<ExportSummary> exportForNextBoot(ExportOptions O,
                                          ArrayRef<std::string> AppArgs) {
  std::string Program = O.Output;
  auto Text = cmdlineText(Program, AppArgs);
  if (!Text)
    return Text.takeError();
  O.Output = Program + ".TMP";
  auto S = exportProgram(O);
  if (!S)
    return S.takeError();
  if (Error E = syncFile(O.Output))
    return std::move(E);
  if (Error E = renameDurably(O.Output, Program))
    return std::move(E);
  std::string Tmp = beside(Program, "CMDLINE.TMP");
  if (Error E = writeDurably(Tmp, *Text))
    return exportError(ExportErrorKind::CantCreate, toString(std::move(E)));
  if (Error E = renameDurably(Tmp, beside(Program, TrialCmdline)))
    return std::move(E);
  return S;
}

} // namespace gts
