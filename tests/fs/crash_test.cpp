// Crash-point tests: every scripted sequence runs once per N on a device
// that keeps only its first N sector writes (CrashDevice), for every N from
// 0 to the sequence's total. After each power cut:
// - `fsck.fat -n` on the image as the cut left it: clean, or else the volume
//   must be marked dirty (nothing damaged may look clean);
// - mount() (which repairs a dirty volume) and unmount(), then `fsck.fat -n`
//   must be clean;
// - every file the sequence made durable holds its content as of the last
//   durable point before the cut or as of the next one (old or new), or is
//   absent when that was its state.
// The runs are repeated with every flush epoch's writes shuffled (seeded).
#include "crash_device.h"
#include "fs/fat16.h"
#include "host_device.h"
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace gts::fs;
namespace stdfs = std::filesystem;

namespace {

using State = std::map<std::string, std::optional<std::string>>;

struct Cmd {
  int rc;
  std::string out;
};

Cmd run(const std::string &cmd) {
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Clean: status 0 and only the version and summary lines.
bool fsckClean(const std::string &img, std::string *out) {
  Cmd c = run("fsck.fat -n " + img);
  *out = c.out;
  return c.rc == 0 && std::count(c.out.begin(), c.out.end(), '\n') == 2;
}

std::string content(const std::string &tag, size_t n) {
  std::mt19937 rng(uint32_t(std::hash<std::string>()(tag)));
  std::string s = tag + "\n";
  while (s.size() < n)
    s.push_back(char('a' + rng() % 26));
  return s;
}

// What a sequence does, and the states it made durable.
class Script {
public:
  Script(Fat16 &fs, CrashDevice &dev) : fs_(fs), dev_(dev) { durable(); }
  void durable() { points.push_back({dev_.writes(), model}); }

  void writeFile(const std::string &path, const std::string &data,
                 size_t chunk = 4096) {
    Node *n;
    ASSERT_EQ(fs_.open(path.c_str(), oflag::Creat | oflag::Trunc | 1, &n), 0)
        << path;
    for (size_t off = 0; off < data.size(); off += chunk) {
      size_t len = std::min(chunk, data.size() - off);
      ASSERT_EQ(fs_.write(n, off, data.data() + off, len), int64_t(len));
    }
    fs_.close(n);
  }
  void fsyncDir(const std::string &dir) {
    Node *n;
    ASSERT_EQ(fs_.open(dir.c_str(), oflag::Directory, &n), 0) << dir;
    ASSERT_EQ(fs_.sync(), 0);
    fs_.close(n);
  }
  // The engine's snapshot save: temporary file, fsync, rename over the old
  // name, fsync of the directory.
  void save(const std::string &dir, const std::string &name,
            const std::string &data) {
    std::string path = dir + "/" + name, tmp = path + ".tmp";
    writeFile(tmp, data);
    ASSERT_EQ(fs_.sync(), 0);
    ASSERT_EQ(fs_.rename(tmp.c_str(), path.c_str()), 0);
    fsyncDir(dir.empty() ? "/" : dir);
    model[path] = data;
    durable();
  }
  void sync() {
    ASSERT_EQ(fs_.sync(), 0);
    durable();
  }

  struct Point {
    uint64_t writes;
    State files;
  };
  std::vector<Point> points;
  State model;
  Fat16 &fs_;
  CrashDevice &dev_;
};

using Sequence = std::function<void(Script &)>;

struct Tally {
  // repaired: marked dirty, so checked at mount; damaged: of those, the
  // ones where the repair had something to fix.
  uint64_t points = 0, clean = 0, repaired = 0, damaged = 0, lost = 0;
};

class CrashTest : public ::testing::Test {
protected:
  // Cluster size in sectors of the volume the sequences run on.
  virtual int sectorsPerCluster() const { return 1; }
  void SetUp() override {
    ASSERT_EQ(run("fsck.fat --help").rc == 127, false)
        << "fsck.fat (dosfstools) is required";
    dir_ = stdfs::temp_directory_path() /
           ("gts_crash_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    img_ = (dir_ / "disk.img").string();
    // Small clusters keep the volume small: FAT16 needs 4085 clusters.
    int spc = sectorsPerCluster();
    Cmd c = run("mkfs.fat -F 16 -s " + std::to_string(spc) + " -C " + img_ +
                " " + std::to_string(2400 * spc));
    ASSERT_EQ(c.rc, 0) << c.out;
    std::ifstream in(img_, std::ios::binary);
    template_.assign(std::istreambuf_iterator<char>(in), {});
  }
  void TearDown() override {
    if (!HasFailure())
      stdfs::remove_all(dir_);
  }

  // Runs `seq` with the power cut after `limit` writes; returns the script.
  std::unique_ptr<Script> runCut(const Sequence &seq, int64_t limit,
                                 uint32_t seed, std::vector<uint8_t> *image) {
    auto dev = std::make_unique<CrashDevice>(template_, limit, seed);
    auto fs = std::make_unique<Fat16>();
    EXPECT_EQ(fs->mount(*dev, 0), 0);
    auto s = std::make_unique<Script>(*fs, *dev);
    seq(*s);
    *image = dev->crashedImage();
    devs_.push_back(std::move(dev));
    fss_.push_back(std::move(fs));
    return s;
  }

  std::optional<std::string> readBack(Fat16 &fs, const std::string &path) {
    Node *n;
    int r = fs.open(path.c_str(), 0, &n);
    if (r == err::NoEnt)
      return std::nullopt;
    EXPECT_EQ(r, 0) << path;
    if (r)
      return "<error>";
    std::string out(n->size, 0);
    EXPECT_EQ(fs.read(n, 0, out.data(), out.size()), int64_t(out.size()));
    fs.close(n);
    return out;
  }

  void checkCut(const std::string &name, const Sequence &seq, int64_t limit,
                uint32_t seed, Tally &t) {
    std::vector<uint8_t> image;
    auto script = runCut(seq, limit, seed, &image);
    devs_.clear();
    fss_.clear();
    std::ofstream(img_, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char *>(image.data()),
               std::streamsize(image.size()));
    std::string before, after;
    bool cleanBefore = fsckClean(img_, &before);
    FileDevice dev(img_);
    auto fs = std::make_unique<Fat16>();
    ASSERT_EQ(fs->mount(dev, 0), 0) << name << " cut at " << limit;
    const RepairStats &rs = fs->repairStats();
    bool dirty = rs.wasDirty;
    bool damaged = rs.lostClusters || rs.sizes || rs.crossLinks ||
                   rs.orphanNames || rs.endMarks;
    EXPECT_TRUE(cleanBefore || dirty)
        << name << " cut at " << limit << ": damage not flagged\n"
        << before;
    size_t k = 0;
    while (k + 1 < script->points.size() &&
           script->points[k + 1].writes <= uint64_t(limit))
      ++k;
    const State &old = script->points[k].files;
    const State &next =
        script->points[std::min(k + 1, script->points.size() - 1)].files;
    std::map<std::string, bool> paths;
    for (auto &[p, v] : old)
      paths[p] = true;
    for (auto &[p, v] : next)
      paths[p] = true;
    bool lost = false;
    for (auto &[p, unused] : paths) {
      auto got = readBack(*fs, p);
      auto o = old.count(p) ? old.at(p) : std::nullopt;
      auto n = next.count(p) ? next.at(p) : std::nullopt;
      if (got != o && got != n) {
        lost = true;
        ADD_FAILURE() << name << " cut at " << limit << " (seed " << seed
                      << "): " << p << " is neither old nor new ("
                      << (got ? std::to_string(got->size()) + " bytes"
                              : "absent")
                      << ")";
      }
    }
    ASSERT_EQ(fs->unmount(), 0);
    EXPECT_TRUE(fsckClean(img_, &after))
        << name << " cut at " << limit << " (seed " << seed
        << "), after mount-time repair:\n"
        << after << "before:\n"
        << before;
    ++t.points;
    t.clean += cleanBefore && !dirty;
    t.repaired += dirty;
    t.damaged += damaged;
    t.lost += lost;
  }

  void everyCut(const std::string &name, const Sequence &seq, uint32_t seed) {
    std::vector<uint8_t> image;
    uint64_t total = runCut(seq, -1, seed, &image)->dev_.writes();
    devs_.clear();
    fss_.clear();
    Tally t;
    for (uint64_t n = 0; n <= total && !HasFatalFailure(); ++n)
      checkCut(name, seq, int64_t(n), seed, t);
    std::printf("crash-points %s seed %u: N=0..%llu, %llu points, %llu clean, "
                "%llu repaired at mount (%llu with damage), %llu lost\n",
                name.c_str(), seed, (unsigned long long)total,
                (unsigned long long)t.points, (unsigned long long)t.clean,
                (unsigned long long)t.repaired, (unsigned long long)t.damaged,
                (unsigned long long)t.lost);
    EXPECT_EQ(t.lost, 0u);
  }

  stdfs::path dir_;
  std::string img_;
  std::vector<uint8_t> template_;
  std::vector<std::unique_ptr<CrashDevice>> devs_;
  std::vector<std::unique_ptr<Fat16>> fss_;
};

void snapshotSaves(Script &s) {
  for (int i = 0; i < 5; ++i)
    s.save("", "tinyllama.snapshot",
           content("snapshot " + std::to_string(i), 2000 + 1700 * i));
}

// The target and the temporary file in different directory sectors.
void snapshotSavesSubdir(Script &s) {
  ASSERT_EQ(s.fs_.mkdir("/SNAP"), 0);
  for (int i = 0; i < 15; ++i) {
    std::string p = "/SNAP/F" + std::to_string(10 + i) + ".DAT";
    s.writeFile(p, content(p, 100));
    s.model[p] = content(p, 100);
  }
  s.sync();
  for (int i = 0; i < 5; ++i)
    s.save("/SNAP", "STATE.BIN",
           content("state " + std::to_string(i), 600 + 900 * i));
}

void smallFiles(Script &s) {
  ASSERT_EQ(s.fs_.mkdir("/small"), 0);
  s.sync();
  for (int i = 0; i < 60; ++i) {
    std::string p = "/small/file" + std::to_string(100 + i) + ".txt";
    s.writeFile(p, content(p, 100 + 37 * i));
    s.model[p] = content(p, 100 + 37 * i);
    s.sync();
  }
}

// Issue 11's report: an fsynced empty file, 100 KB written to it, then 100
// small files, with no fsync until the end.
void issueReport(Script &s) {
  s.writeFile("/big.bin", "");
  s.model["/big.bin"] = "";
  s.sync();
  std::string big = content("big", 100 * 1024);
  s.writeFile("/big.bin", big);
  s.model["/big.bin"] = big;
  for (int i = 0; i < 100; ++i) {
    std::string p = "/S" + std::to_string(100 + i) + ".TXT";
    s.writeFile(p, content(p, 50 + i));
    s.model[p] = content(p, 50 + i);
  }
  s.sync();
}

void largeFile(Script &s) {
  std::string a = content("large a", 300 * 1024);
  s.writeFile("/large.bin", a, 8192);
  s.model["/large.bin"] = a;
  s.sync();
  s.save("", "large.bin", content("large b", 200 * 1024));
  ASSERT_EQ(s.fs_.unlink("/large.bin"), 0);
  s.model["/large.bin"] = std::nullopt;
  s.sync();
}

// An export: a new program file next to its old command line, then the
// command line replaced to name it.
void exportProgram(Script &s) {
  s.save("", "CMDLINE.TXT", "/gts run /tinyllama.bc\n");
  ASSERT_EQ(s.fs_.mkdir("/export"), 0);
  s.sync();
  std::string elf = content("ELF program", 150 * 1024);
  s.writeFile("/export/tinyllama.elf.new", elf);
  ASSERT_EQ(s.fs_.sync(), 0);
  ASSERT_EQ(s.fs_.rename("/export/tinyllama.elf.new", "/export/tinyllama.elf"),
            0);
  s.fsyncDir("/export");
  s.model["/export/tinyllama.elf"] = elf;
  s.durable();
  s.save("", "CMDLINE.TXT", "/export/tinyllama.elf\n");
}

// tests/qemu/progs/powercut.c on the host (smaller payloads): a first
// "boot" saves 4 snapshots and unmounts; the second mounts, reads the
// snapshot back (as the program's resume does) and saves 3 more. 2 KiB
// clusters, as on the QEMU image.
void powercutProgram(Script &s) {
  auto payload = [](unsigned counter) {
    std::string p = content("counter " + std::to_string(counter),
                            1024 + (counter * 7919u) % 16000u);
    return "header " + std::to_string(counter) + "\n" + p;
  };
  auto fsyncRoot = [&] { s.fsyncDir("/"); };
  unsigned counter = 0;
  for (int boot = 0; boot < 2; ++boot) {
    int r = s.fs_.mkdir("/state");
    ASSERT_TRUE(r == 0 || r == err::Exist) << r;
    fsyncRoot();
    if (counter) {
      Node *n;
      ASSERT_EQ(s.fs_.open("/state/powercut.snapshot", 0, &n), 0);
      std::string back(n->size, 0);
      ASSERT_EQ(s.fs_.read(n, 0, back.data(), back.size()),
                int64_t(back.size()));
      ASSERT_EQ(back, payload(counter));
      s.fs_.close(n);
    }
    for (int i = 0; i < (boot ? 3 : 4); ++i) {
      ++counter;
      s.save("/state", "powercut.snapshot", payload(counter));
    }
    ASSERT_EQ(s.fs_.unmount(), 0);
    ASSERT_EQ(s.fs_.mount(s.dev_, 0), 0);
  }
}

class CrashTest2K : public CrashTest {
  int sectorsPerCluster() const override { return 4; }
};

TEST_F(CrashTest2K, PowercutProgram) {
  everyCut("powercut-program", powercutProgram, 0);
}
TEST_F(CrashTest2K, PowercutProgramReordered) {
  everyCut("powercut-program", powercutProgram, 17);
}

TEST_F(CrashTest, SnapshotSaveWithRename) {
  everyCut("snapshot", snapshotSaves, 0);
}
TEST_F(CrashTest, SnapshotSaveWithRenameReordered) {
  everyCut("snapshot", snapshotSaves, 11);
}
TEST_F(CrashTest, SnapshotSaveAcrossDirectorySectors) {
  everyCut("snapshot-subdir", snapshotSavesSubdir, 0);
}
TEST_F(CrashTest, SnapshotSaveAcrossDirectorySectorsReordered) {
  everyCut("snapshot-subdir", snapshotSavesSubdir, 12);
}
TEST_F(CrashTest, ManySmallFiles) { everyCut("small-files", smallFiles, 0); }
TEST_F(CrashTest, ManySmallFilesReordered) {
  everyCut("small-files", smallFiles, 13);
}
TEST_F(CrashTest, Issue11Report) { everyCut("issue11", issueReport, 0); }
TEST_F(CrashTest, Issue11ReportReordered) {
  everyCut("issue11", issueReport, 14);
}
TEST_F(CrashTest, LargeFile) { everyCut("large-file", largeFile, 0); }
TEST_F(CrashTest, LargeFileReordered) { everyCut("large-file", largeFile, 15); }
TEST_F(CrashTest, ExportNewProgram) { everyCut("export", exportProgram, 0); }
TEST_F(CrashTest, ExportNewProgramReordered) {
  everyCut("export", exportProgram, 16);
}

} // namespace
