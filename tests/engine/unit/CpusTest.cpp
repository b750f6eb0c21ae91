#include "runtime/Cpus.h"

#include <gtest/gtest.h>

#include <sched.h>
#include <string>

using namespace gts;

namespace {

int cpusOfThisThread() {
  cpu_set_t S;
  CPU_ZERO(&S);
  sched_getaffinity(0, sizeof S, &S);
  return CPU_COUNT(&S);
}

void *recordCpus(void *Count) {
  *static_cast<int *>(Count) = cpusOfThisThread();
  return nullptr;
}

} // namespace

TEST(Cpus, PinningLeavesTheOtherCpusAndUnpinRestoresAll) {
  int All = CPU_COUNT(&processCpus());
  ASSERT_GT(All, 0);
  std::optional<cpu_set_t> Rest = pinHereLeaveRest();
  if (All < 2) {
    EXPECT_FALSE(Rest);
    return;
  }
  ASSERT_TRUE(Rest);
  EXPECT_EQ(CPU_COUNT(&*Rest), All - 1);
  EXPECT_EQ(cpusOfThisThread(), 1);
  unpin(0);
  EXPECT_EQ(cpusOfThisThread(), All);
}

// A thread the app starts while a compile has pinned the app's thread gets
// all the process's CPUs, not the one it would inherit.
TEST(Cpus, ThreadsTheAppStartsGetAllCpus) {
  int All = CPU_COUNT(&processCpus());
  pinHereLeaveRest();
  int InThread = 0;
  pthread_t T;
  ASSERT_EQ(appPthreadCreate(&T, nullptr, recordCpus, &InThread), 0);
  ASSERT_EQ(pthread_join(T, nullptr), 0);
  EXPECT_EQ(InThread, All);
  EXPECT_EQ(cpusOfThisThread(), All);
}

// So do the processes it starts.
TEST(Cpus, CommandsTheAppRunsGetAllCpus) {
  int All = CPU_COUNT(&processCpus());
  pinHereLeaveRest();
  FILE *P = appPopen("nproc", "r");
  ASSERT_NE(P, nullptr);
  int Seen = 0;
  EXPECT_EQ(fscanf(P, "%d", &Seen), 1);
  EXPECT_EQ(pclose(P), 0);
  EXPECT_EQ(Seen, All);
  pinHereLeaveRest();
  std::string Check = "test \"$(nproc)\" = " + std::to_string(All);
  EXPECT_EQ(appSystem(Check.c_str()), 0);
}
