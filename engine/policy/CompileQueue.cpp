#include "CompileQueue.h"

#include <algorithm>

namespace gts {

std::unique_ptr<CompileQueue>
CompileQueue::start(std::function<void(const CompileRequest &)> Compile,
                    std::function<void()> Prepare) {
  std::unique_ptr<CompileQueue> Q(
      new CompileQueue(std::move(Compile), std::move(Prepare)));
  // pthread_create reports failure; std::thread would throw.
  if (pthread_create(&Q->Worker, nullptr, workerMain, Q.get()) != 0)
    return nullptr;
  return Q;
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
    auto At =
        R.Urgent
            ? std::find_if(Pending.begin(), Pending.end(),
                           [](const CompileRequest &P) { return !P.Urgent; })
            : Pending.end();
    Pending.insert(At, R);
  }
  Wake.notify_one();
}

std::vector<CompileRequest> CompileQueue::stop() {
  std::vector<CompileRequest> Left;
  {
    std::lock_guard<std::mutex> G(Lock);
    if (Joined)
      return Left;
    Joined = Stopping = true;
    Left.assign(Pending.begin(), Pending.end());
    Pending.clear();
  }
  Wake.notify_one();
  pthread_join(Worker, nullptr);
  return Left;
}

void CompileQueue::work() {
  if (Prepare)
    Prepare();
  std::unique_lock<std::mutex> G(Lock);
  while (true) {
    Wake.wait(G, [this] { return Stopping || !Pending.empty(); });
    if (Stopping)
      return;
    CompileRequest R = Pending.front();
    Pending.pop_front();
    G.unlock();
    Compile(R);
    G.lock();
  }
}

} // namespace gts
