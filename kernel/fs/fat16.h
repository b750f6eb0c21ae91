// FAT16 file system over a BlockDevice: the kernel's only file system.
//
// Contract for the syscall layer:
// - Paths are absolute ('/' separated, leading '/' optional, "." and ".."
//   resolved against the real directory entries). The caller joins the cwd.
// - Lookup is case-insensitive against both the long (VFAT LFN) and the 8.3
//   name. Names that are not plain 8.3 (lower case, long, several dots) are
//   created with LFN entries plus a generated ~N short alias, so
//   "tinyllama.bc" keeps its spelling in listings, in mtools and in Linux.
// - Every fallible call returns 0 / a byte count, or a negative Linux errno
//   (-ENOENT, -EEXIST, ...) that can go straight back to user space.
// - Open files are Nodes owned by the file system and reference counted:
//   opening the same file twice yields the same Node, so all descriptors see
//   one size. Unlinking an open file removes its name at once and frees its
//   clusters at the last close (POSIX semantics).
// - Writes go through a write-back sector cache (bcache.h) and an in-memory
//   FAT (fat_table.h); sync() (fsync) and unmount() commit them in crash-safe
//   order (commit.cpp): file data, FAT allocations, directory sectors, FAT
//   frees, with a device flush between the steps. rename() over an existing
//   file commits in one directory sector. A volume whose FAT[1] says it was
//   not cleanly unmounted is checked and repaired by mount() (repair.cpp).
//   docs/FAT16.md has the design.
// - A Fat16 object is about 310 KiB (two copies of the whole FAT): make it
//   a global (all-zero, so .bss) or allocate it. Calls use up to ~7 KiB of
//   stack (rename is the deepest). Not thread-safe: callers serialise.
#pragma once
#include "bcache.h"
#include "block_device.h"
#include "fat_table.h"
#include <stddef.h>
#include <stdint.h>

namespace gts::fs {

// Linux errno values, negated at the return site.
namespace err {
inline constexpr int NoEnt = -2;
inline constexpr int IO = -5;
inline constexpr int BadF = -9;
inline constexpr int NoMem = -12;
inline constexpr int Busy = -16;
inline constexpr int Exist = -17;
inline constexpr int NotDir = -20;
inline constexpr int IsDir = -21;
inline constexpr int Inval = -22;
inline constexpr int MFile = -24; // too many open Nodes
inline constexpr int FBig = -27;
inline constexpr int NoSpc = -28;
inline constexpr int NameTooLong = -36;
inline constexpr int NotEmpty = -39;
} // namespace err

// open() flags: the Linux x86-64 O_* values, so they pass through unchanged.
// A write access mode (O_WRONLY/O_RDWR) or O_TRUNC on a directory gives
// -EISDIR; O_APPEND and permission checks are the syscall layer's business.
namespace oflag {
inline constexpr int Creat = 0100;
inline constexpr int Excl = 0200;
inline constexpr int Trunc = 01000;
inline constexpr int Directory = 0200000;
} // namespace oflag

inline constexpr uint32_t MaxName = 255;  // bytes of one path component
inline constexpr uint32_t MaxNodes = 256; // open files + directories at once

// An open file or directory. Opaque to callers: use the Fat16 methods.
struct Node {
  uint32_t refs;
  uint32_t size;
  uint16_t firstCluster; // 0: empty file, or the root directory
  bool isDir;
  bool isRoot;
  uint32_t entryLba; // sector holding the 8.3 entry (0 once unlinked)
  uint16_t entryIdx; // entry index inside that sector
  uint16_t mdate, mtime;
  // Last cluster reached by a walk: makes sequential I/O linear, not O(n^2).
  uint32_t walkIndex;
  uint16_t walkCluster;
};

struct Stat {
  uint64_t ino; // stable while the file keeps its name
  uint64_t size;
  uint64_t blocks;    // 512-byte units allocated
  uint32_t blockSize; // cluster size
  bool isDir;
  int64_t mtime; // Unix seconds (DOS times are local time; taken as UTC)
};

// What mount() repaired on a volume that was not cleanly unmounted.
struct RepairStats {
  bool wasDirty;
  uint32_t fatSectors;   // FAT #2 sectors rewritten from FAT #1
  uint32_t lostClusters; // in use in the FAT, used by no file: freed
  uint32_t sizes;        // files cut to their chain, chains cut to their size
  uint32_t crossLinks;   // entries sharing clusters with an earlier one
  uint32_t orphanNames;  // LFN slots without their 8.3 entry
  uint32_t endMarks;     // end-of-directory marks before live entries
};

struct DirEntry {
  uint64_t ino;
  bool isDir;
  uint32_t size;
  char name[MaxName + 1]; // NUL-terminated; LFN when present
};

class Fat16 {
public:
  // Validates the BPB of the FAT16 volume at `startLba`; -EINVAL if it is
  // not a sane FAT16 volume, -EIO if the device fails. A volume marked
  // dirty is checked and repaired first (repairStats() tells what).
  int mount(BlockDevice &dev, uint64_t startLba);
  // Syncs and forgets the device. Open Nodes become invalid.
  int unmount();
  bool mounted() const { return dev_ != nullptr; }
  // Commits everything in crash-safe order and marks the volume clean.
  int sync();
  const RepairStats &repairStats() const { return repair_; }

