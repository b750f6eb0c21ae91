#include "CompileQueue.h"

#include <algorithm>

namespace gts {

CompileQueue::CompileQueue(
    std::function<void(const CompileRequest &)> Compile)
    : Compile(std::move(Compile)), Worker([this] { work(); }) {}

void CompileQueue::push(const CompileRequest &R) {
  {
    std::lock_guard<std::mutex> G(Lock);
    Pending.push_back(R);
  }
  Wake.notify_one();
}

void CompileQueue::stop() {
  {
    std::lock_guard<std::mutex> G(Lock);
    if (Stopping && !Worker.joinable())
      return;
    Stopping = true;
    Pending.clear();
  }
  Wake.notify_one();
  if (Worker.joinable())
    Worker.join();
}

void CompileQueue::work() {
  std::unique_lock<std::mutex> G(Lock);
  while (true) {
    Wake.wait(G, [this] { return Stopping || !Pending.empty(); });
    if (Stopping)
      return;
    CompileRequest R = Pending.front();
    Pending.pop_front();
    // A function that climbed again while queued goes straight to the top.
    bool Superseded =
        std::any_of(Pending.begin(), Pending.end(),
                    [&](const CompileRequest &P) { return P.Id == R.Id; });
    if (Superseded)
      continue;
    G.unlock();
    Compile(R);
    G.lock();
  }
}

} // namespace gts
