#include "policy/CompileQueue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sched.h>
#include <sys/resource.h>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <vector>

using namespace gts;

namespace {

using Order = std::vector<std::pair<int, Tier>>;

// A compile function that holds the worker in its first compile until
// released (so that requests pushed meanwhile queue up) and records the
// order of compiles; Prepare records itself as id -1.
struct Recorder {
  std::mutex Lock;
  std::condition_variable Changed;
  bool Started = false;
  bool Released = false;
  Order Done;
  std::vector<int> Nice; // the worker's nice value in each compile

  bool compile(const CompileRequest &R) {
    std::unique_lock<std::mutex> G(Lock);
    Started = true;
    Changed.notify_all();
    Changed.wait(G, [&] { return Released; });
    Done.push_back({R.Id, R.Level});
    Nice.push_back(getpriority(PRIO_PROCESS, gettid()));
    Changed.notify_all();
    return true;
  }
  void prepare() {
    std::lock_guard<std::mutex> G(Lock);
    Done.push_back({-1, Tier::Interp});
  }
  void waitStarted() {
    std::unique_lock<std::mutex> G(Lock);
    Changed.wait(G, [&] { return Started; });
  }
  void release() {
    std::lock_guard<std::mutex> G(Lock);
    Released = true;
    Changed.notify_all();
  }
  void waitDone(size_t N) {
    std::unique_lock<std::mutex> G(Lock);
    Changed.wait(G, [&] { return Done.size() >= N; });
  }
};

// Request 0 occupies the worker while Requests are pushed; returns the
// order of the first Count compiles (and Prepare's mark).
Order runQueued(const std::vector<CompileRequest> &Requests, size_t Count,
                std::vector<int> *Nice = nullptr) {
  Recorder Rec;
  auto Q = CompileQueue::start(
      {[&](const CompileRequest &R) { return Rec.compile(R); },
       [&] { Rec.prepare(); }});
  if (!Q)
    return {};
  Q->push({0, Tier::O0, 100});
  Rec.waitStarted();
  for (const CompileRequest &R : Requests)
    Q->push(R);
  Rec.release();
  Rec.waitDone(Count);
  EXPECT_TRUE(Q->stop().empty());
  if (Nice)
    *Nice = Rec.Nice;
  return Rec.Done;
}

} // namespace

TEST(CompileQueue, PrepareRunsFirstThenUrgentRequestsInTheirOrder) {
  Order Done = runQueued({{1, Tier::O0, 100},
                          {2, Tier::O3, 1, /*Urgent=*/true},
                          {3, Tier::O1, 1000},
                          {4, Tier::O3, 1, /*Urgent=*/true}},
                         6);
  Order Want{{-1, Tier::Interp}, {0, Tier::O0}, {2, Tier::O3},
             {4, Tier::O3},      {1, Tier::O0}, {3, Tier::O1}};
  EXPECT_EQ(Done, Want);
}

TEST(CompileQueue, FunctionsLeavingTheInterpreterGoBeforeClimbs) {
  CompileRequest First2{2, Tier::O0, 100}, First4{4, Tier::O2, 10000};
  First2.FromInterpreter = First4.FromInterpreter = true;
  Order Done = runQueued({{1, Tier::O2, 10000},
                          First2,
                          {3, Tier::O1, 1000},
                          {5, Tier::O3, 1, /*Urgent=*/true},
                          First4},
                         7);
  Order Want{{-1, Tier::Interp}, {0, Tier::O0}, {5, Tier::O3}, {2, Tier::O0},
             {4, Tier::O2},      {1, Tier::O2}, {3, Tier::O1}};
  EXPECT_EQ(Done, Want);
}

TEST(CompileQueue, AHigherRequestReplacesTheWaitingOne) {
  Order Done = runQueued({{1, Tier::O0, 100},
                          {2, Tier::O1, 1000},
                          {1, Tier::O3, 1, /*Urgent=*/true}},
                         4);
  Order Want{{-1, Tier::Interp}, {0, Tier::O0}, {1, Tier::O3}, {2, Tier::O1}};
  EXPECT_EQ(Done, Want);
}

