#include "fs/fat16.h"
#include "fs/fat_bytes.h"
#include "lib/string.h"

namespace gts::fs {

using lib::memCompare;
using lib::memCopy;
using lib::memFill;
using lib::toUpper;

namespace {

constexpr uint8_t AttrVolume = 0x08, AttrDir = 0x10, AttrArchive = 0x20;
constexpr uint8_t AttrLfn = 0x0F;
constexpr uint8_t LowerBase = 0x08, LowerExt = 0x10; // NT case bits, byte 12
constexpr uint16_t EndOfChain = 0xFFFF;
constexpr uint32_t MaxDirSlots = 65536;  // FAT limit; also stops cyclic dirs
constexpr uint32_t MaxRunSectors = 2048; // 1 MiB per device request
constexpr uint32_t MaxDepth = 64;
constexpr uint32_t MaxLfnSlots = 20; // 20 * 13 >= 255 characters
// Where the 13 UCS-2 characters of an LFN slot live.
constexpr uint8_t LfnOffsets[13] = {1,  3,  5,  7,  9,  14, 16,
                                    18, 20, 22, 24, 28, 30};
const uint8_t ZeroSector[SectorSize] = {};

// Civil-date arithmetic (proleptic Gregorian), integer only.
int64_t daysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civilFromDays(int64_t z, int64_t *y, int64_t *m, int64_t *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

int64_t dosToUnix(uint16_t date, uint16_t time) {
  int64_t days = daysFromCivil(1980 + (date >> 9), (date >> 5) & 15, date & 31);
  return days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60 +
         (time & 31) * 2;
}

bool isShortChar(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
      (c >= '0' && c <= '9'))
    return true;
  for (const char *p = "$%'-_@~`!(){}^#&"; *p; ++p)
    if (c == *p)
      return true;
  return false;
}

bool isLongChar(uint16_t c) {
  if (c < 0x20 || c == 0x7F)
    return false;
  for (const char *p = "\"*/:<>?\\|"; *p; ++p)
    if (c == uint16_t(*p))
      return false;
  return true;
}

// UTF-8 (1 to 3 byte sequences: LFNs hold UCS-2) to UCS-2; -1 if invalid.
int utf8ToUcs2(const char *s, size_t len, uint16_t *out, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < len; ++n) {
    uint8_t b = uint8_t(s[i]);
    uint32_t c, extra;
    if (b < 0x80)
      c = b, extra = 0;
    else if ((b & 0xE0) == 0xC0)
      c = b & 0x1F, extra = 1;
    else if ((b & 0xF0) == 0xE0)
      c = b & 0x0F, extra = 2;
    else
      return -1;
    if (i + extra >= len + (extra ? 0 : 1) || n >= max)
      return -1;
    for (uint32_t k = 1; k <= extra; ++k) {
      if ((uint8_t(s[i + k]) & 0xC0) != 0x80)
        return -1;
      c = c << 6 | (uint8_t(s[i + k]) & 0x3F);
    }
    if ((extra == 1 && c < 0x80) || (extra == 2 && c < 0x800))
      return -1; // overlong
    out[n] = uint16_t(c);
    i += extra + 1;
  }
  return int(n);
}

size_t ucs2ToUtf8(const uint16_t *in, size_t n, char *out, size_t max) {
  size_t o = 0;
  for (size_t i = 0; i < n; ++i) {
    uint16_t c = in[i];
    size_t need = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (o + need >= max)
      break;
    if (need == 1) {
      out[o++] = char(c);
    } else if (need == 2) {
      out[o++] = char(0xC0 | c >> 6);
      out[o++] = char(0x80 | (c & 0x3F));
    } else {
      out[o++] = char(0xE0 | c >> 12);
      out[o++] = char(0x80 | ((c >> 6) & 0x3F));
      out[o++] = char(0x80 | (c & 0x3F));
    }
  }
  out[o] = 0;
  return o;
}

// "NAME    EXT" to "NAME.EXT", honouring the NT lower-case bits.
void formatShort(const uint8_t *e, char *out) {
  size_t o = 0;
  for (int i = 0; i < 8 && e[i] != ' '; ++i) {
    char c = char(i == 0 && e[0] == 0x05 ? 0xE5 : e[i]);
    out[o++] = (e[12] & LowerBase) ? lib::toLower(c) : c;
  }
  if (e[8] != ' ')
    out[o++] = '.';
  for (int i = 8; i < 11 && e[i] != ' '; ++i)
    out[o++] = (e[12] & LowerExt) ? lib::toLower(char(e[i])) : char(e[i]);
  out[o] = 0;
}

bool sameName(const char *a, const char *b, size_t len) {
  for (size_t i = 0; i < len; ++i)
    if (toUpper(a[i]) != toUpper(b[i]) || !a[i])
      return false;
  return a[len] == 0;
}

// Plain 8.3 name with each part in one case: no LFN needed.
bool fitsShort(const char *name, size_t len, uint8_t out[11], uint8_t *bits) {
  memFill(out, ' ', 11);
  *bits = 0;
  size_t i = 0, n = 0;
  bool upper = false, lower = false;
  for (; i < len && name[i] != '.'; ++i, ++n) {
    if (n == 8 || !isShortChar(name[i]))
      return false;
    upper |= name[i] >= 'A' && name[i] <= 'Z';
    lower |= name[i] >= 'a' && name[i] <= 'z';
    out[n] = uint8_t(toUpper(name[i]));
  }
  if (n == 0 || (upper && lower))
    return false;
  *bits = lower ? LowerBase : 0;
  if (i == len)
    return true;
  upper = lower = false;
  for (++i, n = 8; i < len; ++i, ++n) {
    if (n == 11 || !isShortChar(name[i]))
      return false;
    upper |= name[i] >= 'A' && name[i] <= 'Z';
    lower |= name[i] >= 'a' && name[i] <= 'z';
    out[n] = uint8_t(toUpper(name[i]));
  }
  if (n == 8 || (upper && lower))
    return false;
  *bits |= lower ? LowerExt : 0;
  return true;
}

} // namespace

