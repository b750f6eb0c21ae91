#include "EarlyCompiles.h"
#include "Engine.h"

#include "../runtime/Pretouch.h"

using namespace llvm;

namespace gts {

std::shared_ptr<EarlyCompiles> startEarlyCompiles(CpuMode Cpu,
                                                  HeapRange AppHeap) {
  // On one CPU (our kernel's) it would only take time from the app.
  if (CompileQueue::allowedCpus() < 2)
    return nullptr;
  auto Early = std::make_shared<EarlyCompiles>();
  Early->Queue = CompileQueue::startEarly(
      [Self = Early.get(), Cpu, AppHeap] { Self->warm(Cpu, AppHeap); });
  if (!Early->Queue)
    return nullptr;
  return Early;
}

// On the worker. Apps have x86-64's data layout (ir/Prepare.h checks it).
void EarlyCompiles::warm(CpuMode Cpu, HeapRange AppHeap) {
  // First, while the app's thread reads the app there (about 1.2 ms on the
  // app's thread otherwise).
  populateHeap(AppHeap);
  // The first compiles fill about 3 MiB of this thread's fresh arena.
  pretouchHeap(4);
  std::unique_ptr<Compiler> Made;
  if (auto C = Compiler::create(Cpu, DataLayout(X86_64DataLayout))) {
    Made = std::move(*C);
    // A compiler that cannot compile fails the first real compile, which
    // reports it.
    consumeError(Made->warmUp());
  } else {
    consumeError(C.takeError());
  }
  {
    std::lock_guard<std::mutex> G(Lock);
    Comp = std::move(Made);
    WarmedAt = std::chrono::steady_clock::now();
  }
  WarmedUp.notify_all();
}

std::unique_ptr<Compiler> EarlyCompiles::takeCompiler() {
  std::unique_lock<std::mutex> G(Lock);
  WarmedUp.wait(G, [this] { return WarmedAt.has_value(); });
  return std::move(Comp);
}

std::optional<std::chrono::steady_clock::time_point>
EarlyCompiles::warmedAt() const {
  std::lock_guard<std::mutex> G(Lock);
  return WarmedAt;
}

} // namespace gts
