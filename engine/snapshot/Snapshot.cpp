#include "Snapshot.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/xxhash.h"

#include <cstring>
#include <link.h>
#include <memory>
#include <zstd.h>

using namespace llvm;

namespace gts {

namespace {

constexpr char Magic[4] = {'S', 'N', 'A', 'P'}; // 0x534E4150 read big-endian
constexpr size_t ChecksummedFrom = 24;
constexpr uint8_t Uncompressed = 0, Zstd = 1;
// A decompressed object may not claim more than this (a bad size field must
// not make us allocate gigabytes).
constexpr uint64_t MaxObjectBytes = 256u << 20;

class Writer {
public:
  explicit Writer(std::string &Out) : OS(Out), W(OS, endianness::little) {}
  void u8(uint8_t V) { W.write(V); }
  void u32(uint32_t V) { W.write(V); }
  void u64(uint64_t V) { W.write(V); }
  void f64(double V) { W.write(V); }
  void str(StringRef S) {
    u32(static_cast<uint32_t>(S.size()));
    OS << S;
  }
  void counts(const std::vector<uint64_t> &V) {
    u32(static_cast<uint32_t>(V.size()));
    for (uint64_t X : V)
      u64(X);
  }

private:
  raw_string_ostream OS;
  support::endian::Writer W;
};

// Reads little-endian fields with bounds checks; the first failure sticks
// and names the byte offset.
class Reader {
public:
  explicit Reader(StringRef Data) : Data(Data) {}

