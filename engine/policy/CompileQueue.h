// Background compilation: requests run on one worker thread, urgent ones
// first, then those that take a function out of the interpreter, then
// climbs of compiled code, background ones last; in order within each. A
// request of the first two kinds interrupts a climb in progress, which is
// queued again.
#pragma once

#include "../core/Tier.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <sched.h>
#include <sys/types.h>
#include <vector>

namespace gts {

struct CompileRequest {
  int Id;
  Tier Level;
  uint64_t AtCall; // The call count that asked for it.
  // An interpreted loop is running and moves to this code at its next
  // header: it goes before the waiting requests that are not urgent.
  bool Urgent = false;
  // The function runs in the interpreter until this code comes: several
  // times slower than O0 code, which takes a millisecond or two to make.
  // It goes before the climbs of compiled code that wait.
  bool FromInterpreter = false;
  // Better code for a function that already runs compiled code saved by an
  // earlier boot: it pays back over boots, not necessarily in this one, so
  // it must not take a core from the app. It runs after the other requests,
  // with the worker at the lowest priority (nice 19), so a loaded machine
  // serves the app first.
  bool Background = false;
  // When it was asked for, in ms since the engine started (--trace-tiers).
  double AskedMillis = 0;
};

class CompileQueue {
public:
  // Compiles R; false if it was interrupted (R then goes back in the queue).
  using CompileFn = std::function<bool(const CompileRequest &R)>;
  // What the worker runs, set by serve(). Interrupt (if any) is called, under
  // the queue's lock, when a request that takes a function out of the
  // interpreter arrives while a climb of compiled code (or a background
  // compile) is compiling: it should make that compile stop soon
  // (Compiler::setCancelled). The interpreted code runs 10 to 30 times
  // slower than O0 code, the climbing code at most about 2 times slower
  // than its next tier's: in TinyLlama's cold start the sort's comparison
  // function was interpreted 2-3 ms longer behind the climb of the
  // tokenizer's read_i32 to O3.
  struct Worker {
    CompileFn Compile;
    std::function<void()> Prepare; // before the first request
    std::function<void()> Interrupt;
  };
  // Null when no thread can be started (our kernel runs one thread): the
  // caller then compiles in place.
  static std::unique_ptr<CompileQueue> start(Worker W);
  // A worker started before there is anything to compile: it runs Warm,
  // then waits for serve().
  static std::unique_ptr<CompileQueue> startEarly(std::function<void()> Warm);
  // How many CPUs the process may run on (1 if unknown), whatever
  // keepApart does to its threads'.
  static int allowedCpus();
  // Once only, before the first push: the worker runs W.Prepare (if any),
  // then takes requests.
  void serve(Worker W);
  ~CompileQueue() { stop(); }

  void push(const CompileRequest &R);
  // Finishes the compilation in progress, joins the worker and returns the
  // requests it did not get to, oldest first. Before it waits, InProgress
  // (if given) sees the request being compiled, if any (to cancel it).
  std::vector<CompileRequest>
  stop(std::function<void(const CompileRequest &)> InProgress = {});

  // The worker's CPU time as a share of the wall time it had work (its
  // preparation, a request waiting or compiling): about 1 when it had a
  // core of its own, far less when the machine was busy. None before
  // MinWork of such wall time (too little to tell).
  static constexpr std::chrono::milliseconds MinWork{20};
  std::optional<double> cpuShare();

private:
  using Clock = std::chrono::steady_clock;
  explicit CompileQueue(std::function<void()> Warm) : Warm(std::move(Warm)) {}
  static void *workerMain(void *Self);
  void work();
  void beginWork();
  void endWorkIfIdle();
  void keepApart();
  void releaseCpus();
  void setNice(bool Background);
  void interruptIfOutranked(const CompileRequest &R);
  void requeue(const CompileRequest &R);

  std::function<void()> Warm;
  // Set by serve(), under Lock.
  std::optional<Worker> Served;
  std::deque<CompileRequest> Pending;
  std::mutex Lock;
  std::condition_variable Wake;
  bool Stopping = false;
  bool Joined = false;
  pthread_t Thread;
  // Under Lock: the worker's thread id (once it runs), and the thread that
  // keepApart pinned to its CPU (0: none).
  pid_t WorkerTid = 0;
  pid_t PinnedTid = 0;
  // Under Lock: the wall time with work, and whether there is work now.
  Clock::duration WorkTime{};
  std::optional<Clock::time_point> WorkSince;
  std::optional<CompileRequest> Current; // being compiled
  bool Interrupting = false;             // Current was asked to stop
  // The worker's nice value at its start (the app's), and whether it runs
  // lowered now; only the worker touches these.
  int StartNice = 0;
  bool Lowered = false;
};

} // namespace gts
