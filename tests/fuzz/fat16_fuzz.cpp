// libFuzzer target: the kernel's FAT16 driver over arbitrary volume bytes.
//
// The input is the start of a volume (boot sector, FATs, root directory, the
// first data clusters); the rest of a 64 MiB device reads as zeros. The
// driver mounts it, lists and reads every file it can reach, then writes,
// renames, truncates and unlinks, and unmounts. Whatever the bytes, no call
// may crash, hang or touch memory outside its buffers, and a file the driver
// wrote must read back as written.
#include "fs/fat16.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace gts::fs;

namespace {

constexpr uint64_t DeviceSectors = 1u << 17;

// The input as a device: reads past it give zeros, writes go to an overlay.
class FuzzDevice : public BlockDevice {
public:
  FuzzDevice(const uint8_t *Data, size_t Size) : Data(Data), Size(Size) {}
  uint64_t sectorCount() const override { return DeviceSectors; }
  bool read(uint64_t Lba, uint32_t Count, void *Buf) override {
    if (Lba + Count > DeviceSectors)
      return false;
    auto *Out = static_cast<uint8_t *>(Buf);
    for (uint32_t I = 0; I < Count; ++I, Out += SectorSize)
      readOne(Lba + I, Out);
    return true;
  }
  bool write(uint64_t Lba, uint32_t Count, const void *Buf) override {
    if (Lba + Count > DeviceSectors)
      return false;
    auto *In = static_cast<const uint8_t *>(Buf);
    for (uint32_t I = 0; I < Count; ++I, In += SectorSize)
      Written[Lba + I].assign(In, In + SectorSize);
    return true;
  }
  bool flush() override { return true; }

private:
  void readOne(uint64_t Lba, uint8_t *Out) {
    if (auto It = Written.find(Lba); It != Written.end()) {
      memcpy(Out, It->second.data(), SectorSize);
      return;
    }
    memset(Out, 0, SectorSize);
    uint64_t Off = Lba * SectorSize;
    if (Off < Size)
      memcpy(Out, Data + Off, std::min<uint64_t>(SectorSize, Size - Off));
  }
  const uint8_t *Data;
  size_t Size;
  std::map<uint64_t, std::vector<uint8_t>> Written;
};

// Reads a whole file, in odd-sized pieces so that transfers straddle
// sectors and clusters.
void readAll(Fat16 &Fs, Node *N) {
  static uint8_t Buf[3001];
  uint64_t Off = 0;
  for (int I = 0; I < 64; ++I) {
    int64_t R = Fs.read(N, Off, Buf, sizeof Buf);
    if (R <= 0)
      return;
    Off += uint64_t(R);
  }
}

// Lists Dir (recursively, bounded) and reads every file in it; returns the
// paths seen.
void walk(Fat16 &Fs, const std::string &Dir, int Depth,
          std::vector<std::string> &Paths) {
  Node *D;
  if (Fs.open(Dir.c_str(), oflag::Directory, &D) < 0)
    return;
  uint64_t Pos = 0;
  DirEntry E;
  std::vector<std::string> Names;
  for (int I = 0; I < 512 && Fs.readdir(D, &Pos, &E) > 0; ++I)
    if (strcmp(E.name, ".") && strcmp(E.name, ".."))
      Names.push_back(E.name);
  Fs.close(D);
  for (const std::string &Name : Names) {
    std::string P = Dir == "/" ? "/" + Name : Dir + "/" + Name;
    Paths.push_back(P);
    Stat St;
    Fs.stat(P.c_str(), &St);
    Node *N;
    if (Fs.open(P.c_str(), 0, &N) < 0)
      continue;
    bool IsDir = Fs.stat(N, &St) == 0 && St.isDir;
    if (!IsDir)
      readAll(Fs, N);
    Fs.close(N);
    if (IsDir && Depth < 3)
      walk(Fs, P, Depth + 1, Paths);
  }
}

// Writes a new file and checks that it reads back.
void writeAndCheck(Fat16 &Fs, const char *Path, size_t Len, uint64_t At) {
  Node *N;
  if (Fs.open(Path, oflag::Creat, &N) < 0)
    return;
  std::vector<uint8_t> Out(Len), In(Len);
  for (size_t I = 0; I < Len; ++I)
    Out[I] = uint8_t(I * 7 + Len);
  if (Fs.write(N, At, Out.data(), Len) == int64_t(Len) &&
      Fs.read(N, At, In.data(), Len) == int64_t(Len) && In != Out)
    abort(); // the driver returned other bytes than it accepted
  Fs.close(N);
}

void mutate(Fat16 &Fs, const std::vector<std::string> &Paths) {
  writeAndCheck(Fs, "/FUZZ.TXT", 3000, 0);
  writeAndCheck(Fs, "/a fuzzed long name.data", 700, 9000);
  Fs.mkdir("/NEWDIR");
  Fs.rename("/FUZZ.TXT", "/NEWDIR/moved.txt");
  for (size_t I = 0; I < Paths.size() && I < 4; ++I) {
    std::string To = "/r" + std::to_string(I) + ".bin";
    Fs.rename(Paths[I].c_str(), To.c_str());
    Node *N;
    if (Fs.open(To.c_str(), 0, &N) == 0) {
      Fs.truncate(N, 100);
      Fs.close(N);
    }
  }
  if (!Paths.empty()) {
    Fs.unlink(Paths.back().c_str());
    Fs.rmdir(Paths.back().c_str());
  }
  Fs.sync();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static Fat16 *Fs = new Fat16; // ~200 KiB: not on the stack
  FuzzDevice Dev(Data, Size);
  if (Fs->mount(Dev, 0) != 0)
    return 0;
  std::vector<std::string> Paths;
  walk(*Fs, "/", 0, Paths);
  mutate(*Fs, Paths);
  Fs->unmount();
  // Mount what the driver left behind: it must still be readable.
  if (Fs->mount(Dev, 0) == 0) {
    Paths.clear();
    walk(*Fs, "/", 0, Paths);
    Fs->unmount();
  }
  return 0;
}
