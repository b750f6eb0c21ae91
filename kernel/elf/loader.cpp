#include "elf/loader.h"
#include "arch/cpu_features.h"
#include "elf/elf.h"
#include "elf/initial_stack.h"
#include "lib/string.h"
#include "linux/process.h"
#include "linux/syscall.h"
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

const char *loadSegments(fs::Fat16 &vol, fs::Node *node, const Image &img,
                         uint64_t *bytes) {
  // Map everything writable first (pages shared by two segments once),
  // copy the file bytes in, then give each page its final rights.
  for (int i = 0; i < img.segmentCount; ++i) {
    const Segment &s = img.segments[i];
    for (uint64_t pg = s.vaddr & ~(Page - 1); pg < s.vaddr + s.memsz;
         pg += Page)
      if (mm::userRangeFree(pg, Page) &&
          !mm::userMap(pg, Page, mm::prot::Read | mm::prot::Write))
        return "out of memory for page tables";
  }
  for (int i = 0; i < img.segmentCount; ++i) {
    const Segment &s = img.segments[i];
    if (!mm::userPopulate(s.vaddr, s.memsz, true))
      return "out of memory loading the program";
    int64_t n = vol.read(node, s.offset, reinterpret_cast<void *>(s.vaddr),
                         s.filesz);
    if (n < 0 || uint64_t(n) != s.filesz)
      return "read error loading the program";
    *bytes += s.filesz;
    // Bytes past filesz are zero (BSS), also in a page shared with data.
    lib::memFill(reinterpret_cast<void *>(s.vaddr + s.filesz), 0,
                 s.memsz - s.filesz);
  }
  for (int i = 0; i < img.segmentCount; ++i) {
    const Segment &s = img.segments[i];
    for (uint64_t pg = s.vaddr & ~(Page - 1); pg < s.vaddr + s.memsz;
         pg += Page)
      if (!mm::userProtect(pg, Page, pageProt(img, pg)))
        return "segments share a page that would be writable and executable";
  }
  return nullptr;
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

  // Stack: a lazily backed reserve under StackTop; the argument area is
  // populated now so that it can be written directly.
  uint64_t top = sys::StackTop, reserve = sys::StackReserve;
  if (!mm::userMap(top - reserve, reserve, mm::prot::Read | mm::prot::Write) ||
      !mm::userPopulate(top - ArgSpace, ArgSpace, true))
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
  out->rsp = buildInitialStack(reinterpret_cast<uint8_t *>(top - ArgSpace),
                               ArgSpace, top, p);
  if (!out->rsp)
    return "arguments do not fit in 64 KiB";
  out->entry = img.entry;
  out->brk = img.end;
  return nullptr;
}

} // namespace gts::elf
