//===- interp_run.cpp - gts-interp-run FILE.ll|.bc [args] -----------------===//
//
// Runs main(argc, argv) of an IR file in the tier 0 interpreter only.
// Exit codes: main's result; 64 usage; 65 bad input IR; 66 unsupported
// construct; 70 runtime error in the interpreter.
//
//===----------------------------------------------------------------------===//
#include "Harness.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdio>
#include <cstring>

using namespace llvm;

static int fail(const char *What, Error E, int Code) {
  errs() << "gts-interp-run: " << What << ": " << toString(std::move(E))
         << "\n";
  return Code;
}

static void printProfile(gts::Harness &H) {
  for (Function *F : H.Funcs)
    if (std::optional<gts::FunctionProfile> P = H.Interp->profile(*F)) {
      uint64_t Back = 0;
      for (uint64_t B : P->BackEdges)
        Back += B;
      errs() << "profile " << F->getName() << " calls=" << P->Counters.Calls
             << " cycles=" << P->Counters.Cycles
             << " min=" << P->Counters.MinCycles
             << " max=" << P->Counters.MaxCycles << " backedges=" << Back
             << " entry-block=" << P->BlockCounts[0] << "\n";
    }
}

int main(int Argc, char **Argv) {
  bool Outline = true, Profile = false, Check = false, Print = false;
  int Arg = 1;
  for (; Arg < Argc && Argv[Arg][0] == '-' && Argv[Arg][1] == '-'; ++Arg) {
    if (!strcmp(Argv[Arg], "--no-outline"))
      Outline = false;
    else if (!strcmp(Argv[Arg], "--profile"))
      Profile = true;
    else if (!strcmp(Argv[Arg], "--check"))
      Check = true;
    else if (!strcmp(Argv[Arg], "--print-prepared"))
      Print = true;
  }
  if (Arg >= Argc) {
    errs() << "usage: gts-interp-run [--no-outline] [--profile] [--check] "
              "[--print-prepared] "
              "FILE.ll|FILE.bc [args...]\n";
    return 64;
  }
  gts::Harness H;
  if (Error E = H.loadFile(Argv[Arg], Outline))
    return fail(Argv[Arg], std::move(E), 65);
  if (Print) {
    outs() << *H.M;
    return 0;
  }
  if (Check) {
    for (Function *F : H.Funcs)
      if (Error E = H.Interp->canRun(*F))
        return fail("check", std::move(E), 66);
    return 0;
  }
  Expected<void *> Main = H.entry("main");
  if (!Main)
    return fail(Argv[Arg], Main.takeError(), 65);
  Function *MF = H.M->getFunction("main");
  if (Error E = H.Interp->canRun(*MF))
    return fail("main", std::move(E), 66);
  int Rc;
  if (MF->arg_size() == 0)
    Rc = reinterpret_cast<int (*)()>(*Main)();
  else
    Rc = reinterpret_cast<int (*)(int, char **)>(*Main)(Argc - Arg, Argv + Arg);
  fflush(stdout);
  if (Profile)
    printProfile(H);
  return Rc;
}