  template <typename T> bool fixed(T &V) {
    if (!need(sizeof(T)))
      return false;
    V = support::endian::read<T, endianness::little>(Data.data() + Pos);
    Pos += sizeof(T);
    return true;
  }
  bool f64(double &V) {
    uint64_t Bits;
    if (!fixed(Bits))
      return false;
    std::memcpy(&V, &Bits, sizeof V);
    return true;
  }
  bool bytes(size_t N, StringRef &Out) {
    if (!need(N))
      return false;
    Out = Data.substr(Pos, N);
    Pos += N;
    return true;
  }
  bool str(std::string &S) {
    uint32_t N;
    StringRef B;
    if (!fixed(N) || !bytes(N, B))
      return false;
    S = B.str();
    return true;
  }
  // A count of elements of at least MinBytes each: more than the rest of the
  // file can hold is corruption, caught before anything is allocated.
  bool count(uint32_t &N, size_t MinBytes) {
    if (!fixed(N))
      return false;
    if (uint64_t(N) * MinBytes > Data.size() - Pos)
      return fail("count " + Twine(N) + " exceeds the file");
    return true;
  }
  bool counts(std::vector<uint64_t> &V) {
    uint32_t N;
    if (!count(N, 8))
      return false;
    V.resize(N);
    for (uint64_t &X : V)
      fixed(X);
    return ok();
  }
  bool tier(Tier &T) {
    uint8_t V;
    if (!fixed(V))
      return false;
    if (V >= NumTiers)
      return fail("bad tier " + Twine(V));
    T = static_cast<Tier>(V);
    return true;
  }
  bool fail(const Twine &Why) {
    if (Error.empty())
      Error = (Why + " at byte " + Twine(Pos)).str();
    return false;
  }
  bool ok() const { return Error.empty(); }
  bool atEnd() const { return Pos == Data.size(); }
  std::string Error;

private:
  bool need(size_t N) {
    if (!ok())
      return false;
    if (N > Data.size() - Pos)
      return fail("truncated record");
    return true;
  }
  StringRef Data;
  size_t Pos = 0;
};

void writeConfig(Writer &W, const SnapshotConfig &C) {
  W.u64(C.AppHash);
  for (const std::string *S :
       {&C.BuildId, &C.LlvmVersion, &C.Triple, &C.Cpu, &C.Features, &C.Options})
    W.str(*S);
}

bool readConfig(Reader &R, SnapshotConfig &C) {
  R.fixed(C.AppHash);
  for (std::string *S :
       {&C.BuildId, &C.LlvmVersion, &C.Triple, &C.Cpu, &C.Features, &C.Options})
    R.str(*S);
  return R.ok();
}

void writeFunction(Writer &W, const FunctionRecord &F) {
  const FunctionCounters &C = F.Profile.Counters;
  W.str(F.Profile.Name);
  W.u64(F.IrHash);
  W.u32(F.Instructions);
  W.u32(F.InstructionsRun);
  W.u8(static_cast<uint8_t>(F.Profile.Current));
  for (uint64_t V : {C.Calls, C.Cycles, C.TimedCalls, C.MinCycles, C.MaxCycles})
    W.u64(V);
  W.u32(static_cast<uint32_t>(F.Profile.Changes.size()));
  for (const TierChange &T : F.Profile.Changes) {
    W.u8(static_cast<uint8_t>(T.To));
    W.u64(T.AtCall);
    W.u32(T.Boot);
    W.f64(T.Millis);
  }
  W.counts(F.Profile.BlockCounts);
  W.counts(F.Profile.BackEdges);
  W.u32(static_cast<uint32_t>(F.Object));
  W.str(F.Body);
}

bool readFunction(Reader &R, FunctionRecord &F) {
  FunctionCounters &C = F.Profile.Counters;
  R.str(F.Profile.Name);
  R.fixed(F.IrHash);
  R.fixed(F.Instructions);
  R.fixed(F.InstructionsRun);
  R.tier(F.Profile.Current);
  for (uint64_t *V :
       {&C.Calls, &C.Cycles, &C.TimedCalls, &C.MinCycles, &C.MaxCycles})
    R.fixed(*V);
  uint32_t N;
  if (!R.count(N, 21))
    return false;
  F.Profile.Changes.resize(N);
  for (TierChange &T : F.Profile.Changes) {
    R.tier(T.To);
    R.fixed(T.AtCall);
    R.fixed(T.Boot);
    R.f64(T.Millis);
  }
  R.counts(F.Profile.BlockCounts);
  R.counts(F.Profile.BackEdges);
  R.fixed(F.Object);
  R.str(F.Body);
  return R.ok();
}

// Objects are zstd frames, one per object, through one context per
// snapshot: ZSTD_decompress (and LLVM's wrapper) allocate and set up a
// ~100 KiB context per call, which was most of a warm start's snapshot read.
struct ZstdFree {
  void operator()(ZSTD_CCtx *C) const { ZSTD_freeCCtx(C); }
  void operator()(ZSTD_DCtx *D) const { ZSTD_freeDCtx(D); }
};
using CompressContext = std::unique_ptr<ZSTD_CCtx, ZstdFree>;
using DecompressContext = std::unique_ptr<ZSTD_DCtx, ZstdFree>;

// Bytes as a zstd frame (or as they are, without zstd or when it fails).
void writeBlob(Writer &W, StringRef Bytes, ZSTD_CCtx *C) {
  std::string Packed(ZSTD_compressBound(Bytes.size()), '\0');
  // Level 1: saving happens at every exit; a higher level costs more time
  // than the few KiB it saves on the disk.
  size_t N = C ? ZSTD_compressCCtx(C, Packed.data(), Packed.size(),
                                   Bytes.data(), Bytes.size(), 1)
               : 0;
  bool Compress = N && !ZSTD_isError(N);
  Packed.resize(Compress ? N : 0);
  W.u8(Compress ? Zstd : Uncompressed);
  W.u64(Bytes.size());
  W.str(Compress ? StringRef(Packed) : Bytes);
}

void writeObject(Writer &W, const ObjectRecord &O, ZSTD_CCtx *C) {
  W.u8(static_cast<uint8_t>(O.Kind));
  W.u8(static_cast<uint8_t>(O.Level));
  writeBlob(W, O.Bytes, C);
}

bool readBlob(Reader &R, std::string &Bytes, ZSTD_DCtx *D) {
  uint8_t Compression;
  uint64_t RawSize;
  std::string Stored;
  R.fixed(Compression);
  R.fixed(RawSize);
  if (!R.str(Stored))
    return false;
  if (RawSize > MaxObjectBytes)
    return R.fail("object of " + Twine(RawSize) + " bytes");
  if (Compression == Uncompressed) {
    if (Stored.size() != RawSize)
      return R.fail("object size mismatch");
    Bytes = std::move(Stored);
    return true;
  }
  if (Compression != Zstd)
    return R.fail("unknown compression " + Twine(Compression));
  if (!D)
    return R.fail("no memory for a zstd context");
  Bytes.resize(RawSize);
  size_t N = ZSTD_decompressDCtx(D, Bytes.data(), Bytes.size(), Stored.data(),
                                 Stored.size());
  if (ZSTD_isError(N))
    return R.fail(Twine("bad compressed object: ") + ZSTD_getErrorName(N));
  if (N != RawSize)
    return R.fail("bad compressed object: " + Twine(N) + " bytes, not " +
                  Twine(RawSize));
  return true;
}

bool readObject(Reader &R, ObjectRecord &O, ZSTD_DCtx *D) {
  uint8_t Kind;
  R.fixed(Kind);
  R.tier(O.Level);
  if (!R.ok())
    return false;
  if (Kind > static_cast<uint8_t>(ObjectKind::Unit))
    return R.fail("bad object kind " + Twine(Kind));
  O.Kind = static_cast<ObjectKind>(Kind);
  return readBlob(R, O.Bytes, D);
}

void writePreparedApp(Writer &W, const Snapshot &S, ZSTD_CCtx *C) {
  writeBlob(W, S.PreparedApp, C);
  W.u32(static_cast<uint32_t>(S.PrivateToCallers.size()));
  for (uint32_t Id : S.PrivateToCallers)
    W.u32(Id);
}

bool readPreparedApp(Reader &R, Snapshot &S, ZSTD_DCtx *D) {
  uint32_t N;
  if (!readBlob(R, S.PreparedApp, D) || !R.count(N, 4))
    return false;
  S.PrivateToCallers.resize(N);
  for (uint32_t &Id : S.PrivateToCallers)
    R.fixed(Id);
  return R.ok();
}

void writeBoot(Writer &W, const BootRecord &B) {
  W.u32(B.Boot);
  W.f64(B.RunMillis);
  W.u64(B.RunCycles);
  W.f64(B.CompileMillis);
  W.u32(B.Compilations);
  W.u32(B.LoadedFunctions);
  W.u64(B.ObjectBytes);
  W.u64(B.LoadedBytes);
  W.f64(B.FirstOutputMillis);
  W.f64(B.OutputPerSecond);
  for (uint32_t N : B.FunctionsPerTier)
    W.u32(N);
  W.u32(B.Hot);
  W.u32(B.HotAtFinalTier);
  W.u64(B.HotSetHash);
  W.u8(B.Converged);
}

bool readBoot(Reader &R, BootRecord &B) {
  R.fixed(B.Boot);
  R.f64(B.RunMillis);
  R.fixed(B.RunCycles);
  R.f64(B.CompileMillis);
  R.fixed(B.Compilations);
  R.fixed(B.LoadedFunctions);
  R.fixed(B.ObjectBytes);
  R.fixed(B.LoadedBytes);
  R.f64(B.FirstOutputMillis);
  R.f64(B.OutputPerSecond);
  for (uint32_t &N : B.FunctionsPerTier)
    R.fixed(N);
  uint8_t Converged = 0;
  R.fixed(B.Hot);
  R.fixed(B.HotAtFinalTier);
  R.fixed(B.HotSetHash);
  R.fixed(Converged);
  B.Converged = Converged != 0;
  if (R.ok() && B.HotAtFinalTier > B.Hot)
    return R.fail("more hot functions at their final tier than hot ones");
  return R.ok();
}

// Cross-record consistency: what the reader checks beyond the bytes.
Error checkRecords(const Snapshot &S) {
  auto Bad = [](const Twine &Why) {
    return createStringError(inconvertibleErrorCode(),
                             "inconsistent record: " + Why);
  };
  int32_t NumObjects = static_cast<int32_t>(S.Objects.size());
  for (const FunctionRecord &F : S.Functions) {
    if (F.Profile.Name.empty())
      return Bad("function without a name");
    if (F.InstructionsRun > F.Instructions)
      return Bad(F.Profile.Name + " ran more instructions than it has");
    if (F.Object < -1 || F.Object >= NumObjects)
      return Bad(F.Profile.Name + " refers to object " + Twine(F.Object));
    bool HasCode = F.Object >= 0;
    if (HasCode && S.Objects[F.Object].Kind != ObjectKind::Unit)
      return Bad(F.Profile.Name + "'s code is not in a tier unit");
    if (HasCode == F.Body.empty() ||
        HasCode == (F.Profile.Current == Tier::Interp))
      return Bad(F.Profile.Name + ": tier " + tierName(F.Profile.Current) +
                 " does not match its code");
    if (HasCode && S.Objects[F.Object].Level != F.Profile.Current)
      return Bad(F.Profile.Name + ": tier " + tierName(F.Profile.Current) +
                 " in an object of tier " +
                 tierName(S.Objects[F.Object].Level));
  }
  for (const BootRecord &B : S.History)
    if (B.Boot > S.Boot)
      return Bad("history names boot " + Twine(B.Boot));
  for (uint32_t Id : S.PrivateToCallers)
    if (Id >= S.Functions.size())
      return Bad("private function of id " + Twine(Id));
  return Error::success();
}

} // namespace

void writeSnapshot(const Snapshot &S, raw_ostream &OS) {
  std::string Body;
  Writer W(Body);
  W.u32(S.Boot);
  W.u32(static_cast<uint32_t>(S.Functions.size()));
  W.u32(static_cast<uint32_t>(S.Objects.size()));
  W.u32(static_cast<uint32_t>(S.History.size()));
  writeConfig(W, S.Config);
  for (const FunctionRecord &F : S.Functions)
    writeFunction(W, F);
  CompressContext C(ZSTD_createCCtx());
  for (const ObjectRecord &O : S.Objects)
    writeObject(W, O, C.get());
  for (const BootRecord &B : S.History)
    writeBoot(W, B);
  writePreparedApp(W, S, C.get());

  std::string Head;
  Writer H(Head);
  for (char C : Magic)
    H.u8(static_cast<uint8_t>(C));
  H.u32(Snapshot::Version);
  H.u64(ChecksummedFrom + Body.size());
  H.u64(xxh3_64bits(arrayRefFromStringRef(Body)));
  OS << Head << Body;
}

Expected<Snapshot> readSnapshot(MemoryBufferRef Buffer) {
  StringRef Data = Buffer.getBuffer();
  auto Fail = [](const Twine &Why) {
    return createStringError(inconvertibleErrorCode(), Why);
  };
  if (Data.size() < ChecksummedFrom || !Data.starts_with(StringRef(Magic, 4)))
    return Fail("not a snapshot (no SNAP header)");
  Reader H(Data.take_front(ChecksummedFrom));
  uint32_t Magic32, Version;
  uint64_t Size, Sum;
  H.fixed(Magic32);
  H.fixed(Version);
  H.fixed(Size);
  H.fixed(Sum);
  if (Version != Snapshot::Version)
    return Fail("version " + Twine(Version) + ", this gts reads version " +
                Twine(Snapshot::Version));
  if (Size != Data.size())
    return Fail("truncated or extended: header says " + Twine(Size) +
                " bytes, file has " + Twine(Data.size()));
  StringRef Body = Data.drop_front(ChecksummedFrom);
  if (xxh3_64bits(arrayRefFromStringRef(Body)) != Sum)
    return Fail("checksum mismatch");

  Snapshot S;
  Reader R(Body);
  uint32_t NumFunctions, NumObjects, NumBoots;
  R.fixed(S.Boot);
  R.count(NumFunctions, 48);
  R.count(NumObjects, 15);
  R.count(NumBoots, 81);
  if (R.ok() && readConfig(R, S.Config)) {
    S.Functions.resize(NumFunctions);
    S.Objects.resize(NumObjects);
    S.History.resize(NumBoots);
    for (FunctionRecord &F : S.Functions)
      if (!readFunction(R, F))
        break;
    DecompressContext D(ZSTD_createDCtx());
    for (ObjectRecord &O : S.Objects)
      if (!readObject(R, O, D.get()))
        break;
    for (BootRecord &B : S.History)
      if (!readBoot(R, B))
        break;
    if (R.ok())
      readPreparedApp(R, S, D.get());
  }
  if (R.ok() && !R.atEnd())
    R.fail("trailing bytes");
  if (!R.ok())
    return Fail(R.Error);
  if (Error E = checkRecords(S))
    return std::move(E);
  return std::move(S);
}

std::string configMismatch(const SnapshotConfig &Saved,
                           const SnapshotConfig &Now) {
  auto Differs = [](StringRef What, StringRef A, StringRef B) {
    return (What + " (" + A + "; this run: " + B + ")").str();
  };
  if (Saved.AppHash != Now.AppHash)
    return Differs("another app", utohexstr(Saved.AppHash),
                   utohexstr(Now.AppHash));
  if (Saved.BuildId != Now.BuildId)
    return Differs("another gts build", Saved.BuildId, Now.BuildId);
  if (Saved.LlvmVersion != Now.LlvmVersion)
    return Differs("another LLVM", Saved.LlvmVersion, Now.LlvmVersion);
  if (Saved.Triple != Now.Triple)
    return Differs("another target", Saved.Triple, Now.Triple);
  if (Saved.Cpu != Now.Cpu || Saved.Features != Now.Features)
    return Differs("another CPU mode", Saved.Cpu, Now.Cpu);
  if (Saved.Options != Now.Options)
    return Differs("other options", Saved.Options, Now.Options);
  return "";
}

namespace {

size_t objectBytes(const Snapshot &S, const FunctionRecord &F) {
  return F.Object >= 0 ? S.Objects[F.Object].Bytes.size() : 0;
}

} // namespace

void printSnapshot(const Snapshot &S, raw_ostream &OS) {
  size_t Code = 0;
  for (const ObjectRecord &O : S.Objects)
    Code += O.Bytes.size();
  OS << "snapshot of boot " << S.Boot << " (format " << Snapshot::Version
     << "): " << S.Functions.size() << " functions, " << S.Objects.size()
     << " objects, " << (Code + 1023) / 1024 << " KiB of object code, "
     << (S.PreparedApp.size() + 1023) / 1024 << " KiB of prepared app\n"
     << "app " << utohexstr(S.Config.AppHash) << ", gts build "
     << S.Config.BuildId << ", LLVM " << S.Config.LlvmVersion << ", "
     << S.Config.Triple << ", cpu " << S.Config.Cpu << "\n"
     << "options: " << S.Config.Options << "\n\n";
  OS << "function                         tier            calls           "
        "cycles object bytes\n";
  for (const FunctionRecord &F : S.Functions)
    OS << format("%-32s %-6s %14llu %16llu %12zu\n", F.Profile.Name.c_str(),
                 tierName(F.Profile.Current).str().c_str(),
                 (unsigned long long)F.Profile.Counters.Calls,
                 (unsigned long long)F.Profile.Counters.Cycles,
                 objectBytes(S, F));
  OS << "\n";
  printHistory(S.History, OS);
}

void printHistory(const std::vector<BootRecord> &History, raw_ostream &OS) {
  OS << "boot  loaded KiB  first out ms  out/s    run ms compile ms  "
        "compiles  resumed  code KiB  hot  ratio  converged  functions per "
        "tier (interp O0 O1 O2 O3 Os Oz)\n";
  for (const BootRecord &B : History) {
    std::string Tiers;
    for (uint32_t N : B.FunctionsPerTier)
      Tiers += " " + std::to_string(N);
    std::string First = B.FirstOutputMillis < 0
                            ? "-"
                            : formatv("{0:f1}", B.FirstOutputMillis).str();
    OS << format("%-5u %10llu %13s %6.1f %9.1f %10.1f %9u %8u %9llu %4u %6.2f  "
                 "%-9s %s\n",
                 B.Boot, (unsigned long long)(B.LoadedBytes + 1023) / 1024,
                 First.c_str(), B.OutputPerSecond, B.RunMillis, B.CompileMillis,
                 B.Compilations, B.LoadedFunctions,
                 (unsigned long long)(B.ObjectBytes + 1023) / 1024, B.Hot,
                 B.ratio(), B.Converged ? "yes" : "no", Tiers.c_str());
  }
}

void printSnapshotJson(const Snapshot &S, raw_ostream &OS) {
  json::Array Fns, Boots;
  for (const FunctionRecord &F : S.Functions) {
    json::Array Changes;
    for (const TierChange &T : F.Profile.Changes)
      Changes.push_back(json::Object{{"tier", tierName(T.To)},
                                     {"at_call", (int64_t)T.AtCall},
                                     {"boot", (int64_t)T.Boot},
                                     {"ms", T.Millis}});
    Fns.push_back(
        json::Object{{"name", F.Profile.Name},
                     {"ir_hash", utohexstr(F.IrHash)},
                     {"tier", tierName(F.Profile.Current)},
                     {"calls", (int64_t)F.Profile.Counters.Calls},
                     {"cycles", (int64_t)F.Profile.Counters.Cycles},
                     {"timed_calls", (int64_t)F.Profile.Counters.TimedCalls},
                     {"object_bytes", (int64_t)objectBytes(S, F)},
                     {"instructions", (int64_t)F.Instructions},
                     {"instructions_run", (int64_t)F.InstructionsRun},
                     {"tier_changes", std::move(Changes)},
                     {"block_counts", json::Array(F.Profile.BlockCounts)},
                     {"back_edges", json::Array(F.Profile.BackEdges)}});
  }
  for (const BootRecord &B : S.History) {
    json::Array Tiers;
    for (uint32_t N : B.FunctionsPerTier)
      Tiers.push_back((int64_t)N);
    Boots.push_back(
        json::Object{{"boot", (int64_t)B.Boot},
                     {"run_ms", B.RunMillis},
                     {"run_cycles", (int64_t)B.RunCycles},
                     {"compile_ms", B.CompileMillis},
                     {"compilations", (int64_t)B.Compilations},
                     {"loaded_functions", (int64_t)B.LoadedFunctions},
                     {"object_bytes", (int64_t)B.ObjectBytes},
                     {"loaded_bytes", (int64_t)B.LoadedBytes},
                     {"first_output_ms", B.FirstOutputMillis},
                     {"output_per_second", B.OutputPerSecond},
                     {"functions_per_tier", std::move(Tiers)},
                     {"hot", (int64_t)B.Hot},
                     {"hot_at_final_tier", (int64_t)B.HotAtFinalTier},
                     {"ratio", B.ratio()},
                     {"converged", B.Converged}});
  }
  json::Object Config{{"app_hash", utohexstr(S.Config.AppHash)},
                      {"build_id", S.Config.BuildId},
                      {"llvm", S.Config.LlvmVersion},
                      {"triple", S.Config.Triple},
                      {"cpu", S.Config.Cpu},
                      {"features", S.Config.Features},
                      {"options", S.Config.Options}};
  OS << formatv("{0:2}",
                json::Value(json::Object{
                    {"version", (int64_t)Snapshot::Version},
                    {"boot", (int64_t)S.Boot},
                    {"config", std::move(Config)},
                    {"prepared_app_bytes", (int64_t)S.PreparedApp.size()},
                    {"functions", std::move(Fns)},
                    {"boots", std::move(Boots)}}))
     << "\n";
}

namespace {

// Finds the NT_GNU_BUILD_ID note among the program's own segments: the
// first object visited is the program itself, the rest (vDSO) are not ours.
int findBuildId(dl_phdr_info *Info, size_t, void *Out) {
  auto *Id = static_cast<std::string *>(Out);
  for (int I = 0; I < Info->dlpi_phnum; ++I) {
    const ElfW(Phdr) &P = Info->dlpi_phdr[I];
    if (P.p_type != PT_NOTE)
      continue;
    const char *Note =
        reinterpret_cast<const char *>(Info->dlpi_addr + P.p_vaddr);
    const char *End = Note + P.p_memsz;
    while (Note + sizeof(ElfW(Nhdr)) <= End) {
      const auto *N = reinterpret_cast<const ElfW(Nhdr) *>(Note);
      const char *Name = Note + sizeof(ElfW(Nhdr));
      const char *Desc = Name + alignTo(N->n_namesz, 4);
      if (N->n_type == NT_GNU_BUILD_ID && N->n_namesz == 4 &&
          std::memcmp(Name, "GNU", 4) == 0 && Desc + N->n_descsz <= End) {
        *Id = toHex(StringRef(Desc, N->n_descsz), /*LowerCase=*/true);
        return 1;
      }
      Note = Desc + alignTo(N->n_descsz, 4);
    }
  }
  return 1;
}

} // namespace

std::string currentBuildId() {
  static const std::string Id = [] {
    std::string S;
    dl_iterate_phdr(findBuildId, &S);
    return S.empty() ? std::string("unknown") : S;
  }();
  return Id;
}

} // namespace gts