TEST(CompileQueue, BackgroundRequestsRunLastAtTheLowestPriority) {
  CompileRequest Bg1{1, Tier::O3, 10}, Bg3{3, Tier::O3, 10};
  Bg1.Background = Bg3.Background = true;
  std::vector<int> Nice;
  Order Done = runQueued({Bg1,
                          {2, Tier::O1, 1000},
                          Bg3,
                          {4, Tier::O3, 1, /*Urgent=*/true},
                          {5, Tier::O0, 100}},
                         7, &Nice);
  Order Want{{-1, Tier::Interp}, {0, Tier::O0}, {4, Tier::O3}, {2, Tier::O1},
             {5, Tier::O0},      {1, Tier::O3}, {3, Tier::O3}};
  EXPECT_EQ(Done, Want);
  int Start = getpriority(PRIO_PROCESS, gettid());
  EXPECT_EQ(Nice, (std::vector<int>{Start, Start, Start, Start, 19, 19}));
}

// Linux keeps a nice value per thread; raising it back needs CAP_SYS_NICE or
// an RLIMIT_NICE that allows it, else the worker stays at 19.
TEST(CompileQueue, ARequestAfterBackgroundOnesRestoresThePriorityIfAllowed) {
  Recorder Rec;
  Rec.release();
  auto Q = CompileQueue::start(
      {[&](const CompileRequest &R) { return Rec.compile(R); }});
  ASSERT_TRUE(Q);
  CompileRequest Bg{1, Tier::O3, 10};
  Bg.Background = true;
  Q->push(Bg);
  Rec.waitDone(1);
  Q->push({2, Tier::O1, 1000});
  Rec.waitDone(2);
  Q->stop();
  int Start = getpriority(PRIO_PROCESS, gettid());
  rlimit Limit;
  ASSERT_EQ(getrlimit(RLIMIT_NICE, &Limit), 0);
  bool MayRaise = geteuid() == 0 || Limit.rlim_cur == RLIM_INFINITY ||
                  static_cast<long>(Limit.rlim_cur) >= 20 - Start;
  EXPECT_EQ(Rec.Nice, (std::vector<int>{19, MayRaise ? Start : 19}));
}

namespace {

double threadCpuSeconds() {
  timespec T;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &T);
  return T.tv_sec + T.tv_nsec * 1e-9;
}

} // namespace

// The share is of the wall time the worker had work: a compile that waits
// (the worker gets no CPU, as on a busy machine) gives about 0, one that
// computes gives what the test measures itself; idle time does not count.
TEST(CompileQueue, CpuShareIsOfTheTimeWithWork) {
  using namespace std::chrono;
  double SpinShare = 0;
  auto Compile = [&](const CompileRequest &R) {
    if (R.Id == 0) {
      std::this_thread::sleep_for(milliseconds(60));
      return true;
    }
    auto Wall = steady_clock::now();
    double Cpu = threadCpuSeconds();
    while (threadCpuSeconds() - Cpu < 0.06)
      ;
    SpinShare = (threadCpuSeconds() - Cpu) /
                duration<double>(steady_clock::now() - Wall).count();
    return true;
  };
  auto Q = CompileQueue::start({Compile});
  ASSERT_TRUE(Q);
  EXPECT_FALSE(Q->cpuShare()) << "no work yet";
  Q->push({0, Tier::O3, 1});
  std::this_thread::sleep_for(milliseconds(120));
  std::optional<double> Waited = Q->cpuShare();
  ASSERT_TRUE(Waited);
  EXPECT_LT(*Waited, 0.1);
  Q->push({1, Tier::O3, 1});
  std::this_thread::sleep_for(milliseconds(200));
  // Worked 60 ms waiting and about 60 ms of CPU (plus starting up).
  std::optional<double> Both = Q->cpuShare();
  ASSERT_TRUE(Both);
  double Want = 0.06 / (0.06 + 0.06 / SpinShare);
  EXPECT_NEAR(*Both, Want, 0.1);
  Q->stop();
  EXPECT_FALSE(Q->cpuShare()) << "after stop";
}

TEST(CompileQueue, StopShowsTheRequestInProgress) {
  Recorder Rec;
  auto Q = CompileQueue::start(
      {[&](const CompileRequest &R) { return Rec.compile(R); }});
  ASSERT_TRUE(Q);
  Q->push({7, Tier::O2, 10});
  Rec.waitStarted();
  Q->push({8, Tier::O3, 20});
  std::vector<int> Seen;
  std::thread Releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Rec.release();
  });
  std::vector<CompileRequest> Left =
      Q->stop([&](const CompileRequest &R) { Seen.push_back(R.Id); });
  Releaser.join();
  EXPECT_EQ(Seen, std::vector<int>{7});
  ASSERT_EQ(Left.size(), 1u);
  EXPECT_EQ(Left[0].Id, 8);
  EXPECT_EQ(Rec.Done, (Order{{7, Tier::O2}}));
}

