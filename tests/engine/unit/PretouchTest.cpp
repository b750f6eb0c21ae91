#include "runtime/Pretouch.h"

#include <gtest/gtest.h>

#include <thread>

#include <cstdlib>
#include <cstring>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace gts;

namespace {

long threadFaults() {
  rusage U;
  getrusage(RUSAGE_THREAD, &U);
  return U.ru_minflt;
}

// Page faults taken by this thread while it allocates and fills 1 MiB in
// 64 KiB blocks (below glibc's mmap threshold: from the thread's arena).
long faultsToFillOneMiB() {
  std::vector<void *> Blocks(16);
  long Before = threadFaults();
  for (void *&B : Blocks) {
    B = memset(malloc(64 << 10), 1, 64 << 10);
    asm volatile("" : : "r"(B) : "memory"); // the writes must happen
  }
  long Taken = threadFaults() - Before;
  for (void *B : Blocks)
    free(B);
  return Taken;
}

// Runs the check in a child process: its heap is shared copy-on-write with
// the parent's, so every page it writes first faults (unless pretouched),
// whatever this process's heap has been through. Returns the faults, at
// most 255 (the exit status), or -1.
enum class Mapped { No, HereFirst, ByAnotherThread };

int faultsInChild(Mapped How) {
  pid_t Child = fork();
  if (Child == 0) {
    if (How == Mapped::HereFirst)
      pretouchHeap(2);
    if (How == Mapped::ByAnotherThread) {
      HeapRange Mine = reserveHeap(2);
      std::thread([Mine] { populateHeap(Mine); }).join();
    }
    long Faults = faultsToFillOneMiB();
    _exit(Faults < 255 ? static_cast<int>(Faults) : 255);
  }
  int Status = 0;
  if (Child < 0 || waitpid(Child, &Status, 0) != Child || !WIFEXITED(Status))
    return -1;
  return WEXITSTATUS(Status);
}

TEST(Pretouch, UntouchedHeapFaultsPerPage) {
  // The control: 256 pages, nearly one fault each.
  EXPECT_GT(faultsInChild(Mapped::No), 200);
}

TEST(Pretouch, PretouchedHeapTakesNoFaults) {
#ifdef GTS_SANITIZED
  GTEST_SKIP() << "pretouchHeap is off in sanitizer builds";
#endif
  int Faults = faultsInChild(Mapped::HereFirst);
  EXPECT_GE(Faults, 0);
  EXPECT_LT(Faults, 8);
}

// The early compile thread maps the heap that the app's thread reserved.
TEST(Pretouch, AHeapMappedByAnotherThreadTakesNoFaults) {
#ifdef GTS_SANITIZED
  GTEST_SKIP() << "pretouchHeap is off in sanitizer builds";
#endif
  int Faults = faultsInChild(Mapped::ByAnotherThread);
  EXPECT_GE(Faults, 0);
  EXPECT_LT(Faults, 8);
}

} // namespace
