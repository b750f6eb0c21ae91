// Background compilation: requests run on one worker thread, urgent ones
// first, then those that take a function out of the interpreter, then
// climbs of compiled code, background ones last; in order within each.
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
  // Null when no thread can be started (our kernel runs one thread): the
  // caller then compiles in place.
  // The worker runs Prepare (if any) before the first request.
  static std::unique_ptr<CompileQueue>
  start(std::function<void(const CompileRequest &)> Compile,
        std::function<void()> Prepare = {});
  // A worker started before there is anything to compile: it runs Warm,
  // then waits for serve().
  static std::unique_ptr<CompileQueue> startEarly(std::function<void()> Warm);
  // How many CPUs this thread may run on (1 if unknown).
  static int allowedCpus();
  // Once only, before the first push: the worker runs Prepare (if any), then
  // takes requests.
  void serve(std::function<void(const CompileRequest &)> Compile,
             std::function<void()> Prepare = {});
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
  void setNice(bool Background);

  std::function<void()> Warm;
  // Set by serve(), under Lock.
  std::function<void(const CompileRequest &)> Compile;
  std::function<void()> Prepare;
  std::deque<CompileRequest> Pending;
  std::mutex Lock;
  std::condition_variable Wake;
  bool Stopping = false;
  bool Joined = false;
  pthread_t Worker;
  // The CPUs the worker may use once prepared; until then it keeps off the
  // CPU of the thread that started it (Restricted).
  cpu_set_t Allowed;
  bool Restricted = false;
  // Under Lock: the wall time with work, and whether there is work now.
  Clock::duration WorkTime{};
  std::optional<Clock::time_point> WorkSince;
  std::optional<CompileRequest> Current; // being compiled
  // The worker's nice value at its start (the app's), and whether it runs
  // lowered now; only the worker touches these.
  int StartNice = 0;
  bool Lowered = false;
};

} // namespace gts
