// Kernel entry point: brings the machine up in dependency order, then runs
// the program named by /CMDLINE.TXT and powers off with its exit status.
#include "arch/gdt.h"
#include "arch/pic.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "boot/boot_info.h"
#include "drivers/clock.h"
#include "drivers/console.h"
#include "drivers/pci.h"
#include "drivers/virtio_blk.h"
#include "drivers/poweroff.h"
#include "drivers/serial.h"
#include "mm/paging.h"
#include "mm/pmm.h"

using namespace gts;

extern "C" void (*__init_array_start[])(), (*__init_array_end[])();

extern "C" [[noreturn]] void kernelMain(uint64_t bootInfoPhys) {
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
  kprintf("memory: %lu MiB free of %lu MiB, boot drive 0x%x\n",
          mm::freeFrameCount() * mm::PageSize >> 20, mm::physTop() >> 20,
          info.bootDrive);
  drivers::clockInit();
  arch::sti();
  kprintf("tsc: %lu MHz\n", drivers::tscHz() / 1000000);

  static drivers::PciDevice devs[32];
  int ndev = drivers::pciEnumerate(devs, 32);
  static drivers::VirtioBlk disk;
  if (!disk.probe(devs, ndev)) {
    kprintf("boot: no virtio-blk disk\n");
    drivers::powerOff(drivers::StatusBootFailure);
  }
  static uint8_t mbr[512];
  if (!disk.read(0, 1, mbr))
    kprintf("boot: cannot read the MBR\n");
  kprintf("mbr sig %x %x\n", mbr[510], mbr[511]);
  drivers::powerOff(0);
}
