// The preparation a module gets when its functions start in the interpreter.
#pragma once

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

namespace gts {

// Cheap and done once, before functions get their ids: mem2reg on every
// defined function, then (if OutlineLoops) every outermost loop that can be
// extracted, and the loops inside a loop of few iterations, become functions
// of their own marked "gts-loop", where the interpreter's back-edge counter
// can move a hot activation to compiled code (docs/INTERPRETER.md). No other
// optimization.
llvm::Error prepareForInterp(llvm::Module &M, bool OutlineLoops = true);

} // namespace gts
