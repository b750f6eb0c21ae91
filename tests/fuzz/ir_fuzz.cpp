// libFuzzer target: loading an app (LLVM IR text or bitcode) as `gts run`
// does: reading under crash containment, the verifier, the checks for main
// and external symbols, and the interpreter's preparation.
//
// LLVM's own libraries are not instrumented (Debian's static builds), so the
// outcome stands in for their coverage: which error the loader gave, or which
// instruction kinds the loaded module holds, lights libFuzzer's extra
// counters. Inputs reaching new errors or new instructions stay in the corpus.
#include "ir/Prepare.h"

#include "llvm/IR/InstIterator.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <exception>
#include <functional>
#include <string>
#include <typeinfo>

#include <unistd.h>

using namespace llvm;

namespace {

__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t Outcome[4096];

void count(uint64_t Feature) {
  uint8_t &C = Outcome[Feature % sizeof Outcome];
  C = C == 255 ? 255 : C + 1;
}

// An error's kind: its text without digits (offsets, line numbers).
uint64_t errorKind(StringRef Msg) {
  std::string Kind;
  for (char C : Msg)
    if (!isdigit(static_cast<unsigned char>(C)))
      Kind += C;
  return std::hash<std::string>()(Kind);
}

void countModule(const gts::PreparedModule &App) {
  for (Function *F : App.Functions)
    for (Instruction &I : instructions(*F))
      count(1000 + I.getOpcode() * 8 +
            std::min<unsigned>(I.getNumOperands(), 7));
}

// std::terminate is never a way out of loading. While LLVM reads, gts's own
// terminate handler turns it into a load error (engine/ir/Prepare.cpp);
// anywhere else, or if that handler were lost, this one fails the run at
// once, before the abort that crash recovery would take for an ordinary
// fault, keeping the input where libFuzzer keeps its crash inputs
// (-artifact_prefix).
std::string TerminateInputPath = "terminate-input";
const uint8_t *CurrentData;
size_t CurrentSize;

[[noreturn]] void terminated() {
  // The harness is built without exceptions: name the type, do not catch.
  const std::type_info *Type = abi::__cxa_current_exception_type();
  const char *What = Type ? Type->name() : "no exception";
  fprintf(stderr, "ir_fuzz: std::terminate while loading (%s); input in %s\n",
          What, TerminateInputPath.c_str());
  if (FILE *F = fopen(TerminateInputPath.c_str(), "wb")) {
    fwrite(CurrentData, 1, CurrentSize, F);
    fclose(F);
  }
  _exit(3);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *Argc, char ***Argv) {
  StringRef Prefix = "-artifact_prefix=";
  for (int I = 1; I < *Argc; ++I)
    if (StringRef Arg = (*Argv)[I]; Arg.starts_with(Prefix))
      TerminateInputPath =
          (Arg.drop_front(Prefix.size()) + "terminate-input").str();
  std::set_terminate(terminated);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  CurrentData = Data;
  CurrentSize = Size;
  // A copy ends in NUL, as the IR text lexer requires (files do too).
  auto Buffer = MemoryBuffer::getMemBufferCopy(
      StringRef(reinterpret_cast<const char *>(Data), Size), "fuzz.bc");
  auto App = gts::loadAndPrepare(*Buffer, /*ForInterpreter=*/true);
  if (App) {
    if (!App->M->getFunction("main") || App->Functions.empty())
      abort(); // accepted without the main it promises
    countModule(*App);
    return 0;
  }
  std::string Msg = toString(App.takeError());
  if (Msg.empty() || Msg.find('\n') != std::string::npos)
    abort(); // one line naming the problem
  count(errorKind(Msg));
  return 0;
}