namespace {

int cpusAllowed() {
  cpu_set_t Set;
  return sched_getaffinity(0, sizeof Set, &Set) == 0 ? CPU_COUNT(&Set) : 0;
}

} // namespace

// An early worker warms up before it has anything to compile; serve() then
// gives it the compile function, which runs after Prepare.
TEST(CompileQueue, AnEarlyWorkerWarmsUpThenServes) {
  Recorder Rec;
  Rec.release();
  std::mutex Lock;
  bool Warmed = false;
  auto Q = CompileQueue::startEarly([&] {
    std::lock_guard<std::mutex> G(Lock);
    Warmed = true;
  });
  ASSERT_TRUE(Q);
  Q->serve({[&](const CompileRequest &R) { return Rec.compile(R); },
            [&] { Rec.prepare(); }});
  Q->push({7, Tier::O0, 100});
  Rec.waitDone(2);
  EXPECT_TRUE(Q->stop().empty());
  std::lock_guard<std::mutex> G(Lock);
  EXPECT_TRUE(Warmed);
  EXPECT_EQ(Rec.Done, (Order{{-1, Tier::Interp}, {7, Tier::O0}}));
}

// One that is never served stops all the same: nothing compiled.
TEST(CompileQueue, AnEarlyWorkerNeverServedStops) {
  auto Q = CompileQueue::startEarly([] {});
  ASSERT_TRUE(Q);
  EXPECT_TRUE(Q->stop().empty());
}

namespace {

cpu_set_t cpusOf(pid_t Tid) {
  cpu_set_t S;
  CPU_ZERO(&S);
  sched_getaffinity(Tid, sizeof S, &S);
  return S;
}

bool disjoint(const cpu_set_t &A, const cpu_set_t &B) {
  cpu_set_t Both;
  CPU_AND(&Both, &A, &B);
  return CPU_COUNT(&Both) == 0;
}

} // namespace

// While the worker has work (its warm-up, then each compile), the thread
// that brought the work stays on its CPU and the worker on the others (when
// there are others); idle, both may use them all again.
TEST(CompileQueue, TheAppThreadAndTheWorkerKeepApartWhileThereIsWork) {
  int All = cpusAllowed();
  ASSERT_GT(All, 0);
  EXPECT_EQ(CompileQueue::allowedCpus(), All);
  pid_t App = gettid();
  cpu_set_t AppInWarm, WorkerInWarm, AppInCompile, WorkerInCompile;
  Recorder Rec;
  Rec.release();
  auto Q = CompileQueue::startEarly([&] {
    AppInWarm = cpusOf(App);
    WorkerInWarm = cpusOf(0);
  });
  ASSERT_TRUE(Q);
  Q->serve({[&](const CompileRequest &R) {
    AppInCompile = cpusOf(App);
    WorkerInCompile = cpusOf(0);
    return Rec.compile(R);
  }});
  Q->push({1, Tier::O0, 100});
  Rec.waitDone(1);
  // The worker releases both once it finds nothing more to do.
  auto Deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  cpu_set_t AppIdle = cpusOf(App);
  while (CPU_COUNT(&AppIdle) != All &&
         std::chrono::steady_clock::now() < Deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    AppIdle = cpusOf(App);
  }
  Q->stop();
  int Apart = All > 1 ? 1 : All;
  EXPECT_EQ(CPU_COUNT(&AppInWarm), Apart);
  EXPECT_EQ(CPU_COUNT(&WorkerInWarm), All > 1 ? All - 1 : All);
  EXPECT_EQ(CPU_COUNT(&AppInCompile), Apart);
  EXPECT_EQ(CPU_COUNT(&WorkerInCompile), All > 1 ? All - 1 : All);
  if (All > 1) {
    EXPECT_TRUE(disjoint(AppInWarm, WorkerInWarm));
    EXPECT_TRUE(disjoint(AppInCompile, WorkerInCompile));
  }
  EXPECT_EQ(CPU_COUNT(&AppIdle), All);
  cpu_set_t AppAfter = cpusOf(App);
  EXPECT_EQ(CPU_COUNT(&AppAfter), All);
}

namespace {

// A compile function whose first compile runs until interrupted, which it
// reports; it records the order of finished compiles.
struct Interruptible {
  std::mutex Lock;
  std::condition_variable Changed;
  bool Interrupted = false;
  int Interrupts = 0;
  bool Running = false;
  bool Blocked = false;
  Order Done;

