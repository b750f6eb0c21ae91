// Snapshots: what one boot learned (profile, tiers, relocatable object code),
// saved at exit and loaded at the next boot (docs/SNAPSHOT.md).
//
// A snapshot is only ever used by a run whose SnapshotConfig is identical:
// same app bitcode, gts build, LLVM, target and code-generation options.
// Object code refers to entries, globals and counters by symbol name, so the
// next boot links it again (JITLink) wherever its memory lands.
#pragma once

#include "../profile/FunctionProfile.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace gts {

// Everything that decides whether saved code and counts fit this run.
struct SnapshotConfig {
  uint64_t AppHash = 0; // xxh3 of the app's bitcode or text IR
  std::string BuildId;  // the gts binary's build id
  std::string LlvmVersion;
  std::string Triple;
  std::string Cpu;      // code generator CPU ("x86-64" unless --cpu=host)
  std::string Features; // code generator features (host mode)
  // Options that change generated code or tier decisions, canonical text.
  std::string Options;
  bool operator==(const SnapshotConfig &) const = default;
};

// One function under its stable key (name + hash of its IR).
struct FunctionRecord {
  FunctionProfile Profile; // name, counters, tier, tier history, block counts
  uint64_t IrHash = 0;
  // IR instructions, and those in blocks seen running (all of them once the
  // function ran, when no block counts were taken).
  uint32_t Instructions = 0, InstructionsRun = 0;
  int32_t Object = -1; // index into Snapshot::Objects of its current code
  std::string Body;    // symbol of that code in the object
};

enum class ObjectKind : uint8_t {
  Data,    // every global variable of the app
  Entries, // native entries into the interpreter
  Unit,    // a tier unit: code of one or more functions
};

struct ObjectRecord {
  ObjectKind Kind = ObjectKind::Unit;
  Tier Level = Tier::O0;
  std::string Bytes; // an ELF relocatable object
};

// What one boot did, for convergence reports.
struct BootRecord {
  uint32_t Boot = 0;
  double RunMillis = 0;     // engine start to exit
  uint64_t RunCycles = 0;   // the same span in rdtsc cycles (hot shares)
  double CompileMillis = 0; // spent compiling (all threads)
  uint32_t Compilations = 0;
  uint32_t LoadedFunctions = 0; // functions whose code came from a snapshot
  uint64_t ObjectBytes = 0;     // object code saved
  // What the boot cost its user: bytes read to start (the gts executable,
  // the app, the snapshot resumed from), milliseconds from the process's
  // start to the app's first output and its writes per second after that
  // (runtime/OutputClock.h: for TinyLlama, time to first token and tok/s).
  uint64_t LoadedBytes = 0;
  double FirstOutputMillis = -1; // -1: no output
  double OutputPerSecond = 0;
  std::array<uint32_t, NumTiers> FunctionsPerTier{}; // by Tier, at exit
  // Convergence (policy/TierPolicy.h defines hot): hot functions, those of
  // them at their final tier, a hash of the hot set's names, and whether the
  // boot counts as converged (ratio > 0.95, and the same hot set as the boot
  // before or that boot's ratio > 0.95 too).
  uint32_t Hot = 0;
  uint32_t HotAtFinalTier = 0;
  uint64_t HotSetHash = 0;
  bool Converged = false;
  double ratio() const { return Hot ? double(HotAtFinalTier) / Hot : 0; }
};

struct Snapshot {
  static constexpr uint32_t Version = 4;
  uint32_t Boot = 0; // the boot that wrote it (boot_NNNN.snap)
  SnapshotConfig Config;
  std::vector<FunctionRecord> Functions;
  std::vector<ObjectRecord> Objects;
  std::vector<BootRecord> History; // every boot so far, oldest first
  // The app as this build prepared it (bitcode; empty: not kept) and the ids
  // of its functions private to their callers: a warm boot reads it lazily
  // instead of reading, checking and preparing the app again
  // (ir/Prepare.h, loadPrepared).
  std::string PreparedApp;
  std::vector<uint32_t> PrivateToCallers;
};

// The binary form: header, checksum (xxh3 over the file), records; objects
// zstd-compressed when LLVM has zstd.
void writeSnapshot(const Snapshot &S, llvm::raw_ostream &OS);
// Rejects anything malformed, truncated, of another version or whose
// checksum does not match; the message names the reason.
llvm::Expected<Snapshot> readSnapshot(llvm::MemoryBufferRef Buffer);

// Why a snapshot does not fit this run (empty if it does).
std::string configMismatch(const SnapshotConfig &Saved,
                           const SnapshotConfig &Now);

// `gts snapshot show`: a table, or JSON for tools.
void printSnapshot(const Snapshot &S, llvm::raw_ostream &OS);
void printSnapshotJson(const Snapshot &S, llvm::raw_ostream &OS);
// The per-boot table of a history (also `gts report`).
void printHistory(const std::vector<BootRecord> &History,
                  llvm::raw_ostream &OS);

// The build id of the running gts (its ELF build-id note), hex.
std::string currentBuildId();

} // namespace gts