// A directory entry found by nextEntry: where its slots are and its names.
struct Fat16::Loc {
  Node *dir;
  uint32_t firstSlot, slot; // LFN slots (if any) through the 8.3 slot
  uint64_t lba;
  uint16_t idx;
  uint8_t ent[32];
  char shortName[13];
  char longName[MaxName * 3 + 1]; // UTF-8; empty without LFN
};

// A path split into components, with "." and ".." already applied: FAT has
// no links, so lexical resolution is exact.
struct Fat16::Path {
  const char *part[MaxDepth];
  uint16_t len[MaxDepth];
  uint32_t count;
  bool dirOnly; // a trailing '/' names a directory
};

namespace {
int splitPath(const char *path, const char **part, uint16_t *len,
              uint32_t *count, bool *dirOnly) {
  *count = 0;
  size_t n = lib::strLength(path);
  *dirOnly = n && path[n - 1] == '/';
  for (const char *p = path; *p;) {
    while (*p == '/')
      ++p;
    const char *s = p;
    while (*p && *p != '/')
      ++p;
    size_t n = size_t(p - s);
    if (n == 0 || (n == 1 && s[0] == '.'))
      continue;
    if (n == 2 && s[0] == '.' && s[1] == '.') {
      *count -= *count > 0;
      continue;
    }
    if (n > MaxName)
      return err::NameTooLong;
    if (*count == MaxDepth)
      return err::NameTooLong;
    part[*count] = s;
    len[(*count)++] = uint16_t(n);
  }
  return 0;
}
} // namespace

// ---- Mounting -------------------------------------------------------------

int Fat16::mount(BlockDevice &dev, uint64_t startLba) {
  dev_ = nullptr;
  uint8_t b[SectorSize];
  if (startLba >= dev.sectorCount())
    return err::Inval;
  if (!dev.read(startLba, 1, b))
    return err::IO;
  uint32_t bps = rd16(b + 11), spc = b[13], reserved = rd16(b + 14);
  uint32_t fats = b[16], rootEnts = rd16(b + 17), fatSz = rd16(b + 22);
  uint32_t total = rd16(b + 19) ? rd16(b + 19) : rd32(b + 32);
  if (b[510] != 0x55 || b[511] != 0xAA || bps != SectorSize || spc == 0 ||
      (spc & (spc - 1)) || reserved == 0 || fats == 0 || fats > 4 ||
      rootEnts == 0 || rootEnts % 16 || fatSz == 0)
    return err::Inval;
  uint32_t meta = reserved + fats * fatSz + rootEnts / 16;
  if (total <= meta || total > dev.sectorCount() - startLba)
    return err::Inval; // inconsistent, or the image is truncated
  uint32_t clusters = (total - meta) / spc;
  if (clusters < 4085 || clusters >= 65525 || fatSz * 256 < clusters + 2)
    return err::Inval; // FAT12 or FAT32 by the spec's rule
  start_ = startLba;
  fatLba_ = reserved;
  fatSectors_ = fatSz;
  numFats_ = fats;
  rootLba_ = reserved + fats * fatSz;
  rootEntries_ = rootEnts;
  dataLba_ = meta;
  secPerCluster_ = spc;
  clusterBytes_ = spc * SectorSize;
  clusterCount_ = clusters;
  nextFree_ = 2;
  uint32_t fatRead = (clusters + 2 + 255) / 256;
  fat_.setLayout(startLba + fatLba_, fatSz, fats, fatRead);
  if (!fat_.load(dev, startLba + fatLba_, fatRead))
    return err::IO;
  cache_.reset(&dev);
  for (auto &n : nodes_)
    n.refs = 0;
  root_ = Node{};
  root_.isDir = root_.isRoot = true;
  root_.refs = 1;
  dev_ = &dev;
  repair_ = RepairStats{};
  if (int r = repair()) {
    dev_ = nullptr;
    return r;
  }
  return 0;
}

int Fat16::unmount() {
  if (!dev_)
    return err::Inval;
  // Files unlinked while open would otherwise stay allocated for good.
  for (auto &n : nodes_)
    if (n.refs && n.entryLba == 0) {
      freeChain(n.firstCluster);
      n.refs = 0;
    }
  int r = sync();
  dev_ = nullptr;
  return r;
}

int Fat16::sync() { return dev_ ? commit(true) : err::IO; }

uint32_t Fat16::freeClusters() const {
  uint32_t n = 0;
  for (uint32_t c = 2; c < clusterCount_ + 2; ++c)
    n += fat_.get(c) == 0;
  return n;
}

// ---- Sector cache ---------------------------------------------------------

int Fat16::rawIO(uint64_t lba, uint32_t count, void *buf, bool write) {
  bool ok = write ? dev_->write(lba, count, buf) : dev_->read(lba, count, buf);
  return ok ? 0 : err::IO;
}

// A cache full of pinned directory sectors is emptied by a commit, which
// leaves the volume marked dirty: the operation under way is not complete.
uint8_t *Fat16::sector(uint64_t lba, bool forWrite, BufferCache::Kind kind) {
  uint8_t *p = cache_.get(lba, forWrite, kind);
  if (!p && cache_.full() && commit(false) == 0)
    p = cache_.get(lba, forWrite, kind);
  return p;
}

// ---- FAT and chains -------------------------------------------------------

