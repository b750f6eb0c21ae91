// Background compilation: requests run on one worker thread, urgent ones
// first, otherwise in order.
#pragma once

#include "../core/Tier.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <vector>

namespace gts {

struct CompileRequest {
  int Id;
  Tier Level;
  uint64_t AtCall; // The call count that asked for it.
  // An interpreted loop is running and moves to this code at its next
  // header: it goes before the waiting requests that are not urgent.
  bool Urgent = false;
};

class CompileQueue {
public:
  // Null when no thread can be started (our kernel runs one thread): the
  // caller then compiles in place.
  // The worker runs Prepare (if any) before the first request.
  static std::unique_ptr<CompileQueue>
  start(std::function<void(const CompileRequest &)> Compile,
        std::function<void()> Prepare = {});
  ~CompileQueue() { stop(); }

  void push(const CompileRequest &R);
  // Finishes the compilation in progress, joins the worker and returns the
  // requests it did not get to, oldest first.
  std::vector<CompileRequest> stop();

private:
  CompileQueue(std::function<void(const CompileRequest &)> Compile,
               std::function<void()> Prepare)
      : Compile(std::move(Compile)), Prepare(std::move(Prepare)) {}
  static void *workerMain(void *Self);
  void work();

  std::function<void(const CompileRequest &)> Compile;
  std::function<void()> Prepare;
  std::deque<CompileRequest> Pending;
  std::mutex Lock;
  std::condition_variable Wake;
  bool Stopping = false;
  bool Joined = false;
  pthread_t Worker;
};

} // namespace gts
