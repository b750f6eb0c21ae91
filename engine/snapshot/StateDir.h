// The --state folder: one snapshot per boot, DIR/boot_NNNN.snap.
//
// Saving is crash-safe: the new snapshot is written to boot_NNNN.tmp, synced,
// renamed to its name and the folder synced, so a crash at any instant leaves
// every earlier snapshot as it was (a stale .tmp is deleted by the next save).
#pragma once

#include "Snapshot.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace gts {

// Writes Data to Path and makes it durable (fsync) before returning; on
// failure no file is left.
llvm::Error writeDurably(const std::string &Path, llvm::StringRef Data);
// Makes the folder's entries (a rename, a new file) durable.
llvm::Error syncDir(const std::string &Dir);

class StateDir {
public:
  // Lists DIR (created if missing). Errors: DIR cannot be created or read.
  static llvm::Expected<StateDir> open(llvm::StringRef Dir);

  struct Loaded {
    std::string Path;
    Snapshot S;
  };
  // The newest snapshot not yet returned that reads correctly and fits
  // Config (any config if null); each one skipped gets one line on Log
  // naming file and reason.
  std::optional<Loaded> nextValid(const SnapshotConfig *Config,
                                  llvm::raw_ostream &Log);
  // Reports a snapshot that nextValid returned but the engine refused.
  static void skip(const std::string &Path, const llvm::Twine &Why,
                   llvm::raw_ostream &Log);

  // One more than the newest boot on disk (valid or not): boots count up.
  uint32_t nextBoot() const;
  // Writes S as boot_<S.Boot>.snap, then keeps only the Keep newest
  // snapshots. Returns the path and size written.
  llvm::Expected<std::pair<std::string, uint64_t>> save(const Snapshot &S,
                                                        unsigned Keep);

  static std::string fileName(uint32_t Boot);

  // Keeps a copy of the app (DIR/app.bc or DIR/app.ll, after AppPath's
  // extension) whose xxh3 is AppHash, so that the folder alone can be
  // exported. Written like a snapshot; nothing happens if it is there.
  llvm::Error keepApp(llvm::StringRef AppPath, uint64_t AppHash);
  // The app kept in Dir, if any.
  static std::optional<std::string> keptApp(llvm::StringRef Dir);

private:
  std::string Dir;
  std::vector<uint32_t> Boots; // on disk, newest first
  size_t Next = 0;             // position of nextValid in Boots
};

} // namespace gts