uint64_t Fat16::clusterLba(uint16_t c) const {
  return start_ + dataLba_ + uint64_t(c - 2) * secPerCluster_;
}

void Fat16::fatSet(uint16_t c, uint16_t v) { fat_.set(c, v); }

int Fat16::zeroCluster(uint16_t c) {
  uint64_t lba = clusterLba(c);
  cache_.drop(lba, secPerCluster_);
  for (uint32_t s = 0; s < secPerCluster_; ++s)
    if (rawIO(lba + s, 1, const_cast<uint8_t *>(ZeroSector), true))
      return err::IO;
  return 0;
}

// Prefers the cluster right after `prev` so files stay contiguous. Clusters
// that the disk still uses are not taken until a commit has freed them.
int Fat16::allocCluster(uint16_t prev, bool zero, uint16_t *out) {
  // A chain cut short in memory that grows again: commit the cut first, so
  // the disk never links the old tail from a new directory entry.
  if (prev && fat_.relinks(prev))
    if (int r = commit(false))
      return r;
  uint32_t first = prev && validCluster(prev + 1u) ? prev + 1u : nextFree_;
  for (uint32_t i = 0; i < clusterCount_; ++i) {
    uint32_t c = 2 + (first - 2 + i) % clusterCount_;
    if (!fat_.allocatable(c)) {
      if (i + 1 == clusterCount_ && fat_.freesPending())
        if (int r = commit(false); r == 0)
          i = uint32_t(-1); // frees are on the disk now: scan again
      continue;
    }
    if (zero && zeroCluster(uint16_t(c)))
      return err::IO;
    fatSet(uint16_t(c), EndOfChain);
    if (prev)
      fatSet(prev, uint16_t(c));
    nextFree_ = c + 1 < clusterCount_ + 2 ? c + 1 : 2;
    *out = uint16_t(c);
    return 0;
  }
  return err::NoSpc;
}

void Fat16::freeChain(uint16_t c) {
  for (uint32_t steps = 0; validCluster(c) && steps < clusterCount_; ++steps) {
    uint16_t next = fat_.get(c);
    fatSet(c, 0);
    c = next;
  }
}

// Cluster number `index` of n's chain; with `grow`, extends the chain.
// -ENOENT past the end, -EIO on a broken chain.
int Fat16::clusterOf(Node *n, uint32_t index, bool grow, uint16_t *out) {
  if (n->firstCluster == 0) {
    if (!grow)
      return err::NoEnt;
    uint16_t c;
    if (int r = allocCluster(0, n->isDir, &c))
      return r;
    n->firstCluster = c;
    n->walkIndex = 0;
    n->walkCluster = 0;
    if (int r = syncEntry(n))
      return r;
  }
  uint32_t i = 0;
  uint16_t c = n->firstCluster;
  if (n->walkCluster && n->walkIndex <= index) {
    i = n->walkIndex;
    c = n->walkCluster;
  }
  if (!validCluster(c))
    return err::IO;
  for (; i < index; ++i) {
    uint16_t next = fat_.get(c);
    if (next >= 0xFFF8) {
      if (!grow)
        return err::NoEnt;
      if (int r = allocCluster(c, n->isDir, &next))
        return r;
    } else if (!validCluster(next) || i > clusterCount_) {
      return err::IO; // broken or cyclic chain
    }
    c = next;
  }
  n->walkIndex = i;
  n->walkCluster = c;
  *out = c;
  return 0;
}

// ---- File data ------------------------------------------------------------

// Moves bytes between `buf` and the file's clusters, which must exist
// (except that writes extend the chain). Whole sectors go straight to the
// device in runs over contiguous clusters; partial ones through the cache.
int64_t Fat16::transfer(Node *n, uint64_t offset, uint8_t *buf, size_t len,
                        bool write) {
  size_t done = 0;
  // A failure after some progress reports the progress (the caller then
  // records the new size); the next call reports the error.
  auto stop = [&](int r) { return done ? int64_t(done) : int64_t(r); };
  while (done < len) {
    uint64_t pos = offset + done;
    uint16_t c;
    int r = clusterOf(n, uint32_t(pos / clusterBytes_), write, &c);
    if (r)
      return stop(r == err::NoEnt ? err::IO : r); // chain shorter than size
    uint32_t inCluster = uint32_t(pos % clusterBytes_);
    uint64_t lba = clusterLba(c) + inCluster / SectorSize;
    uint32_t inSector = inCluster % SectorSize;
    size_t left = len - done;
    if (inSector || left < SectorSize) {
      uint8_t *s = sector(lba, write);
      if (!s)
        return stop(err::IO);
      size_t k = SectorSize - inSector < left ? SectorSize - inSector : left;
      if (write)
        memCopy(s + inSector, buf ? buf + done : ZeroSector, k);
      else
        memCopy(buf + done, s + inSector, k);
      done += k;
      continue;
    }
    uint32_t run = secPerCluster_ - inCluster / SectorSize;
    for (uint16_t d = c; buf && fat_.get(d) == d + 1u && validCluster(d + 1u) &&
                         run + secPerCluster_ <= MaxRunSectors;
         ++d)
      run += secPerCluster_; // extend over contiguous clusters
    uint32_t want = uint32_t(left / SectorSize);
    if (!buf)
      run = 1; // zero-filling reuses one zero sector
    if (run > want)
      run = want;
    auto *p = buf ? buf + done : const_cast<uint8_t *>(ZeroSector);
    if (write)
      cache_.drop(lba, run);
    if (rawIO(lba, run, p, write))
      return stop(err::IO);
    if (!write)
      cache_.overlay(lba, run, p);
    done += size_t(run) * SectorSize;
  }
  return int64_t(done);
}

