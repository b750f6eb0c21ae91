#include "elf/loader.h"
#include "arch/cpu_features.h"
#include "arch/protection.h"
#include "arch/x86.h"
#include "elf/elf.h"
#include "elf/initial_stack.h"
#include "lib/string.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "mm/user_memory.h"

namespace gts::elf {
namespace {

constexpr uint64_t Page = mm::PageSize;
constexpr uint64_t ArgSpace = 64 * 1024; // strings, pointers, auxv

int protOf(uint32_t flags) {
  return ((flags & PfR) ? mm::prot::Read : 0) |
         ((flags & PfW) ? mm::prot::Write : 0) |
         ((flags & PfX) ? mm::prot::Exec : 0);
}

// Rights of one page: the union of every segment touching it.
int pageProt(const Image &img, uint64_t page) {
  int p = 0;
  for (int i = 0; i < img.segmentCount; ++i) {
    const Segment &s = img.segments[i];
    if (page < s.vaddr + s.memsz && s.vaddr < page + Page)
      p |= protOf(s.flags);
  }
  return p;
}

// Pages are mapped read-write (never executable) while the file is read
// into them, so the kernel keeps CR0.WP on; finalRights then gives each
// page its own rights, with one TLB flush for all.
constexpr int Fill = mm::prot::Read | mm::prot::Write;

const char *mapSegments(const Image &img) {
  // Every page gets a frame at once: one page-table write per page now,
  // one more for the final rights. Pages the file fills completely are not
  // cleared first.
  for (int i = 0; i < img.segmentCount; ++i) {
    const Segment &s = img.segments[i];
    uint64_t fileEnd = s.vaddr + s.filesz;
    for (uint64_t pg = s.vaddr & ~(Page - 1); pg < s.vaddr + s.memsz;
         pg += Page) {
      if (!mm::userRangeFree(pg, Page))
        continue; // shared with an earlier segment: already mapped
      if (mm::wxConflict(pageProt(img, pg)))
        return "segments share a page that would be writable and executable";
      bool full = pg >= s.vaddr && pg + Page <= fileEnd;
      if (!mm::userMap(pg, Page, Fill, true, !full))
        return "out of memory loading the program";
    }
  }
  return nullptr;
}

const char *readSegments(fs::Fat16 &vol, fs::Node *node, const Image &img,
                         uint64_t *bytes) {
  arch::UserAccess access; // the cache copies partial sectors in
  for (int i = 0; i < img.segmentCount; ++i) {
    const Segment &s = img.segments[i];
    int64_t n =
        vol.read(node, s.offset, reinterpret_cast<void *>(s.vaddr), s.filesz);
    if (n < 0 || uint64_t(n) != s.filesz)
      return "read error loading the program";
    *bytes += s.filesz;
    // Bytes past filesz are zero (BSS): fresh pages are, but the page that
    // holds the end of the file data was not cleared or may be shared.
    uint64_t tail = s.vaddr + s.filesz;
    uint64_t tailEnd = (tail + Page - 1) & ~(Page - 1);
    if (tailEnd > s.vaddr + s.memsz)
      tailEnd = s.vaddr + s.memsz;
    lib::memFill(reinterpret_cast<void *>(tail), 0, tailEnd - tail);
  }
  return nullptr;
}

// One userProtect per run of pages with the same rights (usually one per
// segment), one TLB flush at the end.
void finalRights(const Image &img) {
  for (int i = 0; i < img.segmentCount; ++i) {
    const Segment &s = img.segments[i];
    uint64_t end = (s.vaddr + s.memsz + Page - 1) & ~(Page - 1);
    uint64_t run = s.vaddr & ~(Page - 1);
    int runProt = pageProt(img, run);
    for (uint64_t pg = run; pg <= end; pg += Page) {
      int prot = pg < end ? pageProt(img, pg) : -1;
      if (prot == runProt)
        continue;
      if (runProt != Fill)
        mm::userProtect(run, pg - run, runProt, false);
      run = pg;
      runProt = prot;
    }
  }
  mm::flushTlbAll();
}

const char *loadSegments(fs::Fat16 &vol, fs::Node *node, const Image &img,
                         uint64_t *bytes) {
  const char *err = mapSegments(img);
  if (!err)
    err = readSegments(vol, node, img, bytes);
  if (!err)
    finalRights(img);
  return err;
}

} // namespace

const char *loadProgram(fs::Fat16 &vol, const char *path, int argc,
                        const char *const *argv, int envc,
                        const char *const *envp, Loaded *out) {
  fs::Node *node;
  if (vol.open(path, 0, &node) < 0)
    return "program not found";
  fs::Stat st;
  vol.stat(node, &st);
  static uint8_t head[4096];
  const char *err = nullptr;
  Image img;
  int64_t n = st.isDir ? -1 : vol.read(node, 0, head, sizeof head);
  if (n < 0)
    err = st.isDir ? "program is a directory" : "cannot read the program";
  else
    err = parse(head, size_t(n), st.size, &img);
  out->fileBytes = 0;
  if (!err)
    err = loadSegments(vol, node, img, &out->fileBytes);
  vol.close(node);
  if (err)
    return err;

  // Stack: a lazy region under StackTop; the argument area is populated
  // now so that it can be written directly.
  uint64_t top = sys::StackTop;
  mm::userSetLazyRegion(top - sys::StackReserve, top);
  if (!mm::userPopulate(top - ArgSpace, ArgSpace, true))
    return "out of memory for the stack";
  StackParams p{};
  p.argc = argc;
  p.argv = argv;
  p.envc = envc;
  p.envp = envp;
  p.execfn = path;
  sys::fillRandom(p.random, sizeof p.random);
  p.phdr = img.phdr;
  p.phnum = img.phnum;
  p.phent = img.phent;
  p.entry = img.entry;
  p.hwcap = arch::hwcap();
  {
    arch::UserAccess access;
    out->rsp = buildInitialStack(reinterpret_cast<uint8_t *>(top - ArgSpace),
                                 ArgSpace, top, p);
  }
  if (!out->rsp)
    return "arguments do not fit in 64 KiB";
  out->entry = img.entry;
  out->brk = img.end;
  return nullptr;
}

} // namespace gts::elf