  bool compile(const CompileRequest &R) {
    std::unique_lock<std::mutex> G(Lock);
    if (!Blocked) {
      Blocked = true;
      Running = true;
      Changed.notify_all();
      Changed.wait(G, [&] { return Interrupted; });
      Interrupted = Running = false;
      return false;
    }
    Done.push_back({R.Id, R.Level});
    Changed.notify_all();
    return true;
  }
  void interrupt() {
    std::lock_guard<std::mutex> G(Lock);
    Interrupted = true;
    ++Interrupts;
    Changed.notify_all();
  }
  void waitRunning() {
    std::unique_lock<std::mutex> G(Lock);
    Changed.wait(G, [&] { return Running; });
  }
  void waitDone(size_t N) {
    std::unique_lock<std::mutex> G(Lock);
    Changed.wait(G, [&] { return Done.size() >= N; });
  }
};

std::unique_ptr<CompileQueue> startInterruptible(Interruptible &C) {
  return CompileQueue::start(
      {[&](const CompileRequest &R) { return C.compile(R); },
       {},
       [&] { C.interrupt(); }});
}

// Running compiles (until interrupted) when Arriving comes: the order of
// the finished compiles, and how many interrupts the worker was asked for.
std::pair<Order, int> whenOneArrives(CompileRequest Running,
                                     CompileRequest Arriving) {
  Interruptible C;
  auto Q = startInterruptible(C);
  if (!Q)
    return {};
  Q->push(Running);
  C.waitRunning();
  Q->push(Arriving);
  C.waitDone(2);
  Q->stop();
  return {C.Done, C.Interrupts};
}

} // namespace

// A function leaving the interpreter interrupts a climb in progress, which
// is compiled again after it.
TEST(CompileQueue, LeavingTheInterpreterInterruptsAClimb) {
  CompileRequest Leaves{2, Tier::O0, 100};
  Leaves.FromInterpreter = true;
  auto [Done, Interrupts] = whenOneArrives({1, Tier::O3, 20000}, Leaves);
  EXPECT_EQ(Interrupts, 1);
  EXPECT_EQ(Done, (Order{{2, Tier::O0}, {1, Tier::O3}}));
}

// A loop running in the interpreter interrupts a function's first compile
// above O0 (a resumed boot's adaptive policy sends hot functions to O3 at
// once), but not one at O0: a cancelled compile still runs the code
// generator's required passes, nearly all of O0's.
TEST(CompileQueue, AnUrgentRequestInterruptsOneFromTheInterpreterAboveO0) {
  CompileRequest Called{1, Tier::O3, 100};
  Called.FromInterpreter = true;
  CompileRequest Loop{2, Tier::O0, 1};
  Loop.Urgent = true;
  auto [Done, Interrupts] = whenOneArrives(Called, Loop);
  EXPECT_EQ(Interrupts, 1);
  EXPECT_EQ(Done, (Order{{2, Tier::O0}, {1, Tier::O3}}));
}

TEST(CompileQueue, NoRequestInterruptsACompileAtO0) {
  Recorder Rec;
  int Interrupts = 0;
  auto Q = CompileQueue::start(
      {[&](const CompileRequest &R) { return Rec.compile(R); },
       {},
       [&] { ++Interrupts; }});
  ASSERT_TRUE(Q);
  CompileRequest Called{1, Tier::O0, 100};
  Called.FromInterpreter = true;
  Q->push(Called);
  Rec.waitStarted();
  CompileRequest Loop{2, Tier::O0, 1};
  Loop.Urgent = true;
  Q->push(Loop);
  Rec.release();
  Rec.waitDone(2);
  Q->stop();
  EXPECT_EQ(Interrupts, 0);
  EXPECT_EQ(Rec.Done, (Order{{1, Tier::O0}, {2, Tier::O0}}));
}

// Climbs do not interrupt each other; a request for a higher tier of the
// function makes the interrupted one unneeded.
TEST(CompileQueue, AClimbInterruptsNoClimbAndAHigherOneReplacesIt) {
  Interruptible C;
  auto Q = startInterruptible(C);
  ASSERT_TRUE(Q);
  Q->push({1, Tier::O1, 1000});
  C.waitRunning();
  Q->push({3, Tier::O2, 10000});
  Q->push({1, Tier::O3, 100000});
  {
    std::lock_guard<std::mutex> G(C.Lock);
    EXPECT_EQ(C.Interrupts, 0);
  }
  CompileRequest Loop{2, Tier::O0, 1};
  Loop.Urgent = true;
  Q->push(Loop);
  C.waitDone(3);
  Q->stop();
  EXPECT_EQ(C.Interrupts, 1);
  EXPECT_EQ(C.Done, (Order{{2, Tier::O0}, {3, Tier::O2}, {1, Tier::O3}}));
}