int64_t Fat16::read(Node *n, uint64_t offset, void *buf, size_t len) {
  if (!dev_)
    return err::IO;
  if (n->isDir)
    return err::IsDir;
  if (offset >= n->size)
    return 0;
  if (len > n->size - offset)
    len = size_t(n->size - offset);
  return transfer(n, offset, static_cast<uint8_t *>(buf), len, false);
}

// Writes `len` bytes (zeros when src is null) and moves the size forward.
int64_t Fat16::writeRange(Node *n, uint64_t offset, const uint8_t *src,
                          size_t len) {
  int64_t r = transfer(n, offset, const_cast<uint8_t *>(src), len, true);
  if (r > 0 && offset + uint64_t(r) > n->size)
    n->size = uint32_t(offset + uint64_t(r));
  stamp(&n->mdate, &n->mtime);
  int s = syncEntry(n);
  return r < 0 ? r : s ? s : r;
}

int64_t Fat16::write(Node *n, uint64_t offset, const void *buf, size_t len) {
  if (!dev_)
    return err::IO;
  if (n->isDir)
    return err::IsDir;
  if (len == 0)
    return 0;
  if (offset + len > 0xFFFFFFFFull)
    return err::FBig;
  if (offset > n->size) {
    int64_t r = writeRange(n, n->size, nullptr, size_t(offset - n->size));
    if (r < 0)
      return r;
    if (uint64_t(r) < offset - n->size)
      return err::NoSpc;
  }
  // Allocate the whole range first so the chain comes out contiguous; on
  // ENOSPC the loop below writes what fits. The walk position is kept so
  // that sequential writes stay linear.
  uint32_t walkIndex = n->walkIndex;
  uint16_t walkCluster = n->firstCluster ? n->walkCluster : 0, last;
  int r =
      clusterOf(n, uint32_t((offset + len - 1) / clusterBytes_), true, &last);
  if (r && r != err::NoSpc)
    return r;
  n->walkIndex = walkIndex;
  n->walkCluster = walkCluster;
  return writeRange(n, offset, static_cast<const uint8_t *>(buf), len);
}

int Fat16::truncate(Node *n, uint64_t size) {
  if (!dev_)
    return err::IO;
  if (n->isDir)
    return err::IsDir;
  if (size > 0xFFFFFFFFull)
    return err::FBig;
  if (size > n->size) {
    int64_t r = writeRange(n, n->size, nullptr, size_t(size - n->size));
    return r < 0 ? int(r) : n->size == size ? 0 : err::NoSpc;
  }
  uint32_t keep = uint32_t((size + clusterBytes_ - 1) / clusterBytes_);
  if (keep == 0) {
    freeChain(n->firstCluster);
    n->firstCluster = 0;
  } else {
    uint16_t c;
    if (int r = clusterOf(n, keep - 1, false, &c))
      return r == err::NoEnt ? err::IO : r;
    if (fat_.get(c) < 0xFFF8)
      freeChain(fat_.get(c));
    fatSet(c, EndOfChain);
  }
  n->walkCluster = 0;
  n->size = uint32_t(size);
  stamp(&n->mdate, &n->mtime);
  return syncEntry(n);
}

// ---- Directories ----------------------------------------------------------

int Fat16::dirSlot(Node *dir, uint32_t slot, bool grow, uint64_t *lba) {
  if (dir->isRoot) {
    if (slot >= rootEntries_)
      return grow ? err::NoSpc : err::NoEnt;
    *lba = start_ + rootLba_ + slot / 16;
    return 0;
  }
  if (slot >= MaxDirSlots)
    return grow ? err::NoSpc : err::NoEnt;
  uint32_t byte = slot * 32;
  uint16_t c;
  if (int r = clusterOf(dir, byte / clusterBytes_, grow, &c))
    return r;
  *lba = clusterLba(c) + byte % clusterBytes_ / SectorSize;
  return 0;
}

// Next live entry at or after *slot, with its long name assembled from the
// LFN slots before it (ignored if their sequence or checksum is off).
int Fat16::nextEntry(Node *dir, uint32_t *slot, Loc *loc) {
  uint16_t lfn[MaxLfnSlots * 13];
  int expect = -1;
  uint32_t lfnSlots = 0, lfnStart = 0;
  uint8_t sum = 0;
  for (; *slot < MaxDirSlots; ++*slot) {
    uint64_t lba;
    int r = dirSlot(dir, *slot, false, &lba);
    if (r)
      return r == err::NoEnt ? 0 : r;
    const uint8_t *s = dirSector(lba, false);
    if (!s)
      return err::IO;
    const uint8_t *e = s + (*slot % 16) * 32;
    if (e[0] == 0)
      return 0;
    if (e[0] == 0xE5) {
      expect = -1;
      continue;
    }
    if ((e[11] & 0x3F) == AttrLfn) {
      uint32_t ord = e[0] & 0x1F;
      if (e[0] & 0x40) {
        expect = ord;
        lfnSlots = ord;
        lfnStart = *slot;
        sum = e[13];
      }
      if (ord == 0 || ord > MaxLfnSlots || int(ord) != expect || e[13] != sum) {
        expect = -1;
        continue;
      }
      for (int k = 0; k < 13; ++k)
        lfn[(ord - 1) * 13 + k] = rd16(e + LfnOffsets[k]);
      expect = int(ord) - 1;
      continue;
    }
    if (e[11] & AttrVolume) {
      expect = -1;
      continue;
    }
    loc->dir = dir;
    loc->slot = *slot;
    loc->lba = lba;
    loc->idx = uint16_t(*slot % 16);
    memCopy(loc->ent, e, 32);
    formatShort(e, loc->shortName);
    loc->longName[0] = 0;
    loc->firstSlot = *slot;
    if (expect == 0 && lfnChecksum(e) == sum) {
      size_t n = 0;
      while (n < lfnSlots * 13 && lfn[n])
        ++n;
      ucs2ToUtf8(lfn, n, loc->longName, sizeof(loc->longName));
      loc->firstSlot = lfnStart;
    }
    ++*slot;
    return 1;
  }
  return 0;
}

