#include "linux/memfd.h"
#include "arch/protection.h"
#include "lib/string.h"
#include "linux/syscall.h"
#include "linux/user_access.h"
#include "mm/kheap.h"
#include "mm/pmm.h"

namespace gts::sys {
namespace {

constexpr uint64_t Page = mm::PageSize;
constexpr uint64_t MaxSize = 1ull << 30;

int64_t sysMemfdCreate(const uint64_t *a) {
  char name[256];
  int64_t n = copyStringFromUser(name, sizeof name, a[0]);
  if (n < 0)
    return n == err::NameTooLong ? err::Inval : n;
  if (a[1] & ~uint64_t(3)) // MFD_CLOEXEC | MFD_ALLOW_SEALING only
    return err::Inval;
  auto *m = static_cast<MemFile *>(mm::kmalloc(sizeof(MemFile)));
  if (!m)
    return err::NoMem;
  *m = MemFile{1, 0, 0, 0, nullptr};
  for (int fd = 0; fd < MaxFds; ++fd) {
    File *f = fileSlot(fd);
    if (f->kind == File::Free) {
      *f = File{};
      f->kind = File::Memfd;
      f->flags = 2; // O_RDWR
      f->mem = m;
      return fd;
    }
  }
  mm::kfree(m);
  return err::MFile;
}

} // namespace

int64_t memfdTruncate(MemFile *m, uint64_t size) {
  if (size > MaxSize)
    return err::FBig;
  uint64_t pages = (size + Page - 1) / Page;
  if (pages > m->capacity) {
    uint64_t cap = m->capacity ? m->capacity * 2 : 16;
    while (cap < pages)
      cap *= 2;
    auto *f = static_cast<uint64_t *>(mm::kmalloc(cap * sizeof(uint64_t)));
    if (!f)
      return err::NoMem;
    if (m->frames)
      lib::memCopy(f, m->frames, m->pages * sizeof(uint64_t));
    mm::kfree(m->frames);
    m->frames = f;
    m->capacity = cap;
  }
  if (pages > m->pages) {
    if (!mm::allocZeroedFrames(m->frames + m->pages, pages - m->pages))
      return err::NoMem;
    m->pages = pages;
  }
  // Shrinking frees the frames past the end (a mapping that still shows
  // one holds its own reference: pmm shareFrame).
  for (uint64_t i = pages; i < m->pages; ++i)
    mm::freeFrame(m->frames[i]);
  if (pages < m->pages)
    m->pages = pages;
  m->size = size;
  return 0;
}

int64_t memfdIo(MemFile *m, uint64_t off, uint64_t user, uint64_t len,
                bool write) {
  if (write && off + len > m->size) {
    int64_t r = memfdTruncate(m, off + len);
    if (r < 0)
      return r;
  }
  if (off >= m->size)
    return 0;
  if (len > m->size - off)
    len = m->size - off;
  if (!mm::userPopulate(user, len, !write))
    return err::Fault;
  arch::UserAccess access;
  for (uint64_t done = 0; done < len;) {
    uint64_t pos = off + done, in = pos % Page;
    uint64_t n = Page - in < len - done ? Page - in : len - done;
    uint8_t *page =
        static_cast<uint8_t *>(mm::physToVirt(m->frames[pos / Page]));
    auto *u = reinterpret_cast<uint8_t *>(user + done);
    if (write)
      lib::memCopy(page + in, u, n);
    else
      lib::memCopy(u, page + in, n);
    done += n;
  }
  return int64_t(len);
}

void memfdRelease(MemFile *m) {
  if (--m->refs == 0) {
    // Frames still mapped stay until their last mapping goes.
    for (uint64_t i = 0; i < m->pages; ++i)
      mm::freeFrame(m->frames[i]);
    mm::kfree(m->frames);
    mm::kfree(m);
  }
}

void registerMemfd() { add(319, sysMemfdCreate); }

} // namespace gts::sys
