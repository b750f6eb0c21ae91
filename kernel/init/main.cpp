// Kernel entry point: brings the machine up in dependency order, then runs
// the program named by /CMDLINE.TXT (or on trial /CMDLINE.NEW: init/boot_ab.h)
// and powers off with its exit status.
#include "arch/cpu_features.h"
#include "arch/gdt.h"
#include "arch/pic.h"
#include "arch/protection.h"
#include "arch/syscall.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "boot/boot_info.h"
#include "drivers/clock.h"
#include "drivers/console.h"
#include "drivers/pci.h"
#include "drivers/poweroff.h"
#include "drivers/serial.h"
#include "drivers/virtio_blk.h"
#include "elf/loader.h"
#include "fs/fat16.h"
#include "init/boot_ab.h"
#include "init/boot_choice.h"
#include "init/cmdline.h"
#include "init/partition.h"
#include "lib/string.h"
#include "linux/files.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "mm/kheap.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "mm/user_memory.h"
#include "mm/wx_audit.h"
#include "sched/sampler.h"
#include "sched/scheduler.h"

using namespace gts;

extern "C" void (*__init_array_start[])(), (*__init_array_end[])();

namespace {

constexpr uint64_t MainStackBytes = 64 * 1024;
drivers::VirtioBlk disk;
fs::Fat16 volume;

// During a trial of /CMDLINE.NEW, a boot failure is the trial's failure.
[[noreturn]] void bootFailure(const char *what, const char *why) {
  kprintf("boot: %s: %s\n", what, why);
  int status = drivers::StatusBootFailure;
  if (init::trialPending()) {
    char reason[256];
    ksnprintf(reason, sizeof reason, "%s: %s", what, why);
    status = init::failTrial(reason);
  }
  if (volume.mounted())
    volume.unmount();
  drivers::powerOff(status);
}

// Ring 3 faults: a backtrace through the program's frame pointers (when it
// keeps them), then the disk is synced and the program's status is 126.
void onUserFault(arch::TrapFrame *f) {
  kprintf("user backtrace (rip first):\n  %016lx\n", f->rip);
  arch::UserAccess access;
  uint64_t rbp = f->rbp;
  for (int i = 0; i < 16 && rbp && !(rbp & 7); ++i) {
    if (!mm::userPopulate(rbp, 16, false))
      break;
    uint64_t ret = reinterpret_cast<uint64_t *>(rbp)[1];
    if (!ret)
      break;
    kprintf("  %016lx\n", ret);
    rbp = reinterpret_cast<uint64_t *>(rbp)[0];
  }
  const char *why = f->vector == 14 ? "a page fault" : "a CPU exception";
  kprintf("kernel: program killed by %s\n", why);
  sys::killProcess(why);
}

// Zeroing frames by DMA from the empty gap between stage 2 (LBA 1..8) and
// the partition pays off where guest kernel code is emulated (kvm-pvm: a
// CPU-zeroed page costs ~0.4 ms). Measured, not assumed: whichever is
// faster for 16 pages wins.
void chooseFrameZeroing(uint64_t partitionStart) {
  constexpr uint64_t GapStart = 9;
  // 32 pages are enough (fault-around batches 16) and quick to verify.
  uint64_t sectors = partitionStart - GapStart;
  if (sectors > 32 * 8)
    sectors = 32 * 8;
  if (partitionStart <= GapStart + 8 || !disk.setZeroSource(GapStart, sectors))
    return;
  uint64_t frames[16];
  for (auto &f : frames)
    f = mm::allocFrameUninitialized();
  uint64_t t0 = drivers::monotonicNs();
  for (auto f : frames)
    mm::zeroFrameCpu(f);
  uint64_t t1 = drivers::monotonicNs();
  bool ok = disk.zeroFrames(frames, 16);
  uint64_t t2 = drivers::monotonicNs();
  for (auto f : frames)
    mm::freeFrame(f);
  bool dma = ok && t2 - t1 < t1 - t0;
  kprintf("mm: zeroing 64 KiB: CPU %lu us, DMA %lu us: using %s\n",
          (t1 - t0) / 1000, (t2 - t1) / 1000, dma ? "DMA" : "the CPU");
  if (dma)
    mm::setFrameZeroer(
        [](const uint64_t *f, size_t n) { return disk.zeroFrames(f, n); });
}

void mountDisk() {
  static drivers::PciDevice devs[64];
  int n = drivers::pciEnumerate(devs, 64);
  if (!disk.probe(devs, n))
    bootFailure("disk", "no virtio-blk device");
  static uint8_t mbr[512];
  if (!disk.read(0, 1, mbr))
    bootFailure("disk", "cannot read the MBR");
  uint64_t start, sectors;
  if (const char *e = init::findFat16Partition(mbr, &start, &sectors))
    bootFailure("disk", e);
  int r = volume.mount(disk, start);
  if (r < 0)
    bootFailure("FAT16 mount", r == -22 ? "not a FAT16 volume" : "I/O error");
  volume.setClock([] { return drivers::realtimeNs() / 1000000000; });
  chooseFrameZeroing(start);
  sys::process().volumeSectors = sectors;
  sys::process().diskFlushes = disk.canFlush();
  const fs::RepairStats &rs = volume.repairStats();
  if (rs.wasDirty)
    kprintf("fat16: volume was not cleanly unmounted; repaired: %u lost "
            "clusters freed, %u sizes, %u cross-links, %u orphan names, %u "
            "end marks, %u FAT #2 sectors\n",
            rs.lostClusters, rs.sizes, rs.crossLinks, rs.orphanNames,
            rs.endMarks, rs.fatSectors);
  kprintf("fat16: mounted partition at LBA %lu (%lu MiB), %u free clusters\n",
          start, sectors >> 11, volume.freeClusters());
}

void readCmdline(const char *path, init::Cmdline *cmd) {
  static char text[8192];
  fs::Node *node;
  if (volume.open(path, 0, &node) < 0)
    bootFailure(path, "not found");
  int64_t n = volume.read(node, 0, text, sizeof text - 1);
  fs::Stat st;
  volume.stat(node, &st);
  volume.close(node);
  if (n < 0)
    bootFailure(path, "read error");
  if (st.size >= sizeof text)
    bootFailure(path, "longer than 8 KiB");
  text[n] = 0;
  if (const char *e = init::parseCmdline(text, cmd))
    bootFailure(path, e);
}

// Endless recursion (volatile frames keep it from becoming a loop).
[[gnu::noinline]] uint64_t recurse(uint64_t depth) {
  volatile uint8_t frame[256];
  frame[0] = uint8_t(depth);
  if (depth == ~0ull) // never: keeps the compiler's recursion check quiet
    return 0;
  return recurse(depth + 1) + frame[0];
}

// The audit must see what it is there for: one frame mapped writable at
// one user address and executable at another (then removed again).
void plantedAliasAudit() {
  using namespace mm::pte;
  constexpr uint64_t W = 0x100000000ull, X = W + mm::PageSize;
  uint64_t frame = mm::allocFrame();
  uint64_t *w = mm::pteFor(W, true), *x = mm::pteFor(X, true);
  if (!frame || !w || !x)
    arch::panic("selftest: no memory");
  *w = frame | Present | Write | User | NoExec;
  *x = frame | Present | User;
  uint64_t n = mm::auditWx().violations;
  *w = *x = 0;
  arch::invlpg(W);
  arch::invlpg(X);
  mm::freeFrame(frame);
  kprintf("selftest: the audit found %lu violation(s) in a planted alias\n", n);
}

// Test hooks for the kernel's own fault paths (tests/qemu): with
// `ENV GTS_KERNEL_SELFTEST=pagefault` in /CMDLINE.TXT the kernel reads an
// unmapped address before starting the program (qemu_kernel_fault); with
// `=stackoverflow` it overflows a guarded kernel stack
// (qemu_kernel_stack_guard); with `=audit` it plants a W+X alias for the
// page-table audit (qemu_wx_audit_detects).
[[gnu::noinline]] void selfTest(const init::Cmdline &cmd) {
  for (int i = 0; i < cmd.envc; ++i)
    if (lib::strCompare(cmd.envp[i], "GTS_KERNEL_SELFTEST=pagefault") == 0) {
      kprintf("selftest: reading an unmapped kernel address\n");
      volatile uint64_t *bad = reinterpret_cast<uint64_t *>(0xFFFFC00000000000);
      kprintf("selftest: value %lx\n", uint64_t(*bad));
    } else if (lib::strCompare(cmd.envp[i], "GTS_KERNEL_SELFTEST=audit") == 0) {
      plantedAliasAudit();
    } else if (lib::strCompare(cmd.envp[i],
                               "GTS_KERNEL_SELFTEST=stackoverflow") == 0) {
      kprintf("selftest: overflowing a guarded kernel stack\n");
      uint64_t top = mm::allocKernelStack(16 * 1024);
      asm volatile("movq %0, %%rsp\n"
                   "xorl %%edi, %%edi\n"
                   "call *%1" ::"r"(top),
                   "r"(&recurse)
                   : "rdi", "memory");
    }
}

// ENV GTS_KERNEL_AUDIT=wx in /CMDLINE.TXT (or a Debug build): audit the
// page tables before the program starts and when it ends.
bool wantAudit(const init::Cmdline &cmd) {
#ifdef GTS_KERNEL_AUDIT_ALWAYS
  (void)cmd;
  return true;
#else
  for (int i = 0; i < cmd.envc; ++i)
    if (lib::strCompare(cmd.envp[i], "GTS_KERNEL_AUDIT=wx") == 0)
      return true;
  return false;
#endif
}

// ENV GTS_KERNEL_PROFILE=HZ in /CMDLINE.TXT: sample the program at HZ
// (sched/sampler.h).
void startSampler(const init::Cmdline &cmd) {
  constexpr char Key[] = "GTS_KERNEL_PROFILE=";
  for (int i = 0; i < cmd.envc; ++i) {
    const char *c = cmd.envp[i];
    size_t k = 0;
    while (Key[k] && c[k] == Key[k])
      ++k;
    if (Key[k])
      continue;
    unsigned hz = 0;
    for (c += k; *c >= '0' && *c <= '9' && hz < 100000; ++c)
      hz = hz * 10 + unsigned(*c - '0');
    sched::samplerStart(hz);
  }
}

// The program path on the first line of `cmdline`, '/'-prefixed, into
// out (256 bytes); false if there is none.
bool programOf(const char *cmdline, char *out) {
  fs::Node *node;
  if (volume.open(cmdline, 0, &node) < 0)
    return false;
  int64_t n = volume.read(node, 0, out + 1, 254);
  volume.close(node);
  if (n <= 0)
    return false;
  out[0] = '/';
  out[n + 1] = 0;
  for (char *c = out + 1; *c; ++c)
    if (*c == '\n' || *c == '\r')
      *c = 0;
  return out[1] != 0;
}

void protectIno(uint64_t ino) {
  for (uint64_t &slot : sys::process().protectedIno) {
    if (slot == ino)
      return;
    if (!slot) {
      slot = ino;
      return;
    }
  }
  kprintf("boot: too many boot files to protect\n");
}

// The file and every directory on its path: renaming a directory would
// move the file away from the name the next boot looks up.
void protectPath(const char *path) {
  char prefix[sys::MaxPath];
  size_t n = lib::strLength(path);
  if (n >= sizeof prefix)
    return;
  for (size_t i = 1; i <= n; ++i) {
    if (i < n && path[i] != '/')
      continue;
    lib::memCopy(prefix, path, i);
    prefix[i] = 0;
    fs::Stat st;
    if (volume.stat(prefix, &st) == 0)
      protectIno(st.ino);
  }
}

// The files the next boot needs, and the directories on their paths: the
// program may read them, never change them (linux/fs.cpp answers EACCES /
// EPERM). /KERNEL.BIN, /CMDLINE.TXT and the program it names, /BOOT.TRY,
// and during a trial (init/boot_ab.h) /CMDLINE.NEW and its program.
void protectBootFiles() {
  for (uint64_t &slot : sys::process().protectedIno)
    slot = 0;
  protectPath("/KERNEL.BIN");
  protectPath(init::CurrentFile);
  protectPath(init::RecordFile);
  char program[256];
  if (programOf(init::CurrentFile, program))
    protectPath(program);
  if (init::trialPending()) {
    protectPath(init::NewFile);
    protectPath(sys::process().exePath);
  }
}

// sys::Process::onExit: a program that ends before main fails its trial.
int trialExit(int status) {
  if (!init::trialPending())
    return status;
  char reason[init::MaxReason];
  init::endReason(status, sys::process().killedBy, reason);
  return init::failTrial(reason);
}

} // namespace

