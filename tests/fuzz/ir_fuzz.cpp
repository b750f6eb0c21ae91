// libFuzzer target: loading an app (LLVM IR text or bitcode) as `gts run`
// does: reading under crash containment, the verifier, the checks for main
// and external symbols, and the interpreter's preparation.
//
// LLVM's own libraries are not instrumented (Debian's static builds), so the
// fuzzer's coverage comes from this harness and the mutations are mostly
// blind; the test is that every input ends in a module or a load error.
#include "ir/Prepare.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cstdlib>

using namespace llvm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  // A copy ends in NUL, as the IR text lexer requires (files do too).
  auto Buffer = MemoryBuffer::getMemBufferCopy(
      StringRef(reinterpret_cast<const char *>(Data), Size), "fuzz.bc");
  auto App = gts::loadAndPrepare(*Buffer, /*ForInterpreter=*/true);
  if (App) {
    if (!App->M->getFunction("main") || App->Functions.empty())
      abort(); // accepted without the main it promises
    return 0;
  }
  std::string Msg = toString(App.takeError());
  if (Msg.empty() || Msg.find('\n') != std::string::npos)
    abort(); // one line naming the problem
  return 0;
}
