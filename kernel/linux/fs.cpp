// File system calls: descriptors over FAT16 nodes and the serial console.
#include "arch/protection.h"
#include "drivers/serial.h"
#include "lib/string.h"
#include "linux/files.h"
#include "linux/memfd.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "linux/user_access.h"
#include "mm/kheap.h"

namespace gts::sys {
namespace {

constexpr int OAccMode = 3, OWrOnly = 1, ORdWr = 2, OCreat = 0100, OExcl = 0200,
              OTrunc = 01000, OAppend = 02000, ODirectory = 0200000;
constexpr uint64_t AtRemoveDir = 0x200, AtEmptyPath = 0x1000;

fs::Fat16 &vol() { return *process().fs; }

int64_t newFd(const File &f) {
  for (int fd = 0; fd < MaxFds; ++fd) {
    File *slot = fileSlot(fd);
    if (slot->kind == File::Free) {
      *slot = f;
      return fd;
    }
  }
  return err::MFile;
}

bool canRead(const File &f) { return (f.flags & OAccMode) != OWrOnly; }
bool canWrite(const File &f) { return (f.flags & OAccMode) != 0; }

// Reads and writes go in chunks, each checked and faulted in just before
// it is used: a huge length over an unmapped range ends at the first bad
// chunk (a short count, or EFAULT) instead of backing the whole range.
constexpr uint64_t IoChunk = 1u << 20;

using ChunkIo = int64_t (*)(File &f, uint64_t buf, uint64_t len, uint64_t off,
                            bool advance);

int64_t chunked(ChunkIo io, bool toUser, File &f, uint64_t buf, uint64_t len,
                uint64_t off, bool advance) {
  uint64_t done = 0;
  while (done < len || len == 0) {
    uint64_t n = len - done < IoChunk ? len - done : IoChunk;
    if (!mm::userPopulate(buf + done, n, toUser))
      return done ? int64_t(done) : err::Fault;
    int64_t r;
    {
      arch::UserAccess access; // the device and the cache copy straight in
      r = io(f, buf + done, n, off + done, advance);
    }
    if (r < 0)
      return done ? int64_t(done) : r;
    done += uint64_t(r);
    if (uint64_t(r) < n || len == 0)
      break;
  }
  return int64_t(done);
}

int64_t readChunk(File &f, uint64_t buf, uint64_t len, uint64_t off,
                  bool advance) {
  if (f.kind == File::Console) {
    // No blocking console input: what is waiting, else end of file.
    uint64_t n = 0;
    for (int c; n < len && (c = drivers::serialTryRead()) >= 0; ++n)
      reinterpret_cast<char *>(buf)[n] = char(c);
    return int64_t(n);
  }
  if (f.kind == File::Memfd) {
    int64_t m = memfdIo(f.mem, off, buf, len, false);
    if (m > 0 && advance)
      f.offset += uint64_t(m);
    return m;
  }
  int64_t n = vol().read(f.node, off, reinterpret_cast<void *>(buf), len);
  if (n > 0 && advance)
    f.offset += uint64_t(n);
  return n;
}

int64_t writeChunk(File &f, uint64_t buf, uint64_t len, uint64_t off,
                   bool advance) {
  if (f.kind == File::Console) {
    drivers::serialWrite(reinterpret_cast<const char *>(buf), len);
    return int64_t(len);
  }
  if (f.kind == File::Memfd) {
    int64_t m = memfdIo(f.mem, off, buf, len, true);
    if (m > 0 && advance)
      f.offset = off + uint64_t(m);
    return m;
  }
  int64_t n =
      vol().write(f.node, off, reinterpret_cast<const void *>(buf), len);
  if (n > 0 && advance)
    f.offset = off + uint64_t(n);
  return n;
}

int64_t fileRead(File &f, uint64_t buf, uint64_t len, uint64_t off,
                 bool advance) {
  if (!canRead(f))
    return err::BadF;
  if (f.kind == File::Directory)
    return err::IsDir;
  return chunked(readChunk, true, f, buf, len, off, advance);
}

int64_t fileWrite(File &f, uint64_t buf, uint64_t len, uint64_t off,
                  bool advance) {
  if (!canWrite(f))
    return err::BadF;
  if (advance && (f.flags & OAppend) && f.kind == File::Regular) {
    fs::Stat st;
    vol().stat(f.node, &st);
    off = st.size;
  }
  if (advance && (f.flags & OAppend) && f.kind == File::Memfd)
    off = f.mem->size;
  return chunked(writeChunk, false, f, buf, len, off, advance);
}

int64_t sysRead(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  return f ? fileRead(*f, a[1], a[2], f->offset, true) : err::BadF;
}

int64_t sysWrite(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  return f ? fileWrite(*f, a[1], a[2], f->offset, true) : err::BadF;
}

int64_t sysPread(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  if (f->kind == File::Console)
    return err::SPipe;
  return int64_t(a[3]) < 0 ? err::Inval : fileRead(*f, a[1], a[2], a[3], false);
}

int64_t sysPwrite(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  if (f->kind == File::Console)
    return err::SPipe;
  return int64_t(a[3]) < 0 ? err::Inval
                           : fileWrite(*f, a[1], a[2], a[3], false);
}

struct IoVec {
  uint64_t base, len;
};

int64_t vectored(const uint64_t *a, bool write) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  if (a[2] > 1024)
    return err::Inval;
  int64_t total = 0;
  for (uint64_t i = 0; i < a[2]; ++i) {
    IoVec v;
    if (!copyFromUser(&v, a[1] + i * sizeof v, sizeof v))
      return err::Fault;
    int64_t n = write ? fileWrite(*f, v.base, v.len, f->offset, true)
                      : fileRead(*f, v.base, v.len, f->offset, true);
    if (n < 0)
      return total ? total : n;
    total += n;
    if (uint64_t(n) < v.len)
      break;
  }
  return total;
}

int64_t sysReadv(const uint64_t *a) { return vectored(a, false); }
int64_t sysWritev(const uint64_t *a) { return vectored(a, true); }

// /KERNEL.BIN and /CMDLINE.TXT (however the path names them): the FAT16
// layer resolves the path and process.h knows their entries.
bool isProtectedPath(const char *path) {
  fs::Stat st;
  return vol().stat(path, &st) == 0 && isProtectedIno(st.ino);
}

int64_t openPath(const char *path, int flags) {
  if (((flags & OAccMode) != 0 || (flags & OTrunc)) && isProtectedPath(path))
    return err::Acces;
  fs::Node *node;
  int r =
      vol().open(path, flags & (OCreat | OExcl | OTrunc | ODirectory), &node);
  if (r < 0)
    return r;
  File f;
  f.flags = flags;
  f.node = node;
  f.kind = File::Regular;
  fs::Stat st;
  vol().stat(node, &st);
  if (st.isDir) {
    if ((flags & OAccMode) == OWrOnly || (flags & OAccMode) == ORdWr) {
      vol().close(node);
      return err::IsDir;
    }
    f.kind = File::Directory;
    size_t n = lib::strLength(path) + 1;
    f.path = static_cast<char *>(mm::kmalloc(n));
    if (!f.path) {
      vol().close(node);
      return err::NoMem;
    }
    lib::memCopy(f.path, path, n);
  } else if (flags & ODirectory) {
    vol().close(node);
    return err::NotDir;
  }
  int64_t fd = newFd(f);
  if (fd < 0) {
    mm::kfree(f.path);
    vol().close(node);
  }
  return fd;
}

int64_t sysOpenat(const uint64_t *a) {
  char path[MaxPath];
  int64_t r = resolveAt(int64_t(a[0]), a[1], path);
  return r < 0 ? r : openPath(path, int(a[2]));
}

int64_t sysOpen(const uint64_t *a) {
  const uint64_t b[3] = {uint64_t(int64_t(AtFdCwd)), a[0], a[1]};
  return sysOpenat(b);
}

int64_t sysClose(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  if (f->node)
    vol().close(f->node);
  if (f->mem)
    memfdRelease(f->mem);
  mm::kfree(f->path);
  *f = File{};
  return 0;
}

int64_t sysLseek(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  if (f->kind == File::Console)
    return err::SPipe;
  int64_t off = int64_t(a[1]), base;
  switch (a[2]) {
  case 0:
    base = 0;
    break;
  case 1:
    base = int64_t(f->offset);
    break;
  case 2: {
    if (f->kind == File::Memfd) {
      base = int64_t(f->mem->size);
      break;
    }
    fs::Stat st;
    vol().stat(f->node, &st);
    base = int64_t(st.size);
    break;
  }
  default:
    return err::Inval;
  }
  if (base + off < 0)
    return err::Inval;
  f->offset = uint64_t(base + off);
  return int64_t(f->offset);
}

// struct stat of Linux x86-64.
struct LinuxStat {
  uint64_t dev, ino, nlink;
  uint32_t mode, uid, gid, pad0;
  uint64_t rdev;
  int64_t size, blksize, blocks;
  int64_t atime, atimeNs, mtime, mtimeNs, ctime, ctimeNs;
  int64_t reserved[3];
};
static_assert(sizeof(LinuxStat) == 144);

int64_t fillStat(const fs::Stat *st, bool console, uint64_t user) {
  LinuxStat s{};
  s.dev = 1;
  s.nlink = 1;
  if (console) {
    s.mode = 0020620; // character device, crw--w----
    s.rdev = (136u << 8);
    s.blksize = 1024;
  } else {
    s.ino = st->ino;
    s.mode = st->isDir ? 0040755 : 0100644;
    s.nlink = st->isDir ? 2 : 1;
    s.size = int64_t(st->size);
    s.blksize = st->blockSize;
    s.blocks = int64_t(st->blocks);
    s.atime = s.mtime = s.ctime = st->mtime;
  }
  return copyToUser(user, &s, sizeof s) ? 0 : err::Fault;
}

int64_t statFile(File &f, uint64_t user) {
  if (f.kind == File::Console)
    return fillStat(nullptr, true, user);
  if (f.kind == File::Memfd) {
    fs::Stat st{};
    st.size = f.mem->size;
    st.blocks = f.mem->pages * 8;
    st.blockSize = 4096;
    return fillStat(&st, false, user);
  }
  fs::Stat st;
  int r = vol().stat(f.node, &st);
  return r < 0 ? r : fillStat(&st, false, user);
}

int64_t sysFstat(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  return f ? statFile(*f, a[1]) : err::BadF;
}

int64_t sysNewfstatat(const uint64_t *a) {
  if (a[3] & AtEmptyPath) {
    char c;
    if (!copyFromUser(&c, a[1], 1))
      return err::Fault;
    if (c == 0) {
      if (int64_t(a[0]) == AtFdCwd) {
        fs::Stat st;
        int r = vol().stat("/", &st);
        return r < 0 ? r : fillStat(&st, false, a[2]);
      }
      File *f = fileFor(int64_t(a[0]));
      return f ? statFile(*f, a[2]) : err::BadF;
    }
  }
  char path[MaxPath];
  int64_t r = resolveAt(int64_t(a[0]), a[1], path);
  if (r < 0)
    return r;
  fs::Stat st;
  int s = vol().stat(path, &st);
  return s < 0 ? s : fillStat(&st, false, a[2]);
}

int64_t sysStat(const uint64_t *a) {
  const uint64_t b[4] = {uint64_t(int64_t(AtFdCwd)), a[0], a[1], 0};
  return sysNewfstatat(b);
}

int64_t sysGetdents64(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  if (f->kind != File::Directory)
    return err::NotDir;
  uint64_t buf = a[1], cap = a[2];
  if (cap > 64 * 1024) // a bigger buffer would only be faulted in
    cap = 64 * 1024;
  if (!mm::userPopulate(buf, cap, true))
    return err::Fault;
  arch::UserAccess access;
  uint64_t used = 0;
  static fs::DirEntry e; // 270 bytes: keep it off the kernel stack
  for (;;) {
    uint64_t pos = f->offset;
    int r = vol().readdir(f->node, &f->offset, &e);
    if (r < 0)
      return used ? int64_t(used) : r;
    if (r == 0)
      break;
    size_t nameLen = lib::strLength(e.name);
    uint64_t reclen = (19 + nameLen + 1 + 7) & ~uint64_t(7);
    if (used + reclen > cap) {
      f->offset = pos; // give this entry back for the next call
      if (!used)
        return err::Inval;
      break;
    }
    uint8_t *p = reinterpret_cast<uint8_t *>(buf + used);
    uint64_t ino = e.ino, off = f->offset;
    uint16_t rl = uint16_t(reclen);
    lib::memCopy(p, &ino, 8);
    lib::memCopy(p + 8, &off, 8);
    lib::memCopy(p + 16, &rl, 2);
    p[18] = e.isDir ? 4 : 8; // DT_DIR / DT_REG
    lib::memCopy(p + 19, e.name, nameLen + 1);
    used += reclen;
  }
  return int64_t(used);
}

int64_t sysMkdirat(const uint64_t *a) {
  char path[MaxPath];
  int64_t r = resolveAt(int64_t(a[0]), a[1], path);
  return r < 0 ? r : vol().mkdir(path);
}

int64_t sysMkdir(const uint64_t *a) {
  const uint64_t b[3] = {uint64_t(int64_t(AtFdCwd)), a[0], a[1]};
  return sysMkdirat(b);
}

int64_t sysUnlinkat(const uint64_t *a) {
  char path[MaxPath];
  int64_t r = resolveAt(int64_t(a[0]), a[1], path);
  if (r < 0)
    return r;
  if (a[2] & ~AtRemoveDir)
    return err::Inval;
  if (isProtectedPath(path))
    return err::Perm;
  return (a[2] & AtRemoveDir) ? vol().rmdir(path) : vol().unlink(path);
}

int64_t sysUnlink(const uint64_t *a) {
  const uint64_t b[3] = {uint64_t(int64_t(AtFdCwd)), a[0], 0};
  return sysUnlinkat(b);
}

int64_t sysRmdir(const uint64_t *a) {
  const uint64_t b[3] = {uint64_t(int64_t(AtFdCwd)), a[0], AtRemoveDir};
  return sysUnlinkat(b);
}

int64_t renameAt(int64_t oldDir, uint64_t oldPath, int64_t newDir,
                 uint64_t newPath) {
  char from[MaxPath], to[MaxPath];
  int64_t r = resolveAt(oldDir, oldPath, from);
  if (r < 0)
    return r;
  r = resolveAt(newDir, newPath, to);
  if (r < 0)
    return r;
  if (isProtectedPath(from) || isProtectedPath(to))
    return err::Perm;
  return vol().rename(from, to);
}

int64_t sysRenameat(const uint64_t *a) {
  return renameAt(int64_t(a[0]), a[1], int64_t(a[2]), a[3]);
}

int64_t sysRenameat2(const uint64_t *a) {
  return a[4] ? err::Inval : renameAt(int64_t(a[0]), a[1], int64_t(a[2]), a[3]);
}

int64_t sysRename(const uint64_t *a) {
  return renameAt(AtFdCwd, a[0], AtFdCwd, a[1]);
}

int64_t sysFtruncate(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (f && f->kind == File::Memfd)
    return int64_t(a[1]) < 0 ? err::Inval : memfdTruncate(f->mem, a[1]);
  if (!f || f->kind != File::Regular || !canWrite(*f))
    return f ? err::Inval : err::BadF;
  return int64_t(a[1]) < 0 ? err::Inval : vol().truncate(f->node, a[1]);
}

int64_t sysFsync(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  if (f->kind == File::Console || f->kind == File::Memfd)
    return 0;
  int r = vol().sync();
  // Without a flush command nothing says the device's cache reached the
  // medium: the data was written, durability is not known (EIO, as Linux
  // reports a failed flush).
  return r < 0 ? r : process().diskFlushes ? 0 : err::IO;
}

// sync(2) and syncfs(2): one volume, so both commit it (docs/FAT16.md).
int64_t sysSync(const uint64_t *) { return vol().sync(); }

int64_t sysSyncfs(const uint64_t *a) {
  return fileFor(int64_t(a[0])) ? vol().sync() : err::BadF;
}

int64_t sysReadlinkat(const uint64_t *a) {
  char path[MaxPath];
  int64_t r = resolveAt(int64_t(a[0]), a[1], path);
  if (r < 0)
    return r;
  if (int64_t(a[3]) <= 0)
    return err::Inval;
  if (lib::strCompare(path, "/proc/self/exe") != 0) {
    fs::Stat st;
    int s = vol().stat(path, &st);
    return s < 0 ? s : err::Inval; // FAT16 has no symbolic links
  }
  const char *exe = process().exePath;
  uint64_t n = lib::strLength(exe);
  if (n > a[3])
    n = a[3];
  return copyToUser(a[2], exe, n) ? int64_t(n) : err::Fault;
}

int64_t sysReadlink(const uint64_t *a) {
  const uint64_t b[4] = {uint64_t(int64_t(AtFdCwd)), a[0], a[1], a[2]};
  return sysReadlinkat(b);
}

int64_t sysFaccessat(const uint64_t *a) {
  char path[MaxPath];
  int64_t r = resolveAt(int64_t(a[0]), a[1], path);
  if (r < 0)
    return r;
  fs::Stat st;
  return vol().stat(path, &st);
}

int64_t sysAccess(const uint64_t *a) {
  const uint64_t b[3] = {uint64_t(int64_t(AtFdCwd)), a[0], a[1]};
  return sysFaccessat(b);
}

int64_t sysIoctl(const uint64_t *a) {
  // No terminal anywhere: TCGETS and friends say so, which also makes
  // stdio fully buffer the console.
  return fileFor(int64_t(a[0])) ? err::NoTty : err::BadF;
}

int64_t dupTo(File *f, int64_t target) {
  if (f->node)
    vol().retain(f->node);
  if (f->mem)
    ++f->mem->refs;
  File copy = *f;
  if (f->path) {
    size_t n = lib::strLength(f->path) + 1;
    copy.path = static_cast<char *>(mm::kmalloc(n));
    if (!copy.path)
      return err::NoMem;
    lib::memCopy(copy.path, f->path, n);
  }
  if (target < 0)
    return newFd(copy);
  File *t = fileSlot(int(target));
  if (t->kind != File::Free) {
    const uint64_t c[1] = {uint64_t(target)};
    sysClose(c);
  }
  *t = copy;
  return target;
}

int64_t sysDup(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  return f ? dupTo(f, -1) : err::BadF;
}

int64_t sysDup2(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  if (int64_t(a[1]) < 0 || int64_t(a[1]) >= MaxFds)
    return err::BadF;
  return a[0] == a[1] ? int64_t(a[1]) : dupTo(f, int64_t(a[1]));
}

int64_t sysFcntl(const uint64_t *a) {
  File *f = fileFor(int64_t(a[0]));
  if (!f)
    return err::BadF;
  switch (a[1]) {
  case 0:    // F_DUPFD
  case 1030: // F_DUPFD_CLOEXEC
    return dupTo(f, -1);
  case 1: // F_GETFD
  case 2: // F_SETFD: no exec, so close-on-exec means nothing
    return 0;
  case 3: // F_GETFL
    return f->flags;
  case 4: // F_SETFL: only O_APPEND may change
    f->flags = (f->flags & ~OAppend) | int(a[2] & OAppend);
    return 0;
  default:
    return err::Inval;
  }
}

// struct statfs for the one FAT16 volume (MSDOS_SUPER_MAGIC).
int64_t fillStatfs(uint64_t user) {
  uint64_t s[15] = {};
  uint64_t cluster = vol().clusterSize();
  s[0] = 0x4D44;                                             // f_type
  s[1] = cluster;                                            // f_bsize
  s[2] = process().volumeSectors * fs::SectorSize / cluster; // f_blocks
  s[3] = s[4] = vol().freeClusters(); // f_bfree, f_bavail
  s[8] = 255;                         // f_namelen
  s[9] = cluster;                     // f_frsize
  return copyToUser(user, s, sizeof s) ? 0 : err::Fault;
}

int64_t sysStatfs(const uint64_t *a) {
  char path[MaxPath];
  int64_t r = resolveAt(AtFdCwd, a[0], path);
  if (r < 0)
    return r;
  fs::Stat st;
  int s = vol().stat(path, &st);
  return s < 0 ? s : fillStatfs(a[1]);
}

int64_t sysFstatfs(const uint64_t *a) {
  return fileFor(int64_t(a[0])) ? fillStatfs(a[1]) : err::BadF;
}

int64_t sysGetcwd(const uint64_t *a) {
  if (a[1] < 2)
    return err::Range;
  return copyToUser(a[0], "/", 2) ? int64_t(a[0]) : err::Fault;
}

} // namespace