int Fat16::lookup(Node *dir, const char *name, size_t len, Loc *loc) {
  uint32_t slot = 0;
  int r;
  while ((r = nextEntry(dir, &slot, loc)) == 1)
    if (sameName(loc->longName, name, len) ||
        sameName(loc->shortName, name, len))
      return 0;
  return r ? r : err::NoEnt;
}

// Opens the directory holding the last component of `p` (p.count >= 1).
int Fat16::walkParent(const Path &p, Node **dir) {
  Node *cur = &root_;
  for (uint32_t i = 0; i + 1 < p.count; ++i) {
    Loc loc;
    int r = lookup(cur, p.part[i], p.len[i], &loc);
    Node *next = r ? nullptr : nodeAt(loc, &r);
    close(cur);
    if (r)
      return r;
    if (!next->isDir) {
      close(next);
      return err::NotDir;
    }
    cur = next;
  }
  *dir = cur;
  return 0;
}

int Fat16::shortExists(Node *dir, const uint8_t name[11]) {
  Loc loc;
  uint32_t slot = 0;
  int r;
  while ((r = nextEntry(dir, &slot, &loc)) == 1)
    if (memCompare(loc.ent, name, 11) == 0)
      return 1;
  return r;
}

// The 8.3 name for a new entry: the name itself when it is plain 8.3,
// otherwise a unique "BASIS~N.EXT" alias next to LFN slots.
int Fat16::shortAlias(Node *dir, const char *name, size_t len, uint8_t out[11],
                      uint8_t *caseBits, bool *needLfn) {
  *needLfn = !fitsShort(name, len, out, caseBits);
  if (!*needLfn)
    return 0;
  *caseBits = 0;
  size_t dot = len;
  for (size_t i = len; i-- > 1;)
    if (name[i] == '.') {
      dot = i;
      break;
    }
  char base[8], ext[3];
  size_t nb = 0, ne = 0;
  for (size_t i = 0; i < dot && nb < 8; ++i)
    if (name[i] != ' ' && name[i] != '.')
      base[nb++] = isShortChar(name[i]) ? toUpper(name[i]) : '_';
  for (size_t i = dot + 1; i < len && ne < 3; ++i)
    if (name[i] != ' ' && name[i] != '.')
      ext[ne++] = isShortChar(name[i]) ? toUpper(name[i]) : '_';
  if (nb == 0)
    base[nb++] = '_';
  for (uint32_t n = 1; n < 1000000; ++n) {
    char digits[8];
    size_t nd = 0;
    for (uint32_t v = n; v; v /= 10)
      digits[nd++] = char('0' + v % 10);
    size_t keep = nb < 7 - nd ? nb : 7 - nd;
    memFill(out, ' ', 11);
    memCopy(out, base, keep);
    out[keep] = '~';
    for (size_t k = 0; k < nd; ++k)
      out[keep + 1 + k] = uint8_t(digits[nd - 1 - k]);
    memCopy(out + 8, ext, ne);
    int r = shortExists(dir, out);
    if (r <= 0)
      return r;
  }
  return err::Exist;
}

// Writes a new entry (LFN slots + 8.3 slot) named `name`, copying attribute,
// cluster, size and times from the 32-byte `proto`.
int Fat16::addEntry(Node *dir, const char *name, size_t len,
                    const uint8_t *proto, Loc *loc) {
  if (len > MaxName)
    return err::NameTooLong;
  uint16_t ucs[MaxName];
  int n = utf8ToUcs2(name, len, ucs, MaxName);
  if (n <= 0)
    return err::Inval;
  for (int i = 0; i < n; ++i)
    if (!isLongChar(ucs[i]))
      return err::Inval;
  if (ucs[n - 1] == '.' || ucs[n - 1] == ' ')
    return err::Inval; // Windows would silently strip them
  uint8_t ent[32], caseBits;
  bool needLfn;
  memCopy(ent, proto, 32);
  if (int r = shortAlias(dir, name, len, ent, &caseBits, &needLfn))
    return r;
  ent[12] = caseBits;
  uint32_t lfnSlots = needLfn ? uint32_t(n + 12) / 13 : 0;
  uint32_t need = lfnSlots + 1;
  // Find `need` consecutive free slots, growing the directory if needed.
  uint32_t run = 0, slot = 0;
  for (; run < need; ++slot) {
    uint64_t lba;
    if (int r = dirSlot(dir, slot, true, &lba))
      return r;
    const uint8_t *s = dirSector(lba, false);
    if (!s)
      return err::IO;
    uint8_t first = s[(slot % 16) * 32];
    run = (first == 0 || first == 0xE5) ? run + 1 : 0;
  }
  uint32_t firstSlot = slot - need;
  uint8_t sum = lfnChecksum(ent);
  for (uint32_t k = 0; k < need; ++k) {
    uint64_t lba;
    if (int r = dirSlot(dir, firstSlot + k, false, &lba))
      return r;
    uint8_t *s = dirSector(lba, true);
    if (!s)
      return err::IO;
    uint8_t *e = s + ((firstSlot + k) % 16) * 32;
    if (k == lfnSlots) {
      memCopy(e, ent, 32);
      loc->lba = lba;
      loc->idx = uint16_t((firstSlot + k) % 16);
      break;
    }
    uint32_t ord = lfnSlots - k; // LFN slots are stored last part first
    memFill(e, 0, 32);
    e[0] = uint8_t(ord | (k == 0 ? 0x40 : 0));
    e[11] = AttrLfn;
    e[13] = sum;
    for (uint32_t c = 0; c < 13; ++c) {
      uint32_t at = (ord - 1) * 13 + c;
      wr16(e + LfnOffsets[c], at < uint32_t(n)    ? ucs[at]
                              : at == uint32_t(n) ? 0
                                                  : 0xFFFF);
    }
  }
  loc->dir = dir;
  loc->firstSlot = firstSlot;
  loc->slot = firstSlot + lfnSlots;
  memCopy(loc->ent, ent, 32);
  return 0;
}

