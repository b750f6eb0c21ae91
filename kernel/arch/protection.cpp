#include "arch/protection.h"
#include "arch/x86.h"
#include "drivers/console.h"

extern "C" {
bool gtsSmapEnabled;
}

namespace gts::arch {
namespace {

constexpr uint64_t Cr4Umip = 1u << 11, Cr4Smep = 1u << 20, Cr4Smap = 1u << 21;
constexpr uint64_t FlagAc = 1u << 18;

uint64_t readFlags() {
  uint64_t f;
  asm volatile("pushfq; popq %0" : "=r"(f));
  return f;
}

// AC through popfq rather than stac/clac: the kvm-pvm hypervisor, which
// emulates all kernel code, stops the VM on stac/clac ("emulation
// failure"), and SMAP honours AC however it was set.
void setAc(bool on) {
  if (on)
    asm volatile("pushfq; orq %0, (%%rsp); popfq" ::"i"(FlagAc)
                 : "memory", "cc");
  else
    asm volatile("pushfq; andq %0, (%%rsp); popfq" ::"i"(~FlagAc)
                 : "memory", "cc");
}

} // namespace

void enableProtection() {
  CpuidResult id = cpuid(0);
  CpuidResult f7 = id.eax >= 7 ? cpuid(7, 0) : CpuidResult{};
  bool smep = f7.ebx & (1u << 7), smap = f7.ebx & (1u << 20),
       umip = f7.ecx & (1u << 2);
  uint64_t cr4 = readCr4();
  if (smep)
    cr4 |= Cr4Smep;
  if (smap)
    cr4 |= Cr4Smap;
  if (umip)
    cr4 |= Cr4Umip;
  writeCr4(cr4);
  if (smap) // from here on user pages need a UserAccess scope
    setAc(false);
  gtsSmapEnabled = smap;
  kprintf("cpu: SMEP %s, SMAP %s, UMIP %s\n", smep ? "on" : "absent",
          smap ? "on" : "absent", umip ? "on" : "absent");
}

UserAccess::UserAccess() : wasOpen_(readFlags() & FlagAc) {
  if (gtsSmapEnabled && !wasOpen_)
    setAc(true);
}

UserAccess::~UserAccess() {
  if (gtsSmapEnabled && !wasOpen_)
    setAc(false);
}

} // namespace gts::arch
