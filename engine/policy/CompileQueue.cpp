#include "CompileQueue.h"

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

int CompileQueue::allowedCpus() {
  cpu_set_t Set;
  if (sched_getaffinity(0, sizeof Set, &Set) != 0)
    return 1;
  return CPU_COUNT(&Set);
}

// The scheduler may place a new thread on its creator's CPU and move it only
// milliseconds later: measured, 1 start in 4 slowed the app's reading by
// 3-5 ms, which a warm-up overlaps. So the worker starts on another CPU,
// when there is one.
std::unique_ptr<CompileQueue>
CompileQueue::startEarly(std::function<void()> Warm) {
  std::unique_ptr<CompileQueue> Q(new CompileQueue(std::move(Warm)));
  if (Q->Warm)
    Q->beginWork();
  pthread_attr_t Attr;
  if (pthread_attr_init(&Attr) != 0)
    return nullptr;
  // One CPU (our kernel, which has no getcpu): nowhere else to go.
  if (sched_getaffinity(0, sizeof Q->Allowed, &Q->Allowed) == 0 &&
      CPU_COUNT(&Q->Allowed) > 1) {
    int Here = sched_getcpu();
    if (Here >= 0 && CPU_ISSET(Here, &Q->Allowed)) {
      cpu_set_t Elsewhere = Q->Allowed;
      CPU_CLR(Here, &Elsewhere);
      Q->Restricted =
          pthread_attr_setaffinity_np(&Attr, sizeof Elsewhere, &Elsewhere) == 0;
    }
  }
  // pthread_create reports failure; std::thread would throw.
  int Failed = pthread_create(&Q->Thread, &Attr, workerMain, Q.get());
  pthread_attr_destroy(&Attr);
  if (Failed)
    return nullptr;
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

// Under Lock, or before the worker starts.
void CompileQueue::beginWork() {
  if (!WorkSince)
    WorkSince = Clock::now();
}

// Under Lock.
void CompileQueue::endWorkIfIdle() {
  if (!WorkSince || Current || !Pending.empty())
    return;
  WorkTime += Clock::now() - *WorkSince;
  WorkSince.reset();
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
  if (Restricted)
    sched_setaffinity(0, sizeof Allowed, &Allowed);
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
