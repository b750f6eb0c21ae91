// Builds the module that one tier compilation turns into object code.
#pragma once

#include "../core/Tier.h"
#include "Instrument.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace gts {

struct UnitRequest {
  std::vector<int> Targets; // Function ids compiled by this unit.
  Tier Level;
  unsigned Seq; // With Boot, makes body symbol names unique across boots:
                // saved objects are linked again next to new ones.
  InstrumentOptions Instrument;
  // Calls between different targets go straight to their bodies (a pinned
  // whole-app unit); otherwise only recursion does, and other calls go
  // through entries, so each function can change tier on its own.
  bool DirectCallsBetweenTargets = false;
  unsigned Boot = 0; // The boot compiling it (0 without --state).
  // Targets that only direct calls from this unit reach (with
  // DirectCallsBetweenTargets): their bodies stay local, so the optimizer
  // treats them as clang treats static functions. They get no body symbol.
  std::vector<int> LocalTargets;
};

struct UnitModule {
  std::unique_ptr<llvm::Module> M;
  // Parallel to Request.Targets; empty for local targets.
  std::vector<std::string> BodySymbols;
};

// Reads the bodies buildTierUnit copies for Request from a lazily read
// module (ir/Prepare.h, prepareCopy): the targets and, above O0, every
// function they reach through direct calls.
llvm::Error readBodies(const std::vector<llvm::Function *> &Functions,
                       const UnitRequest &Request);

// Copies the prepared module `Base` (ids = order of its definitions; in a
// lazily read one, readBodies first) into a unit for Request:
// - each target's body gets a symbol of its own; recursive calls (and, if
//   asked, calls between targets) go straight to the bodies; every other use
//   of a function keeps its name: the function's stable entry;
// - functions the targets call are kept as available_externally copies, so
//   the optimizer can inline them; what is not inlined calls their entries;
// - global variables become declarations (they live in the data unit);
//   constant ones stay available_externally so loads of them fold.
UnitModule buildTierUnit(const llvm::Module &Base,
                         const std::vector<llvm::Function *> &Functions,
                         const UnitRequest &Request);

// A callee that O0 units inline (as HotSpot's first compiler inlines
// trivial methods): one block of at most MaxTrivialInstructions that calls
// nothing but intrinsics. A function whose body is not read yet is not.
// TinyLlama's tokenizer loop calls read_i32 (a 4-byte memcpy) per entry:
// its O0 code came before read_i32's, and each call then went from compiled
// code into the interpreter, which made the loop slower than interpreting
// it all.
constexpr size_t MaxTrivialInstructions = 16;
bool isTrivialLeaf(const llvm::Function &F);

// Label tables of computed gotos (`static void *T[] = {&&a, &&b}`). They
// point into one function's code, so every tier keeps its own copy; an app
// that stores into such a table would see the copies diverge.
bool isBlockAddressTable(const llvm::GlobalVariable &G);

// The data unit: every global variable but label tables, no function bodies.
std::unique_ptr<llvm::Module> buildDataUnit(const llvm::Module &Base);

} // namespace gts
