// The tiers a function runs in: the vocabulary every part of the engine
// shares (the interpreter, the JIT, the profile, the policy, snapshots and
// the command line).
#pragma once

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>

namespace gts {

// Ordered: a later tier is a higher one (the policy compares them). The
// values are stored in snapshots (docs/SNAPSHOT.md): append only.
enum class Tier : uint8_t { Interp, O0, O1, O2, O3, Os, Oz };

inline constexpr llvm::StringRef TierNames[] = {"interp", "O0", "O1", "O2",
                                                "O3",     "Os", "Oz"};
inline constexpr size_t NumTiers = std::size(TierNames);

// The name --tier takes and reports print.
inline llvm::StringRef tierName(Tier T) {
  return TierNames[static_cast<size_t>(T)];
}

inline std::optional<Tier> parseTier(llvm::StringRef Name) {
  for (size_t I = 0; I < NumTiers; ++I)
    if (Name == TierNames[I])
      return static_cast<Tier>(I);
  return std::nullopt;
}

} // namespace gts