int Fat16::removeEntry(const Loc &loc) {
  for (uint32_t s = loc.firstSlot; s <= loc.slot; ++s) {
    uint64_t lba;
    if (int r = dirSlot(loc.dir, s, false, &lba))
      return r;
    uint8_t *p = dirSector(lba, true);
    if (!p)
      return err::IO;
    p[(s % 16) * 32] = 0xE5;
  }
  return 0;
}

// 1 if only "." and ".." are left, 0 if not, or -errno.
int Fat16::isEmptyDir(Node *dir) {
  Loc loc;
  uint32_t slot = 0;
  int r;
  while ((r = nextEntry(dir, &slot, &loc)) == 1)
    if (loc.ent[0] != '.')
      return 0;
  return r ? r : 1;
}

// Whether directory cluster `dirCluster` is `of` or one of its ancestors:
// moving a directory below itself would detach it from the tree.
int Fat16::isAncestor(uint16_t dirCluster, Node *of) {
  uint16_t c = of->firstCluster;
  for (uint32_t depth = 0; c && depth < MaxDepth * 4; ++depth) {
    if (c == dirCluster)
      return 1;
    const uint8_t *s = dirSector(clusterLba(c), false);
    if (!s)
      return err::IO;
    if (s[32] != '.' || s[33] != '.')
      return err::IO;
    c = rd16(s + 32 + 26); // the ".." entry
    if (c && !validCluster(c))
      return err::IO;
  }
  return 0;
}

void Fat16::stamp(uint16_t *date, uint16_t *time) const {
  int64_t t = now_ ? now_() : 1767225600; // 2026-01-01T00:00:00Z
  int64_t y, m, d, days = t / 86400, secs = t % 86400;
  civilFromDays(days, &y, &m, &d);
  if (y < 1980)
    y = 1980, m = 1, d = 1, secs = 0;
  if (y > 2107)
    y = 2107;
  *date = uint16_t((y - 1980) << 9 | m << 5 | d);
  *time = uint16_t(secs / 3600 << 11 | secs / 60 % 60 << 5 | secs % 60 / 2);
}

// A fresh directory cluster with "." and "..", written straight to the
// disk: nothing on the disk uses the cluster yet, and the entry naming the
// directory must not reach the disk before it.
int Fat16::makeDirCluster(uint16_t parentCluster, uint16_t *out) {
  uint16_t c;
  if (int r = allocCluster(0, true, &c))
    return r;
  uint8_t s[SectorSize] = {};
  uint16_t date, time;
  stamp(&date, &time);
  for (int k = 0; k < 2; ++k) {
    uint8_t *e = s + k * 32;
    memFill(e, ' ', 11);
    e[0] = '.';
    if (k)
      e[1] = '.';
    e[11] = AttrDir;
    wr16(e + 14, time);
    wr16(e + 16, date);
    wr16(e + 18, date);
    wr16(e + 22, time);
    wr16(e + 24, date);
    wr16(e + 26, k ? parentCluster : c);
  }
  if (rawIO(clusterLba(c), 1, s, true)) {
    freeChain(c);
    return err::IO;
  }
  *out = c;
  return 0;
}

// ---- Nodes ----------------------------------------------------------------

Node *Fat16::findOpen(uint64_t lba, uint16_t idx) {
  for (auto &n : nodes_)
    if (n.refs && n.entryLba == lba && n.entryIdx == idx)
      return &n;
  return nullptr;
}

Node *Fat16::nodeAt(const Loc &loc, int *errOut) {
  const uint8_t *e = loc.ent;
  bool dir = e[11] & AttrDir;
  uint16_t cluster = rd16(e + 26);
  if (dir && cluster == 0) // ".." of a top-level directory
    return &root_;
  if (Node *n = findOpen(loc.lba, loc.idx)) {
    ++n->refs;
    return n;
  }
  for (auto &n : nodes_) {
    if (n.refs)
      continue;
    n = Node{};
    n.refs = 1;
    n.size = dir ? 0 : rd32(e + 28);
    n.firstCluster = cluster;
    n.isDir = dir;
    n.entryLba = uint32_t(loc.lba);
    n.entryIdx = loc.idx;
    n.mtime = rd16(e + 22);
    n.mdate = rd16(e + 24);
    return &n;
  }
  *errOut = err::MFile;
  return nullptr;
}

int Fat16::syncEntry(Node *n) {
  if (n->isRoot || n->entryLba == 0)
    return 0;
  uint8_t *s = dirSector(n->entryLba, true);
  if (!s)
    return err::IO;
  uint8_t *e = s + n->entryIdx * 32;
  wr16(e + 26, n->firstCluster);
  wr16(e + 22, n->mtime);
  wr16(e + 24, n->mdate);
  if (!n->isDir) {
    wr32(e + 28, n->size);
    e[11] |= AttrArchive;
  }
  return 0;
}

void Fat16::close(Node *n) {
  if (!n || n->isRoot || n->refs == 0 || --n->refs)
    return;
  if (n->entryLba == 0) // unlinked while open: its data goes now
    freeChain(n->firstCluster);
}

