#include "Steps.h"

#include "../ir/Prepare.h"
#include "../snapshot/StateDir.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <unistd.h>

using namespace llvm;

namespace gts {

char ExportError::ID = 0;

Error exportError(ExportErrorKind Kind, const Twine &Msg) {
  return make_error<ExportError>(Kind, Msg.str());
}

namespace {

// Snapshot files of Dir, newest first.
Expected<std::vector<std::string>> snapshotFiles(StringRef Dir) {
  if (!sys::fs::is_directory(Dir))
    return exportError(ExportErrorKind::NoProfile,
                       Dir + ": no such state folder");
  std::vector<std::pair<uint32_t, std::string>> Found;
  std::error_code EC;
  for (sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC)) {
    StringRef Name = sys::path::filename(It->path());
    uint32_t Boot;
    if (Name.consume_front("boot_") && Name.consume_back(".snap") &&
        !Name.getAsInteger(10, Boot))
      Found.push_back({Boot, It->path()});
  }
  if (EC)
    return exportError(ExportErrorKind::NoProfile,
                       Dir + ": cannot list: " + EC.message());
  std::sort(Found.rbegin(), Found.rend());
  std::vector<std::string> Paths;
  for (auto &F : Found)
    Paths.push_back(std::move(F.second));
  return Paths;
}

// The newest snapshot of Dir that reads correctly.
Expected<std::pair<std::string, Snapshot>> newestSnapshot(StringRef Dir) {
  auto Files = snapshotFiles(Dir);
  if (!Files)
    return Files.takeError();
  for (const std::string &Path : *Files) {
    auto Buf = MemoryBuffer::getFile(Path, false, false);
    if (!Buf)
      continue;
    auto S = readSnapshot((*Buf)->getMemBufferRef());
    if (S)
      return std::make_pair(Path, std::move(*S));
    consumeError(S.takeError());
  }
  return exportError(ExportErrorKind::NoProfile,
                     Dir + ": no readable snapshot (boot_NNNN.snap)");
}

Error addSnapshot(const std::string &Path, const Snapshot &S,
                  MergedProfile &P) {
  for (const FunctionRecord &R : S.Functions) {
    auto [It, New] = P.try_emplace(R.Profile.Name);
    FunctionCounts &C = It->second;
    if (New)
      C.IrHash = R.IrHash;
    // No block counts: the function never ran in the interpreter there
    // (it is translated at its first call).
    const std::vector<uint64_t> &Blocks = R.Profile.BlockCounts;
    if (C.Blocks.empty())
      C.Blocks.assign(Blocks.size(), 0);
    if (C.IrHash != R.IrHash ||
        (!Blocks.empty() && C.Blocks.size() != Blocks.size()))
      return exportError(ExportErrorKind::Mismatch,
                         Path + ": function " + R.Profile.Name +
                             " has other IR than in the other folders");
    C.Calls += R.Profile.Counters.Calls;
    for (size_t B = 0; B < Blocks.size(); ++B)
      C.Blocks[B] += Blocks[B];
  }
  return Error::success();
}

// The output's folder must take a new file; checked before the long work.
Error checkWritable(StringRef Output) {
  if (sys::fs::is_directory(Output))
    return exportError(ExportErrorKind::CantCreate,
                       Output + ": is a directory");
  SmallString<256> Dir(Output);
  sys::path::remove_filename(Dir);
  if (Dir.empty())
    Dir = ".";
  if (::access(Dir.c_str(), W_OK) != 0)
    return exportError(ExportErrorKind::CantCreate,
                       Output + ": cannot create (folder " + Dir +
                           " missing or not writable)");
  return Error::success();
}

Error checkRuntime(StringRef Runtime) {
  for (StringRef F : {"crt1.o", "crti.o", "crtn.o", "memcpy.o", "qsort.o",
                      "libc.a", "libclang_rt.builtins-x86_64.a"}) {
    SmallString<256> P(Runtime);
    sys::path::append(P, F);
    if (!sys::fs::is_regular_file(P))
      return exportError(ExportErrorKind::NoRuntime,
                         "C library folder " + Runtime + " has no " + F);
  }
  return Error::success();
}

} // namespace

Expected<MergedProfile> readProfiles(const std::vector<std::string> &Dirs,
                                     std::vector<std::string> &Used) {
  MergedProfile P;
  for (const std::string &Dir : Dirs) {
    auto S = newestSnapshot(Dir);
    if (!S)
      return S.takeError();
    if (Error E = addSnapshot(S->first, S->second, P))
      return std::move(E);
    Used.push_back(S->first);
  }
  return P;
}

Expected<ExportSummary> exportProgram(const ExportOptions &O) {
  if (Error E = checkWritable(O.Output))
    return std::move(E);
  if (Error E = checkRuntime(O.Runtime))
    return std::move(E);
  ExportSummary Summary;
  auto Profile = readProfiles(O.States, Summary.Snapshots);
  if (!Profile)
    return Profile.takeError();
  // Prepared as for the interpreter: the profile's function names and block
  // order refer to this form of the module.
  auto App = loadAndPrepare(O.App, /*ForInterpreter=*/true);
  if (!App)
    return App.takeError();
  if (Error E = applyProfile(*App->M, *Profile, Summary))
    return std::move(E);
  if (Error E = insertMainReached(*App->M))
    return std::move(E);
  auto Object = compileModule(*App->M, Summary);
  if (!Object)
    return Object.takeError();
  Summary.ObjectBytes = Object->size();
  if (Error E = linkProgram(*Object, O.Runtime, O.Output))
    return std::move(E);
  uint64_t Size = 0;
  sys::fs::file_size(O.Output, Size);
  Summary.ProgramBytes = Size;
  return Summary;
}

} // namespace gts
