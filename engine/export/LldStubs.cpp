// LLD pulls in LLVM's LTO backend, which gts never runs (it links ELF
// objects it generated, never bitcode). That backend registers the Polly
// plugin that Debian's LLVM lists as statically linked but does not ship;
// an empty registration stands in for it.
#include "llvm/Passes/PassPlugin.h"

llvm::PassPluginLibraryInfo getPollyPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "Polly", "unused",
          [](llvm::PassBuilder &) {}};
}