void registerFs() {
  add(0, sysRead);
  add(1, sysWrite);
  add(2, sysOpen);
  add(3, sysClose);
  add(4, sysStat);
  add(5, sysFstat);
  add(6, sysStat); // lstat: no symbolic links on FAT16
  add(8, sysLseek);
  add(16, sysIoctl);
  add(17, sysPread);
  add(18, sysPwrite);
  add(19, sysReadv);
  add(20, sysWritev);
  add(21, sysAccess);
  add(32, sysDup);
  add(33, sysDup2);
  add(72, sysFcntl);
  add(74, sysFsync);
  add(75, sysFsync); // fdatasync
  add(162, sysSync);
  add(306, sysSyncfs);
  add(77, sysFtruncate);
  add(79, sysGetcwd);
  add(82, sysRename);
  add(83, sysMkdir);
  add(84, sysRmdir);
  add(87, sysUnlink);
  add(89, sysReadlink);
  add(137, sysStatfs);
  add(138, sysFstatfs);
  add(217, sysGetdents64);
  add(257, sysOpenat);
  add(258, sysMkdirat);
  add(262, sysNewfstatat);
  add(263, sysUnlinkat);
  add(264, sysRenameat);
  add(267, sysReadlinkat);
  add(269, sysFaccessat);
  add(316, sysRenameat2);
  add(439, sysFaccessat); // faccessat2
}

} // namespace gts::sys