extern "C" [[noreturn]] void kernelMain(uint64_t bootInfoPhys) {
  uint64_t tscStart = arch::rdtsc();
  drivers::serialInit();
  kprintf("gts kernel\n");
  arch::gdtInit();
  arch::idtInit();
  arch::picInit();
  for (auto *f = __init_array_start; f != __init_array_end; ++f)
    (*f)();

  // Copy BootInfo out of low memory before the boot mappings go away.
  static boot::BootInfo info;
  info = *static_cast<const boot::BootInfo *>(mm::physToVirt(bootInfoPhys));
  if (info.magic != boot::BootInfoMagic)
    arch::panic("bad BootInfo magic %x", info.magic);
  mm::pmmInit(info);
  mm::pagingInit();
  mm::kheapInit();
  kprintf("memory: %lu MiB free of %lu MiB, boot drive 0x%x\n",
          mm::freeFrameCount() * mm::PageSize >> 20, mm::physTop() >> 20,
          info.bootDrive);
  drivers::clockInit();
  arch::sti();
  kprintf("clock: TSC %lu.%03lu MHz\n", drivers::tscHz() / 1000000,
          drivers::tscHz() / 1000 % 1000);
  arch::enableSimd();
  arch::enableProtection();
  uint64_t stackTop = mm::allocKernelStack(MainStackBytes);
  if (!stackTop)
    arch::panic("no memory for the kernel stack");
  arch::syscallInit(stackTop);
  sched::init(stackTop, [] { sys::killProcess("a deadlock"); });
  arch::setPageFaultHook(mm::userPageFault);
  arch::setUserFaultHook(onUserFault);

  mountDisk();
  static init::Cmdline cmd;
  const char *cmdPath = init::chooseConfiguration(volume);
  readCmdline(cmdPath, &cmd);
  if (init::trialPending())
    kprintf("boot: trying the new configuration %s (%s)\n", cmdPath,
            cmd.argv[0]);
  selfTest(cmd);

  sys::registerFs();
  sys::registerMm();
  sys::registerTime();
  sys::registerProcess();
  sys::registerMisc();
  sys::registerMemfd();
  sys::registerThreads();
  sys::registerGts([] {
    if (init::confirmTrial())
      protectBootFiles(); // the new configuration's files now
  });
  sys::filesInit();
  sys::Process &proc = sys::process();
  proc.fs = &volume;
  const char *path = cmd.argv[0];
  if (lib::strLength(path) + 2 > sizeof proc.exePath)
    bootFailure(path, "path too long");
  proc.exePath[0] = '/';
  lib::memCopy(proc.exePath + (path[0] != '/'), path, lib::strLength(path) + 1);

  uint64_t t0 = drivers::monotonicNs(), d0 = disk.bytesRead();
  elf::Loaded prog;
  if (const char *e = elf::loadProgram(volume, proc.exePath, cmd.argc, cmd.argv,
                                       cmd.envc, cmd.envp, &prog))
    bootFailure(proc.exePath, e);
  uint64_t ns = drivers::monotonicNs() - t0, bytes = disk.bytesRead() - d0;
  uint64_t kbps = ns ? bytes * 1000000 / ns : 0; // KB/s = bytes/ms
  kprintf("load: %s, %lu KiB from disk in %lu.%03lu ms: %lu.%02lu MB/s\n",
          proc.exePath, bytes >> 10, ns / 1000000, ns / 1000 % 1000,
          kbps / 1000, kbps / 10 % 100);
  proc.brkStart = proc.brkCur = prog.brk;
  proc.auditWx = wantAudit(cmd);
  if (proc.auditWx && mm::auditWx().violations)
    arch::panic("page-table audit failed");
  protectBootFiles();
  proc.onExit = trialExit;
  uint64_t bootNs =
      (arch::rdtsc() - tscStart) * 1000 / (drivers::tscHz() / 1000000);
  kprintf("kernel: starting %s (%d args) %lu ms after kernel entry\n",
          proc.exePath, cmd.argc, bootNs / 1000000);
  startSampler(cmd);
  arch::enterUser(prog.entry, prog.rsp);
}