// Removes an existing rename target or unlinked entry; open Nodes keep their
// clusters until the last close.
int Fat16::dropTarget(const Loc &loc) {
  if (int r = removeEntry(loc))
    return r;
  if (Node *n = findOpen(loc.lba, loc.idx)) {
    n->entryLba = 0;
    return 0;
  }
  freeChain(rd16(loc.ent + 26));
  return 0;
}

// ---- Public path operations -----------------------------------------------

// The directory holding a path's last component; a path naming the root
// itself gets RootErr. The caller closes *dir.
int Fat16::openParent(const char *path, int rootErr, Path &p, Node **dir) {
  if (!dev_)
    return err::IO;
  if (int r = splitPath(path, p.part, p.len, &p.count, &p.dirOnly))
    return r;
  if (p.count == 0)
    return rootErr;
  return walkParent(p, dir);
}

int Fat16::open(const char *path, int flags, Node **out) {
  if (!dev_)
    return err::IO;
  Path p;
  if (int r = splitPath(path, p.part, p.len, &p.count, &p.dirOnly))
    return r;
  bool excl = (flags & oflag::Creat) && (flags & oflag::Excl);
  bool writes = (flags & 3) || (flags & oflag::Trunc);
  Node *n = &root_;
  if (p.count == 0) {
    if (excl)
      return err::Exist;
    if (writes || (flags & oflag::Creat))
      return err::IsDir;
    *out = n;
    return 0;
  }
  Node *dir;
  if (int r = walkParent(p, &dir))
    return r;
  Loc loc;
  const char *leaf = p.part[p.count - 1];
  int r = lookup(dir, leaf, p.len[p.count - 1], &loc);
  if (r == err::NoEnt && (flags & oflag::Creat) &&
      !(flags & oflag::Directory)) {
    uint8_t proto[32] = {};
    proto[11] = AttrArchive;
    uint16_t date, time;
    stamp(&date, &time);
    wr16(proto + 14, time);
    wr16(proto + 16, date);
    wr16(proto + 18, date);
    wr16(proto + 22, time);
    wr16(proto + 24, date);
    r = addEntry(dir, leaf, p.len[p.count - 1], proto, &loc);
  } else if (r == 0 && excl) {
    r = err::Exist;
  }
  n = r ? nullptr : nodeAt(loc, &r);
  close(dir);
  if (r)
    return r;
  if (n->isDir && (writes || (flags & oflag::Creat)))
    r = err::IsDir;
  else if (!n->isDir && ((flags & oflag::Directory) || p.dirOnly))
    r = err::NotDir;
  else if (!n->isDir && (flags & oflag::Trunc) && n->size)
    r = truncate(n, 0);
  if (r) {
    close(n);
    return r;
  }
  *out = n;
  return 0;
}

int Fat16::stat(Node *n, Stat *out) {
  out->ino = n->isRoot ? 1 : uint64_t(n->entryLba) << 4 | n->entryIdx;
  out->size = n->size;
  out->isDir = n->isDir;
  out->blockSize = clusterBytes_;
  // Files: derived from the size (fstat must stay O(1)); directories: the
  // chain is short, walk it.
  uint64_t clusters = (n->size + clusterBytes_ - 1) / clusterBytes_;
  if (n->isDir) {
    clusters = 0;
    for (uint16_t c = n->firstCluster;
         validCluster(c) && clusters <= clusterCount_; c = fat_.get(c))
      ++clusters;
  }
  out->blocks = n->isRoot ? rootEntries_ / 16 : clusters * secPerCluster_;
  out->mtime = n->isRoot ? 0 : dosToUnix(n->mdate, n->mtime);
  return 0;
}

int Fat16::stat(const char *path, Stat *out) {
  Node *n;
  if (int r = open(path, 0, &n))
    return r;
  int r = stat(n, out);
  close(n);
  return r;
}

int Fat16::readdir(Node *dir, uint64_t *pos, DirEntry *out) {
  if (!dev_)
    return err::IO;
  if (!dir->isDir)
    return err::NotDir;
  if (*pos >= MaxDirSlots)
    return 0;
  Loc loc;
  uint32_t slot = uint32_t(*pos);
  int r = nextEntry(dir, &slot, &loc);
  if (r != 1)
    return r;
  *pos = slot;
  out->ino = loc.lba << 4 | loc.idx;
  out->isDir = loc.ent[11] & AttrDir;
  out->size = out->isDir ? 0 : rd32(loc.ent + 28);
  const char *name = loc.longName[0] ? loc.longName : loc.shortName;
  size_t n = lib::strLength(name);
  if (n > MaxName)
    name = loc.shortName, n = lib::strLength(name);
  memCopy(out->name, name, n + 1);
  return 1;
}

int Fat16::mkdir(const char *path) {
  Path p;
  Node *dir;
  if (int r = openParent(path, err::Exist, p, &dir))
    return r;
  Loc loc;
  const char *leaf = p.part[p.count - 1];
  int r = lookup(dir, leaf, p.len[p.count - 1], &loc);
  uint16_t c = 0;
  if (r == 0)
    r = err::Exist;
  else if (r == err::NoEnt)
    r = makeDirCluster(dir->firstCluster, &c);
  if (r == 0) {
    const uint8_t *s = dirSector(clusterLba(c), false);
    uint8_t proto[32];
    if (s)
      memCopy(proto, s, 32); // "." carries attr, cluster and times
    r = s ? addEntry(dir, leaf, p.len[p.count - 1], proto, &loc) : err::IO;
    if (r)
      freeChain(c);
  }
  close(dir);
  return r;
}

