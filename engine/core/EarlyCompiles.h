// The compile thread of a cold run, started before the app is read
// (startEarlyCompiles in Engine.h): the engine takes its queue and compiler.
#pragma once

#include "../jit/Compiler.h"
#include "../policy/CompileQueue.h"
#include "../runtime/Pretouch.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

namespace gts {

class EarlyCompiles {
public:
  // Waits for the warm-up; null if the compiler could not be made (the
  // engine then makes one itself and reports why it cannot).
  std::unique_ptr<Compiler> takeCompiler();

  // When the warm-up ended, if it has.
  std::optional<std::chrono::steady_clock::time_point> warmedAt() const;

private:
  friend std::shared_ptr<EarlyCompiles> startEarlyCompiles(CpuMode Cpu,
                                                           HeapRange AppHeap);
  void warm(CpuMode Cpu, HeapRange AppHeap);

  mutable std::mutex Lock;
  std::condition_variable WarmedUp;
  std::optional<std::chrono::steady_clock::time_point> WarmedAt;
  std::unique_ptr<Compiler> Comp;

public:
  // The worker, waiting for CompileQueue::serve once it has warmed up.
  // Declared last, so destroyed first: it joins the worker before the
  // members the worker uses go.
  std::unique_ptr<CompileQueue> Queue;
};

} // namespace gts
