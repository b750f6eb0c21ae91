#include "CompileQueue.h"

#include "../runtime/Cpus.h"

#include <algorithm>
#include <cerrno>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

namespace gts {

namespace {

// The lowest priority: the worker runs when a core would otherwise idle.
constexpr int BackgroundNice = 19;

// Requests of a lower rank go first (see CompileRequest).
int rank(const CompileRequest &R) {
  if (R.Urgent)
    return 0;
  if (R.Background)
    return 3;
  return R.FromInterpreter ? 1 : 2;
}

} // namespace

std::unique_ptr<CompileQueue> CompileQueue::start(Worker W) {
  std::unique_ptr<CompileQueue> Q = startEarly({});
  if (Q)
    Q->serve(std::move(W));
  return Q;
}

int CompileQueue::allowedCpus() { return CPU_COUNT(&processCpus()); }

// The worker starts on another CPU than its creator's, and the app's thread
// and the worker keep to different CPUs whenever the worker has work, until
// it runs out (keepApart, endWorkIfIdle). Linux places a woken thread near
// the thread that woke it (wake-affine): in scheduler traces of TinyLlama's
// cold start, the worker woken by a request moved to the app thread's CPU,
// and the two took turns there for up to 36 ms while the other CPU idled.
// Kept apart, the first token's median fell from 1.94x to 1.75x of native
// (bench/first_token.py, docs/BENCHMARKS.md).
std::unique_ptr<CompileQueue>
CompileQueue::startEarly(std::function<void()> Warm) {
  std::unique_ptr<CompileQueue> Q(new CompileQueue(std::move(Warm)));
  pthread_attr_t Attr;
  if (pthread_attr_init(&Attr) != 0)
    return nullptr;
  if (Q->Warm) {
    Q->beginWork();
    if (std::optional<cpu_set_t> Rest = pinHereLeaveRest()) {
      Q->PinnedTid = gettid();
      pthread_attr_setaffinity_np(&Attr, sizeof *Rest, &*Rest);
    }
  }
  // pthread_create reports failure; std::thread would throw.
  int Failed = pthread_create(&Q->Thread, &Attr, workerMain, Q.get());
  pthread_attr_destroy(&Attr);
  if (Failed) {
    Q->releaseCpus();
    return nullptr;
  }
  return Q;
}

void CompileQueue::serve(Worker W) {
  {
    std::lock_guard<std::mutex> G(Lock);
    Served = std::move(W);
    if (Served->Prepare)
      beginWork();
  }
  Wake.notify_one();
}

void *CompileQueue::workerMain(void *Self) {
  static_cast<CompileQueue *>(Self)->work();
  return nullptr;
}

void CompileQueue::push(const CompileRequest &R) {
  {
    std::lock_guard<std::mutex> G(Lock);
    // What this request reaches, no waiting one for the function needs to.
    std::erase_if(Pending, [&](const CompileRequest &P) {
      return P.Id == R.Id && P.Level <= R.Level;
    });
    auto GoesBefore = [&](const CompileRequest &P) {
      return rank(R) < rank(P);
    };
    Pending.insert(std::find_if(Pending.begin(), Pending.end(), GoesBefore), R);
    beginWork();
    interruptIfOutranked(R);
  }
  Wake.notify_one();
}

// Under Lock. A request that takes code out of the interpreter interrupts
// a compile of a lower rank (an urgent one, a loop running in the
// interpreter now, the others; one from the interpreter the climbs), unless
// that compile is at O0: a cancelled compile still runs the code
// generator's required passes, nearly all of O0's, so it would end no
// sooner and be made again.
void CompileQueue::interruptIfOutranked(const CompileRequest &R) {
  constexpr int Climb = 2;
  if (Current && !Interrupting && Served->Interrupt && rank(R) < Climb &&
      rank(R) < rank(*Current) && Current->Level != Tier::O0) {
    Interrupting = true;
    Served->Interrupt();
  }
}

// Under Lock: an interrupted request goes first among those of its rank,
// unless a request for a tier as high for the function came meanwhile.
void CompileQueue::requeue(const CompileRequest &R) {
  if (std::any_of(Pending.begin(), Pending.end(), [&](const CompileRequest &P) {
        return P.Id == R.Id && P.Level >= R.Level;
      }))
    return;
  Pending.insert(
      std::find_if(Pending.begin(), Pending.end(),
                   [&](const CompileRequest &P) { return rank(P) >= rank(R); }),
      R);
}

std::vector<CompileRequest>
CompileQueue::stop(std::function<void(const CompileRequest &)> InProgress) {
  std::vector<CompileRequest> Left;
  std::optional<CompileRequest> Now;
  {
    std::lock_guard<std::mutex> G(Lock);
    if (Joined)
      return Left;
    Joined = Stopping = true;
    Left.assign(Pending.begin(), Pending.end());
    Pending.clear();
    Now = Current;
  }
  // The worker takes no other request now.
  if (Now && InProgress)
    InProgress(*Now);
  Wake.notify_one();
  pthread_join(Thread, nullptr);
  std::lock_guard<std::mutex> G(Lock);
  WorkerTid = 0;
  releaseCpus();
  return Left;
}

std::optional<double> CompileQueue::cpuShare() {
  std::lock_guard<std::mutex> G(Lock);
  clockid_t Cpu;
  timespec T;
  if (Joined || pthread_getcpuclockid(Thread, &Cpu) != 0 ||
      clock_gettime(Cpu, &T) != 0)
    return std::nullopt;
  Clock::duration Wall = WorkTime;
  if (WorkSince)
    Wall += Clock::now() - *WorkSince;
  if (Wall < MinWork)
    return std::nullopt;
  std::chrono::duration<double> CpuTime =
      std::chrono::seconds(T.tv_sec) + std::chrono::nanoseconds(T.tv_nsec);
  return CpuTime / Wall;
}

// Under Lock, or before the worker starts; on the thread that brings the
// work.
void CompileQueue::beginWork() {
  if (!WorkSince)
    WorkSince = Clock::now();
  keepApart();
}

// Under Lock, on the thread that brings work: it stays on its CPU and the
// worker on the others.
void CompileQueue::keepApart() {
  if (PinnedTid || !WorkerTid)
    return;
  std::optional<cpu_set_t> Rest = pinHereLeaveRest();
  if (!Rest)
    return;
  if (sched_setaffinity(WorkerTid, sizeof *Rest, &*Rest) == 0)
    PinnedTid = gettid();
  else
    unpin(0);
}

// Under Lock: both threads may run anywhere again.
void CompileQueue::releaseCpus() {
  if (!PinnedTid)
    return;
  unpin(PinnedTid);
  if (WorkerTid)
    unpin(WorkerTid);
  PinnedTid = 0;
}

// Under Lock.
void CompileQueue::endWorkIfIdle() {
  if (!WorkSince || Current || !Pending.empty())
    return;
  WorkTime += Clock::now() - *WorkSince;
  WorkSince.reset();
  releaseCpus();
}

// Linux keeps a nice value per thread. Raising the priority again needs
// CAP_SYS_NICE (or RLIMIT_NICE): without it the worker stays at the lowest
// priority for the rest of the run.
void CompileQueue::setNice(bool Background) {
  if (Background == Lowered)
    return;
  int Nice = Background ? BackgroundNice : StartNice;
  if (setpriority(PRIO_PROCESS, gettid(), Nice) == 0)
    Lowered = Background;
}

void CompileQueue::work() {
  errno = 0;
  int Nice = getpriority(PRIO_PROCESS, gettid());
  StartNice = errno ? 0 : Nice;
  {
    std::lock_guard<std::mutex> G(Lock);
    WorkerTid = gettid();
  }
  if (Warm)
    Warm();
  std::unique_lock<std::mutex> G(Lock);
  endWorkIfIdle();
  Wake.wait(G, [this] { return Stopping || Served; });
  if (!Stopping && Served->Prepare) {
    G.unlock();
    Served->Prepare();
    G.lock();
    endWorkIfIdle();
  }
  while (true) {
    Wake.wait(G, [this] { return Stopping || !Pending.empty(); });
    if (Stopping)
      return;
    CompileRequest R = Pending.front();
    Pending.pop_front();
    Current = R;
    G.unlock();
    setNice(R.Background);
    bool Done = Served->Compile(R);
    G.lock();
    Current.reset();
    Interrupting = false;
    if (!Done && !Stopping)
      requeue(R);
    endWorkIfIdle();
  }
}

} // namespace gts