int Fat16::unlink(const char *path) {
  Path p;
  Node *dir;
  if (int r = openParent(path, err::IsDir, p, &dir))
    return r;
  Loc loc;
  int r = lookup(dir, p.part[p.count - 1], p.len[p.count - 1], &loc);
  if (r == 0)
    r = (loc.ent[11] & AttrDir) ? err::IsDir
        : p.dirOnly             ? err::NotDir
                                : dropTarget(loc);
  close(dir);
  return r;
}

int Fat16::rmdir(const char *path) {
  Path p;
  Node *dir;
  if (int r = openParent(path, err::Busy, p, &dir))
    return r;
  Loc loc;
  int r = lookup(dir, p.part[p.count - 1], p.len[p.count - 1], &loc);
  Node *victim = r ? nullptr : nodeAt(loc, &r);
  if (victim) {
    r = !victim->isDir ? err::NotDir : isEmptyDir(victim);
    r = r == 1 ? 0 : r == 0 ? err::NotEmpty : r;
    if (r == 0)
      r = dropTarget(loc);
    close(victim);
  }
  close(dir);
  return r;
}

int Fat16::rename(const char *from, const char *to) {
  if (!dev_)
    return err::IO;
  Path src, dst;
  if (int r = splitPath(from, src.part, src.len, &src.count, &src.dirOnly))
    return r;
  if (int r = splitPath(to, dst.part, dst.len, &dst.count, &dst.dirOnly))
    return r;
  if (src.count == 0 || dst.count == 0)
    return err::Busy;
  Node *srcDir, *dstDir;
  if (int r = walkParent(src, &srcDir))
    return r;
  if (int r = walkParent(dst, &dstDir)) {
    close(srcDir);
    return r;
  }
  int r = renameIn(srcDir, src, dstDir, dst);
  close(srcDir);
  close(dstDir);
  return r;
}

int Fat16::renameIn(Node *srcDir, const Path &src, Node *dstDir,
                    const Path &dst) {
  Loc from, to;
  const char *dstLeaf = dst.part[dst.count - 1];
  size_t dstLen = dst.len[dst.count - 1];
  if (int r = lookup(srcDir, src.part[src.count - 1], src.len[src.count - 1],
                     &from))
    return r;
  bool isDir = from.ent[11] & AttrDir;
  uint16_t cluster = rd16(from.ent + 26);
  if (isDir && !validCluster(cluster))
    return err::IO;
  if (isDir) {
    int r = isAncestor(cluster, dstDir);
    if (r)
      return r < 0 ? r : err::Inval;
  }
  int r = lookup(dstDir, dstLeaf, dstLen, &to);
  bool sameEntry = r == 0 && to.lba == from.lba && to.idx == from.idx;
  if (r && r != err::NoEnt)
    return r;
  if (r == 0 && !sameEntry) {
    bool toDir = to.ent[11] & AttrDir;
    if (isDir != toDir)
      return isDir ? err::NotDir : err::IsDir;
    if (!toDir)
      return replaceFile(from, to);
    int dummy = 0;
    Node *t = nodeAt(to, &dummy);
    if (!t)
      return dummy;
    int e = isEmptyDir(t);
    close(t);
    if (e != 1)
      return e < 0 ? e : err::NotEmpty;
    if (int e = dropTarget(to))
      return e;
  }
  const char *oldName = from.longName[0] ? from.longName : from.shortName;
  if (sameEntry && lib::strLength(oldName) == dstLen &&
      memCompare(oldName, dstLeaf, dstLen) == 0)
    return 0; // same name, same spelling
  // New entry first: a failure leaves the file under its old name. In
  // another sector it is committed on its own, so power lost in between
  // leaves two names for one chain (the mount-time repair keeps the first
  // it finds), never none.
  if (int e = addEntry(dstDir, dstLeaf, dstLen, from.ent, &to))
    return e;
  if (to.lba != from.lba)
    if (int e = commit(false))
      return e;
  if (int e = removeEntry(from))
    return e;
  if (Node *n = findOpen(from.lba, from.idx)) {
    n->entryLba = uint32_t(to.lba);
    n->entryIdx = to.idx;
  }
  if (isDir && srcDir->firstCluster != dstDir->firstCluster) {
    uint8_t *s = dirSector(clusterLba(cluster), true);
    if (!s)
      return err::IO;
    wr16(s + 32 + 26, dstDir->firstCluster); // ".." follows the move
  }
  return 0;
}

// rename() over an existing file. The commit point is one sector write: the
// target's 8.3 entry takes over the source's chain and size, so the target
// name holds the old content before it and the new content after it. The
// source's slots are erased before (in that same write when they share the
// sector; otherwise in a commit of their own, and power lost between the two
// leaves the new chain used by no entry: the mount-time repair frees it).
// The old chain is freed after, by the commit's last FAT step.
int Fat16::replaceFile(const Loc &from, const Loc &to) {
  if (int r = removeEntry(from))
    return r;
  if (from.lba != to.lba)
    if (int r = commit(false))
      return r;
  uint8_t *s = dirSector(to.lba, true);
  if (!s)
    return err::IO;
  uint8_t *e = s + to.idx * 32;
  uint16_t oldCluster = rd16(e + 26);
  e[11] = from.ent[11];
  memCopy(e + 13, from.ent + 13, 19); // times, cluster, size
  if (Node *old = findOpen(to.lba, to.idx))
    old->entryLba = 0; // open: its clusters go at the last close
  else
    freeChain(oldCluster);
  if (Node *n = findOpen(from.lba, from.idx)) {
    n->entryLba = uint32_t(to.lba);
    n->entryIdx = to.idx;
  }
  return 0;
}

} // namespace gts::fs
