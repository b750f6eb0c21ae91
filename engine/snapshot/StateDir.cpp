#include "StateDir.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace llvm;

namespace gts {

namespace {

Error ioError(const Twine &What, const Twine &Path) {
  return createStringError(
      std::error_code(errno, std::generic_category()),
      (What + " " + Path + ": " + std::strerror(errno)).str());
}

// boot_NNNN.snap -> NNNN.
std::optional<uint32_t> bootOf(StringRef Name) {
  uint32_t Boot;
  if (!Name.consume_front("boot_") || !Name.consume_back(".snap") ||
      Name.empty() || !all_of(Name, isDigit) || Name.getAsInteger(10, Boot))
    return std::nullopt;
  return Boot;
}

Error writeAll(int Fd, StringRef Data, const Twine &Path) {
  while (!Data.empty()) {
    ssize_t N = ::write(Fd, Data.data(), Data.size());
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      return ioError("cannot write", Path);
    Data = Data.drop_front(N);
  }
  return Error::success();
}

} // namespace

Error writeDurably(const std::string &Path, StringRef Data) {
  int Fd = ::open(Path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (Fd < 0)
    return ioError("cannot create", Path);
  Error E = writeAll(Fd, Data, Path);
  if (!E && ::fsync(Fd) != 0)
    E = ioError("cannot sync", Path);
  if (::close(Fd) != 0 && !E)
    E = ioError("cannot close", Path);
  if (E)
    ::unlink(Path.c_str());
  return E;
}

Error syncDir(const std::string &Dir) {
  int Fd = ::open(Dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (Fd < 0)
    return ioError("cannot open", Dir);
  int R = ::fsync(Fd);
  ::close(Fd);
  return R == 0 ? Error::success() : ioError("cannot sync", Dir);
}

std::string StateDir::fileName(uint32_t Boot) {
  std::string S;
  raw_string_ostream(S) << format("boot_%04u.snap", Boot);
  return S;
}

Expected<StateDir> StateDir::open(StringRef Dir) {
  if (std::error_code EC = sys::fs::create_directories(Dir))
    return createStringError(EC, "cannot create state folder %s: %s",
                             Dir.str().c_str(), EC.message().c_str());
  StateDir S;
  S.Dir = Dir.str();
  std::error_code EC;
  for (sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC))
    if (std::optional<uint32_t> Boot = bootOf(sys::path::filename(It->path())))
      S.Boots.push_back(*Boot);
  if (EC)
    return createStringError(EC, "cannot read state folder %s: %s",
                             Dir.str().c_str(), EC.message().c_str());
  std::sort(S.Boots.rbegin(), S.Boots.rend());
  return std::move(S);
}

void StateDir::skip(const std::string &Path, const Twine &Why,
                    raw_ostream &Log) {
  Log << "gts: snapshot " << Path << " skipped: " << Why << "\n";
}

std::optional<StateDir::Loaded>
StateDir::nextValid(const SnapshotConfig *Config, raw_ostream &Log) {
  while (Next < Boots.size()) {
    uint32_t Boot = Boots[Next++];
    std::string Path = Dir + "/" + fileName(Boot);
    auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                     /*RequiresNullTerminator=*/false);
    if (!Buf) {
      skip(Path, Buf.getError().message(), Log);
      continue;
    }
    auto S = readSnapshot((*Buf)->getMemBufferRef());
    if (!S) {
      skip(Path, toString(S.takeError()), Log);
      continue;
    }
    if (S->Boot != Boot) {
      skip(Path, "it records boot " + Twine(S->Boot), Log);
      continue;
    }
    if (std::string Why = Config ? configMismatch(S->Config, *Config) : "";
        !Why.empty()) {
      skip(Path, Why, Log);
      continue;
    }
    return Loaded{Path, std::move(*S)};
  }
  return std::nullopt;
}

uint32_t StateDir::nextBoot() const { return Boots.empty() ? 1 : Boots[0] + 1; }

Error StateDir::keepApp(StringRef AppPath, uint64_t AppHash) {
  std::string Path = Dir + "/app" + (AppPath.ends_with(".ll") ? ".ll" : ".bc");
  if (auto Kept = MemoryBuffer::getFile(Path, false, false))
    if (xxh3_64bits(arrayRefFromStringRef((*Kept)->getBuffer())) == AppHash)
      return Error::success();
  auto App = MemoryBuffer::getFile(AppPath, false, false);
  if (!App)
    return createStringError(App.getError(), "cannot read %s",
                             AppPath.str().c_str());
  std::string Tmp = Path + ".tmp";
  if (Error E = writeDurably(Tmp, (*App)->getBuffer()))
    return E;
  if (::rename(Tmp.c_str(), Path.c_str()) != 0) {
    Error E = ioError("cannot rename", Tmp);
    ::unlink(Tmp.c_str());
    return E;
  }
  return syncDir(Dir);
}

std::optional<std::string> StateDir::keptApp(StringRef Dir) {
  for (const char *Name : {"/app.bc", "/app.ll"})
    if (sys::fs::exists(Dir + Name))
      return (Dir + Name).str();
  return std::nullopt;
}

Expected<std::pair<std::string, uint64_t>> StateDir::save(const Snapshot &S,
                                                          unsigned Keep) {
  std::string Bytes;
  raw_string_ostream OS(Bytes);
  writeSnapshot(S, OS);
  std::string Path = Dir + "/" + fileName(S.Boot);
  std::string Tmp = Path.substr(0, Path.size() - 5) + ".tmp";
  if (Error E = writeDurably(Tmp, Bytes))
    return std::move(E);
  if (::rename(Tmp.c_str(), Path.c_str()) != 0) {
    Error E = ioError("cannot rename", Tmp);
    ::unlink(Tmp.c_str());
    return std::move(E);
  }
  if (Error E = syncDir(Dir))
    return std::move(E);
  // Old snapshots go only once the new one is durable.
  Boots.insert(Boots.begin(), S.Boot);
  std::sort(Boots.rbegin(), Boots.rend());
  Boots.erase(std::unique(Boots.begin(), Boots.end()), Boots.end());
  for (size_t I = std::max<size_t>(Keep, 1); I < Boots.size(); ++I)
    ::unlink((Dir + "/" + fileName(Boots[I])).c_str());
  if (Boots.size() > Keep)
    Boots.resize(std::max<size_t>(Keep, 1));
  std::error_code EC;
  for (sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC))
    if (StringRef Name = sys::path::filename(It->path());
        Name.starts_with("boot_") && Name.ends_with(".tmp"))
      ::unlink(It->path().c_str());
  return std::make_pair(Path, static_cast<uint64_t>(Bytes.size()));
}

} // namespace gts
