#include "policy/CompileQueue.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
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

  void compile(const CompileRequest &R) {
    std::unique_lock<std::mutex> G(Lock);
    Started = true;
    Changed.notify_all();
    Changed.wait(G, [&] { return Released; });
    Done.push_back({R.Id, R.Level});
    Changed.notify_all();
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
Order runQueued(const std::vector<CompileRequest> &Requests, size_t Count) {
  Recorder Rec;
  auto Q = CompileQueue::start([&](const CompileRequest &R) { Rec.compile(R); },
                               [&] { Rec.prepare(); });
  if (!Q)
    return {};
  Q->push({0, Tier::O0, 100});
  Rec.waitStarted();
  for (const CompileRequest &R : Requests)
    Q->push(R);
  Rec.release();
  Rec.waitDone(Count);
  EXPECT_TRUE(Q->stop().empty());
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

TEST(CompileQueue, AHigherRequestReplacesTheWaitingOne) {
  Order Done = runQueued({{1, Tier::O0, 100},
                          {2, Tier::O1, 1000},
                          {1, Tier::O3, 1, /*Urgent=*/true}},
                         4);
  Order Want{{-1, Tier::Interp}, {0, Tier::O0}, {1, Tier::O3}, {2, Tier::O1}};
  EXPECT_EQ(Done, Want);
}