  // Resolves `path`; with oflag::Creat creates a regular file. On success
  // *out holds a referenced Node that must be given back with close().
  int open(const char *path, int flags, Node **out);
  // Takes another reference (dup, fork). The root Node is not counted.
  void retain(Node *n) { ++n->refs; }
  void close(Node *n);

  // Byte counts or -errno. Reads stop at end of file; writes past the end
  // zero-fill the gap. Directories give -EISDIR.
  int64_t read(Node *n, uint64_t offset, void *buf, size_t len);
  int64_t write(Node *n, uint64_t offset, const void *buf, size_t len);
  int truncate(Node *n, uint64_t size);
  int stat(Node *n, Stat *out);
  int stat(const char *path, Stat *out);

  // Directory listing for getdents64: fills *out with the entry at or after
  // cursor *pos and advances *pos past it. Returns 1 with an entry, 0 at the
  // end, or -errno. Start with *pos = 0; "." and ".." are included for
  // subdirectories (they exist on disk), volume labels are skipped.
  int readdir(Node *dir, uint64_t *pos, DirEntry *out);

  int mkdir(const char *path);
  int rmdir(const char *path);
  int unlink(const char *path);
  // Moves or renames within or across directories; replaces an existing
  // file target (like rename(2)) and an empty directory target.
  int rename(const char *from, const char *to);

  // Clock for new timestamps, in Unix seconds; none: 2026-01-01.
  void setClock(int64_t (*now)()) { now_ = now; }

  uint32_t clusterSize() const { return clusterBytes_; }
  uint32_t freeClusters() const;

private:
  struct Loc;
  struct Path;

  // Sector cache. Pointers returned stay valid until the next call.
  uint8_t *sector(uint64_t lba, bool forWrite,
                  BufferCache::Kind kind = BufferCache::Data);
  uint8_t *dirSector(uint64_t lba, bool forWrite) {
    return sector(lba, forWrite, BufferCache::Meta);
  }
  int rawIO(uint64_t lba, uint32_t count, void *buf, bool write);
  // Ordered write-out (commit.cpp); `clean` marks the volume clean after.
  int commit(bool clean);
  // Mount-time check and repair (repair.cpp).
  int repair();
  int repairFats();
  int repairDir(Node *dir, uint32_t *queued);
  int repairEntry(Node *dir, uint32_t slot, uint32_t lfnStart, const uint8_t *e,
                  uint32_t *queued);
  uint32_t keepChain(uint16_t first, uint32_t need, bool *cut);
  bool usable(uint16_t c) const;
  int eraseSlots(Node *dir, uint32_t from, uint32_t to);
  // FAT and cluster chains.
  bool validCluster(uint32_t c) const {
    return c >= 2 && c < clusterCount_ + 2;
  }
  uint64_t clusterLba(uint16_t c) const;
  void fatSet(uint16_t c, uint16_t v);
  int allocCluster(uint16_t prev, bool zero, uint16_t *out);
  void freeChain(uint16_t first);
  int clusterOf(Node *n, uint32_t index, bool grow, uint16_t *out);
  int zeroCluster(uint16_t c);
  // File data.
  int64_t transfer(Node *n, uint64_t offset, uint8_t *buf, size_t len,
                   bool write);
  int64_t writeRange(Node *n, uint64_t offset, const uint8_t *src, size_t len);
  // Directories.
  int dirSlot(Node *dir, uint32_t slot, bool grow, uint64_t *lba);
  int nextEntry(Node *dir, uint32_t *slot, Loc *loc);
  int lookup(Node *dir, const char *name, size_t len, Loc *loc);
  int walkParent(const Path &p, Node **dir);
  int openParent(const char *path, int rootErr, Path &p, Node **dir);
  int addEntry(Node *dir, const char *name, size_t len, const uint8_t *proto,
               Loc *loc);
  int removeEntry(const Loc &loc);
  int shortAlias(Node *dir, const char *name, size_t len, uint8_t out[11],
                 uint8_t *caseBits, bool *needLfn);
  int shortExists(Node *dir, const uint8_t name[11]);
  int isEmptyDir(Node *dir);
  int isAncestor(uint16_t dirCluster, Node *of);
  int makeDirCluster(uint16_t parentCluster, uint16_t *out);
  // Nodes.
  Node *nodeAt(const Loc &loc, int *errOut);
  Node *findOpen(uint64_t lba, uint16_t idx);
  int syncEntry(Node *n);
  void stamp(uint16_t *date, uint16_t *time) const;
  int dropTarget(const Loc &loc);
  int renameIn(Node *srcDir, const Path &src, Node *dstDir, const Path &dst);
  int replaceFile(const Loc &from, const Loc &to);

  BlockDevice *dev_ = nullptr;
  uint64_t start_ = 0;
  uint32_t fatLba_ = 0, fatSectors_ = 0, numFats_ = 0;
  uint32_t rootLba_ = 0, rootEntries_ = 0, dataLba_ = 0;
  uint32_t secPerCluster_ = 0, clusterBytes_ = 0, clusterCount_ = 0;
  uint32_t nextFree_ = 0; // all-zero defaults: a global Fat16 lands in .bss
  int64_t (*now_)() = nullptr;

  FatTable fat_;
  BufferCache cache_;
  RepairStats repair_{};
  // Repair scratch: clusters some entry uses, directories left to visit.
  uint8_t used_[FatTable::Entries / 8];
  uint16_t dirQueue_[4096];
  bool queueFull_ = false;
  Node root_{};
  Node nodes_[MaxNodes];
};

} // namespace gts::fs
