// FAT16 driver against the reference tools: images come from mkfs.fat, every
// scenario ends with a clean `fsck.fat -n`, and mtools must agree with what
// the driver wrote (and the driver with what mcopy wrote).
#include "fs/fat16.h"
#include "host_device.h"
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

using namespace gts::fs;
namespace stdfs = std::filesystem;

namespace {

struct Cmd {
  int rc;
  std::string out;
};

Cmd run(const std::string &cmd) {
  std::string full = "MTOOLS_SKIP_CHECK=1 " + cmd + " 2>&1";
  FILE *p = popen(full.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, 0);
  for (auto &c : s)
    c = char(rng());
  return s;
}

class Fat16Test : public ::testing::Test {
protected:
  void SetUp() override {
    std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_'); // parameterised tests
    dir_ = stdfs::temp_directory_path() /
           ("gts_fs_" + std::to_string(getpid()) + "_" + name);
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    img_ = (dir_ / "disk.img").string();
    fs_ = std::make_unique<Fat16>();
  }
  void TearDown() override {
    dev_.reset();
    if (!HasFailure())
      stdfs::remove_all(dir_);
  }

  void makeImage(int kb) {
    Cmd c = run("mkfs.fat -F 16 -C " + img_ + " " + std::to_string(kb));
    ASSERT_EQ(c.rc, 0) << c.out;
  }
  // A volume starting `offsetSectors` into the file, as in a partitioned disk.
  void makePartitioned(int kb, uint32_t offsetSectors) {
    std::ofstream(img_).close();
    stdfs::resize_file(img_,
                       uint64_t(offsetSectors) * 512 + uint64_t(kb) * 1024);
    Cmd c = run("mkfs.fat -F 16 --offset " + std::to_string(offsetSectors) +
                " " + img_ + " " + std::to_string(kb));
    ASSERT_EQ(c.rc, 0) << c.out;
    offset_ = offsetSectors;
  }
  std::string mimg() const {
    return offset_ ? img_ + "@@" + std::to_string(uint64_t(offset_) * 512)
                   : img_;
  }
  void mountIt() {
    dev_ = std::make_unique<FileDevice>(img_);
    ASSERT_TRUE(dev_->ok());
    ASSERT_EQ(fs_->mount(*dev_, offset_), 0);
  }
  void unmountIt() {
    ASSERT_EQ(fs_->unmount(), 0);
    dev_.reset();
  }
  // fsck.fat has no offset option: check a copy of the volume.
  void expectClean() {
    std::string vol = img_;
    if (offset_) {
      vol = (dir_ / "vol.img").string();
      ASSERT_EQ(run("dd status=none if=" + img_ + " of=" + vol +
                    " bs=512 skip=" + std::to_string(offset_))
                    .rc,
                0);
    }
    Cmd c = run("fsck.fat -n " + vol);
    EXPECT_EQ(c.rc, 0) << c.out;
    // A clean run prints the version and one summary line only.
    EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 2) << c.out;
    EXPECT_EQ(c.out.find("irty"), std::string::npos) << c.out;
  }
  std::string mtype(const std::string &path) {
    Cmd c = run("mtype -i " + mimg() + " '::" + path + "'");
    EXPECT_EQ(c.rc, 0) << c.out;
    return c.out;
  }
  std::string mdir(const std::string &path = "/") {
    Cmd c = run("mdir -a -i " + mimg() + " '::" + path + "'");
    EXPECT_EQ(c.rc, 0) << c.out;
    return c.out;
  }
  void mcopyIn(const std::string &content, const std::string &dest) {
    std::string src = (dir_ / "src.bin").string();
    std::ofstream(src, std::ios::binary) << content;
    Cmd c = run("mcopy -i " + mimg() + " " + src + " '::" + dest + "'");
    ASSERT_EQ(c.rc, 0) << c.out;
  }

  int writeFile(const std::string &path, const std::string &data,
                int flags = oflag::Creat | oflag::Trunc | 1) {
    Node *n;
    int r = fs_->open(path.c_str(), flags, &n);
    if (r)
      return r;
    int64_t w = fs_->write(n, 0, data.data(), data.size());
    fs_->close(n);
    return w == int64_t(data.size()) ? 0 : w < 0 ? int(w) : -1;
  }
  std::string readFile(const std::string &path) {
    Node *n;
    int r = fs_->open(path.c_str(), 0, &n);
    EXPECT_EQ(r, 0) << path;
    if (r)
      return "<error " + std::to_string(r) + ">";
    std::string out(n->size, 0);
    EXPECT_EQ(fs_->read(n, 0, out.data(), out.size()), int64_t(out.size()));
    fs_->close(n);
    return out;
  }
  std::set<std::string> list(const std::string &path) {
    Node *d;
    std::set<std::string> names;
    EXPECT_EQ(fs_->open(path.c_str(), oflag::Directory, &d), 0) << path;
    uint64_t pos = 0;
    DirEntry e;
    int r;
    while ((r = fs_->readdir(d, &pos, &e)) == 1)
      names.insert(e.name);
    EXPECT_EQ(r, 0);
    fs_->close(d);
    return names;
  }

  stdfs::path dir_;
  std::string img_;
  uint32_t offset_ = 0;
  std::unique_ptr<FileDevice> dev_;
  std::unique_ptr<Fat16> fs_;
  Stat st_;
};

TEST_F(Fat16Test, CreatesFilesThatMtoolsAndFsckAccept) {
  makeImage(16384);
  mountIt();
  std::map<std::string, std::string> files = {
      {"HELLO.TXT", "hello world\n"},    {"readme.md", "lower-case 8.3 name"},
      {"tinyllama.bc", bytes(70000, 1)}, {"stories260K.bin", bytes(5000, 2)},
      {"my file.txt", "spaces"},         {"a.b.c.d", "dots"},
      {"caf\xc3\xa9.txt", "utf-8"},      {"empty", ""},
  };
  for (auto &[name, data] : files)
    ASSERT_EQ(writeFile("/" + name, data), 0) << name;
  unmountIt();
  expectClean();
  std::string listing = run("mdir -b -i " + img_ + " ::").out;
  for (auto &[name, data] : files) {
    EXPECT_NE(listing.find("::/" + name + "\n"), std::string::npos)
        << name << " missing in\n"
        << listing;
    EXPECT_EQ(mtype("/" + name), data) << name;
  }
  mountIt();
  std::set<std::string> want;
  for (auto &[name, data] : files) {
    want.insert(name);
    EXPECT_EQ(readFile("/" + name), data);
  }
  EXPECT_EQ(list("/"), want);
}

TEST_F(Fat16Test, ReadsWhatMcopyWrote) {
  makeImage(32768);
  ASSERT_EQ(run("mmd -i " + img_ + " ::/models ::/models/deep").rc, 0);
  std::string big = bytes(3 << 20, 3);
  mcopyIn(big, "/models/deep/stories260K.bin");
  mcopyIn("tok", "/TOKENIZER.BIN");
  mountIt();
  EXPECT_EQ(readFile("/models/deep/stories260K.bin"), big);
  EXPECT_EQ(readFile("/MODELS/Deep/STORIES260k.BIN"), big); // any case
  EXPECT_EQ(readFile("/tokenizer.bin"), "tok");
  EXPECT_EQ(readFile("/models/./deep/../deep/stories260K.bin"), big);
  EXPECT_EQ(list("/models/deep"),
            (std::set<std::string>{".", "..", "stories260K.bin"}));
  Stat st;
  ASSERT_EQ(fs_->stat("/models/deep/stories260K.bin", &st), 0);
  EXPECT_EQ(st.size, big.size());
  EXPECT_FALSE(st.isDir);
  EXPECT_GE(st.blocks * 512, big.size());
  ASSERT_EQ(fs_->stat("/models", &st), 0);
  EXPECT_TRUE(st.isDir);
  // Unaligned reads across sector and cluster boundaries.
  Node *n;
  ASSERT_EQ(fs_->open("/models/deep/stories260K.bin", 0, &n), 0);
  std::mt19937 rng(4);
  for (int i = 0; i < 200; ++i) {
    size_t off = rng() % big.size(), len = rng() % 20000;
    std::string buf(len, 0);
    int64_t got = fs_->read(n, off, buf.data(), len);
    size_t want = std::min(len, big.size() - off);
    ASSERT_EQ(got, int64_t(want));
    ASSERT_EQ(buf.substr(0, want), big.substr(off, want));
  }
  EXPECT_EQ(fs_->read(n, big.size() + 10, &rng, 4), 0);
  fs_->close(n);
}

TEST_F(Fat16Test, GrowsAndTruncates) {
  makeImage(16384);
  mountIt();
  uint32_t free0 = fs_->freeClusters();
  Node *n;
  ASSERT_EQ(fs_->open("/grow.dat", oflag::Creat | 2, &n), 0);
  std::string model;
  std::mt19937 rng(5);
  while (model.size() < (2 << 20)) {
    std::string chunk = bytes(rng() % 9000 + 1, rng());
    ASSERT_EQ(fs_->write(n, model.size(), chunk.data(), chunk.size()),
              int64_t(chunk.size()));
    model += chunk;
  }
  // Overwrite in the middle, then write past the end (leaving a hole).
  std::string patch = bytes(12345, 6);
  ASSERT_EQ(fs_->write(n, 1000, patch.data(), patch.size()), 12345);
  model.replace(1000, patch.size(), patch);
  ASSERT_EQ(fs_->write(n, model.size() + 5000, "tail", 4), 4);
  model += std::string(5000, '\0') + "tail";
  ASSERT_EQ(n->size, model.size());
  for (uint64_t size : {uint64_t(1500000), uint64_t(4096), uint64_t(777),
                        uint64_t(0), uint64_t(10000)}) {
    ASSERT_EQ(fs_->truncate(n, size), 0);
    model.resize(size, '\0');
    std::string back(model.size(), 0);
    ASSERT_EQ(fs_->read(n, 0, back.data(), back.size()), int64_t(model.size()));
    ASSERT_EQ(back, model) << "after truncate to " << size;
  }
  ASSERT_EQ(fs_->truncate(n, 0), 0);
  EXPECT_EQ(fs_->freeClusters(), free0);
  ASSERT_EQ(fs_->write(n, 0, model.data(), model.size()),
            int64_t(model.size()));
  fs_->close(n);
  unmountIt();
  expectClean();
  EXPECT_EQ(mtype("/grow.dat"), model);
}

// Whole-sector transfers go to the device in large runs, and sequential
// small writes do not re-walk the cluster chain (linear, not quadratic).
TEST_F(Fat16Test, LargeTransfersUseFewDeviceRequests) {
  makeImage(65536);
  mountIt();
  std::string data = bytes(24 << 20, 14);
  Node *n;
  ASSERT_EQ(fs_->open("/model.bin", oflag::Creat | 2, &n), 0);
  uint64_t before = dev_->requests();
  for (size_t off = 0; off < data.size(); off += 4096)
    ASSERT_EQ(fs_->write(n, off, data.data() + off, 4096), 4096);
  EXPECT_LE(dev_->requests() - before, data.size() / 4096 + 64);
  ASSERT_EQ(fs_->sync(), 0);
  before = dev_->requests();
  std::string back(data.size(), 0);
  ASSERT_EQ(fs_->read(n, 0, back.data(), back.size()), int64_t(data.size()));
  EXPECT_EQ(back, data);
  EXPECT_LE(dev_->requests() - before, 30u); // 1 MiB per request
  fs_->close(n);
  unmountIt();
  expectClean();
}

TEST_F(Fat16Test, DirectoriesNestAndGrow) {
  makeImage(16384);
  mountIt();
  ASSERT_EQ(fs_->mkdir("/a"), 0);
  ASSERT_EQ(fs_->mkdir("/a/b"), 0);
  ASSERT_EQ(fs_->mkdir("/a/b/Snapshots.d"), 0);
  EXPECT_EQ(fs_->mkdir("/a"), err::Exist);
  EXPECT_EQ(fs_->mkdir("/A/B"), err::Exist);
  EXPECT_EQ(fs_->mkdir("/x/y"), err::NoEnt);
  // Enough long names to need several clusters of directory entries.
  std::set<std::string> want = {".", ".."};
  for (int i = 0; i < 300; ++i) {
    std::string name = "snapshot-function-" + std::to_string(i) + ".obj";
    ASSERT_EQ(writeFile("/a/b/Snapshots.d/" + name, name), 0) << i;
    want.insert(name);
  }
  EXPECT_EQ(list("/a/b/snapshots.D"), want);
  ASSERT_EQ(writeFile("/a/file", "x"), 0);
  EXPECT_EQ(fs_->mkdir("/a/file/sub"), err::NotDir);
  EXPECT_EQ(writeFile("/a/file/sub", "x"), err::NotDir);
  EXPECT_EQ(fs_->rmdir("/a/b"), err::NotEmpty);
  EXPECT_EQ(fs_->rmdir("/a/file"), err::NotDir);
  EXPECT_EQ(fs_->unlink("/a/b"), err::IsDir);
  EXPECT_EQ(fs_->rmdir("/"), err::Busy);
  ASSERT_EQ(fs_->mkdir("/a/gone"), 0);
  ASSERT_EQ(fs_->rmdir("/a/gone"), 0);
  EXPECT_EQ(fs_->stat("/a/gone", &st_), err::NoEnt);
  unmountIt();
  expectClean();
  std::string listing = run("mdir -/ -b -i " + img_ + " ::").out;
  EXPECT_NE(listing.find("::/a/b/Snapshots.d/snapshot-function-299.obj"),
            std::string::npos)
      << listing;
  EXPECT_EQ(mtype("/a/b/Snapshots.d/snapshot-function-123.obj"),
            "snapshot-function-123.obj");
  EXPECT_EQ(listing.find("gone"), std::string::npos);
}

TEST_F(Fat16Test, RenamesWithinAndAcrossDirectories) {
  makeImage(16384);
  mountIt();
  ASSERT_EQ(fs_->mkdir("/src"), 0);
  ASSERT_EQ(fs_->mkdir("/dst"), 0);
  ASSERT_EQ(fs_->mkdir("/src/sub"), 0);
  ASSERT_EQ(writeFile("/src/sub/deep.txt", "deep"), 0);
  ASSERT_EQ(writeFile("/src/one.txt", "one"), 0);
  ASSERT_EQ(writeFile("/dst/old.bin", "to be replaced"), 0);
  ASSERT_EQ(fs_->rename("/src/one.txt", "/src/One Renamed.txt"), 0);
  ASSERT_EQ(fs_->rename("/src/One Renamed.txt", "/dst/old.bin"), 0);
  EXPECT_EQ(readFile("/dst/old.bin"), "one");
  EXPECT_EQ(fs_->stat("/src/One Renamed.txt", &st_), err::NoEnt);
  // A directory move must re-point its "..".
  ASSERT_EQ(fs_->rename("/src/sub", "/dst/moved"), 0);
  EXPECT_EQ(readFile("/dst/moved/../moved/deep.txt"), "deep");
  EXPECT_EQ(fs_->rename("/dst", "/dst/moved/inside"), err::Inval);
  EXPECT_EQ(fs_->rename("/dst/moved", "/dst/old.bin"), err::NotDir);
  EXPECT_EQ(fs_->rename("/dst/old.bin", "/dst/moved"), err::IsDir);
  EXPECT_EQ(fs_->rename("/nope", "/x"), err::NoEnt);
  ASSERT_EQ(fs_->mkdir("/full"), 0);
  ASSERT_EQ(writeFile("/full/f", "f"), 0);
  EXPECT_EQ(fs_->rename("/src", "/full"), err::NotEmpty);
  ASSERT_EQ(fs_->rename("/dst/old.bin", "/dst/OLD.BIN"), 0); // case only
  EXPECT_EQ(list("/dst"),
            (std::set<std::string>{".", "..", "OLD.BIN", "moved"}));
  ASSERT_EQ(fs_->rename("/dst/moved", "/top"), 0); // to the root
  // An open file follows its rename.
  Node *n;
  ASSERT_EQ(fs_->open("/dst/OLD.BIN", 2, &n), 0);
  ASSERT_EQ(fs_->rename("/dst/OLD.BIN", "/src/new.bin"), 0);
  ASSERT_EQ(fs_->write(n, 3, "+more", 5), 5);
  fs_->close(n);
  EXPECT_EQ(readFile("/src/new.bin"), "one+more");
  unmountIt();
  expectClean();
  EXPECT_EQ(mtype("/top/deep.txt"), "deep");
  EXPECT_EQ(mtype("/src/new.bin"), "one+more");
  Cmd c = run("mdir -b -i " + img_ + " ::/top/..");
  EXPECT_NE(c.out.find("src"), std::string::npos) << c.out;
}

TEST_F(Fat16Test, UnlinkedOpenFileLivesUntilClose) {
  makeImage(16384);
  mountIt();
  uint32_t free0 = fs_->freeClusters();
  std::string data = bytes(100000, 7);
  ASSERT_EQ(writeFile("/tmp.bin", data), 0);
  Node *n;
  ASSERT_EQ(fs_->open("/tmp.bin", 0, &n), 0);
  ASSERT_EQ(fs_->unlink("/tmp.bin"), 0);
  EXPECT_EQ(fs_->stat("/tmp.bin", &st_), err::NoEnt);
  ASSERT_EQ(writeFile("/tmp.bin", "new"), 0); // reuses the name
  std::string back(data.size(), 0);
  EXPECT_EQ(fs_->read(n, 0, back.data(), back.size()), int64_t(data.size()));
  EXPECT_EQ(back, data);
  fs_->close(n);
  ASSERT_EQ(fs_->unlink("/tmp.bin"), 0);
  EXPECT_EQ(fs_->freeClusters(), free0);
  // Still open at unmount: the clusters are released, fsck finds no chain.
  ASSERT_EQ(writeFile("/open.bin", data), 0);
  ASSERT_EQ(fs_->open("/open.bin", 0, &n), 0);
  ASSERT_EQ(fs_->unlink("/open.bin"), 0);
  unmountIt();
  expectClean();
}

TEST_F(Fat16Test, OpenFlagsAndErrors) {
  makeImage(16384);
  mountIt();
  Node *n, *m;
  EXPECT_EQ(fs_->open("/missing", 0, &n), err::NoEnt);
  ASSERT_EQ(fs_->open("/f.txt", oflag::Creat | oflag::Excl | 1, &n), 0);
  EXPECT_EQ(fs_->open("/F.TXT", oflag::Creat | oflag::Excl | 1, &m),
            err::Exist);
  ASSERT_EQ(fs_->open("/F.TXT", 0, &m), 0);
  EXPECT_EQ(n, m); // one Node per file: both see the same size
  ASSERT_EQ(fs_->write(n, 0, "abc", 3), 3);
  EXPECT_EQ(m->size, 3u);
  fs_->close(m);
  fs_->close(n);
  ASSERT_EQ(fs_->open("/f.txt", oflag::Trunc | 1, &n), 0);
  EXPECT_EQ(n->size, 0u);
  EXPECT_EQ(fs_->open("/f.txt", oflag::Directory, &m), err::NotDir);
  fs_->close(n);
  ASSERT_EQ(fs_->mkdir("/d"), 0);
  EXPECT_EQ(fs_->open("/d", 1, &n), err::IsDir);
  ASSERT_EQ(fs_->open("/d", 0, &n), 0);
  EXPECT_EQ(fs_->write(n, 0, "x", 1), err::IsDir);
  EXPECT_EQ(fs_->read(n, 0, &m, 1), err::IsDir);
  fs_->close(n);
  EXPECT_EQ(fs_->open("/d", oflag::Creat, &n), err::IsDir);
  EXPECT_EQ(fs_->open("/f.txt/", 0, &n), err::NotDir);
  EXPECT_EQ(fs_->unlink("/f.txt/"), err::NotDir);
  ASSERT_EQ(fs_->open("/d/", 0, &n), 0);
  fs_->close(n);
  EXPECT_EQ(fs_->open("/", oflag::Creat, &n), err::IsDir);
  ASSERT_EQ(fs_->open("/", 0, &n), 0);
  EXPECT_TRUE(n->isDir);
  fs_->close(n);
  for (const char *bad :
       {"/a:b", "/a*", "/q?", "/trailing.", "/lt<", "/bad\x01", "/\xff\xfe"})
    EXPECT_EQ(writeFile(bad, "x"), err::Inval) << bad;
  EXPECT_EQ(writeFile("/" + std::string(256, 'n'), "x"), err::NameTooLong);
  EXPECT_EQ(writeFile("/" + std::string(255, 'n'), "x"), 0);
  EXPECT_EQ(fs_->stat(("/" + std::string(255, 'N')).c_str(), &st_), 0);
  ASSERT_EQ(fs_->open("/f.txt", 1, &n), 0);
  EXPECT_EQ(fs_->write(n, 0xFFFFFFFF, "x", 1), err::FBig);
  EXPECT_EQ(fs_->truncate(n, 1ull << 32), err::FBig);
  fs_->close(n);
  unmountIt();
  expectClean();
}

TEST_F(Fat16Test, StampsModificationTimes) {
  makeImage(16384);
  mountIt();
  static int64_t now;
  fs_->setClock([] { return now; });
  now = 1772600768; // 2026-03-04 05:06:08 UTC
  ASSERT_EQ(writeFile("/t.txt", "x"), 0);
  Stat st;
  ASSERT_EQ(fs_->stat("/t.txt", &st), 0);
  EXPECT_EQ(st.mtime, now);
  now += 86400 * 40 + 3; // DOS times have 2-second steps
  Node *n;
  ASSERT_EQ(fs_->open("/t.txt", 1, &n), 0);
  ASSERT_EQ(fs_->write(n, 1, "y", 1), 1);
  ASSERT_EQ(fs_->stat(n, &st), 0);
  EXPECT_EQ(st.mtime, now - 1);
  fs_->close(n);
  unmountIt();
  expectClean();
  EXPECT_NE(mdir().find("2026-04-13   5:06"), std::string::npos) << mdir();
}

TEST_F(Fat16Test, RootDirectoryFillsUp) {
  makeImage(16384); // 512 root entries
  mountIt();
  int made = 0, r = 0;
  for (; made < 600; ++made)
    if ((r = writeFile("/F" + std::to_string(made), "")) != 0)
      break;
  EXPECT_EQ(r, err::NoSpc);
  EXPECT_EQ(made, 512);
  unmountIt();
  expectClean();
}

TEST_F(Fat16Test, DiskFullIsReportedAndConsistent) {
  makeImage(16384);
  mountIt();
  std::string data = bytes(1 << 20, 8);
  Node *n;
  ASSERT_EQ(fs_->open("/fill", oflag::Creat | 1, &n), 0);
  uint64_t off = 0;
  int64_t w;
  while ((w = fs_->write(n, off, data.data(), data.size())) > 0)
    off += uint64_t(w);
  EXPECT_EQ(w, err::NoSpc);
  EXPECT_EQ(fs_->freeClusters(), 0u);
  EXPECT_EQ(n->size, off);
  EXPECT_GT(off, 15u << 20);
  fs_->close(n);
  EXPECT_EQ(fs_->mkdir("/nodir"), err::NoSpc);
  ASSERT_EQ(fs_->unlink("/fill"), 0);
  EXPECT_EQ(writeFile("/after", "ok"), 0);
  unmountIt();
  expectClean();
  EXPECT_EQ(mtype("/after"), "ok");
}

TEST_F(Fat16Test, WorksAtAPartitionOffset) {
  makePartitioned(16384, 2048);
  mountIt();
  ASSERT_EQ(fs_->mkdir("/boot"), 0);
  std::string kernel = bytes(300000, 9);
  ASSERT_EQ(writeFile("/boot/kernel.elf", kernel), 0);
  unmountIt();
  expectClean();
  EXPECT_EQ(mtype("/boot/kernel.elf"), kernel);
  mcopyIn("from mcopy", "/CMDLINE.TXT");
  mountIt();
  EXPECT_EQ(readFile("/cmdline.txt"), "from mcopy");
  // The wrong start sector is not a FAT16 volume.
  Fat16 other;
  EXPECT_EQ(other.mount(*dev_, 0), err::Inval);
}

TEST_F(Fat16Test, SyncMakesDataDurable) {
  makeImage(16384);
  mountIt();
  Node *n;
  ASSERT_EQ(fs_->open("/log.txt", oflag::Creat | 1, &n), 0);
  ASSERT_EQ(fs_->write(n, 0, "first", 5), 5);
  uint64_t flushes = dev_->flushes();
  ASSERT_EQ(fs_->sync(), 0);
  EXPECT_GT(dev_->flushes(), flushes);
  EXPECT_EQ(mtype("/log.txt"), "first"); // visible while still mounted
  ASSERT_EQ(fs_->write(n, 5, " second", 7), 7);
  ASSERT_EQ(fs_->sync(), 0);
  EXPECT_EQ(mtype("/log.txt"), "first second");
  fs_->close(n);
  // Both FAT copies are identical on disk.
  std::ifstream f(img_, std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(f)), {});
  auto *b = reinterpret_cast<const uint8_t *>(raw.data());
  size_t reserved = b[14] | b[15] << 8, fatSz = b[22] | b[23] << 8;
  EXPECT_EQ(raw.substr(reserved * 512, fatSz * 512),
            raw.substr((reserved + fatSz) * 512, fatSz * 512));
  unmountIt();
  expectClean();
}

// FAT[1]'s clean bit: cleared on the disk while a commit is under way, set
// again at its end; a clean volume is mounted without repair.
TEST_F(Fat16Test, CleanBitMarksAnUnfinishedCommit) {
  makeImage(16384);
  mountIt();
  EXPECT_FALSE(fs_->repairStats().wasDirty);
  ASSERT_EQ(writeFile("/a.txt", "some data"), 0);
  ASSERT_EQ(fs_->sync(), 0);
  expectClean();
  ASSERT_EQ(writeFile("/b.txt", bytes(5000, 3)), 0);
  // The commit stops after its first writes (data and the dirty mark).
  dev_->failAfter(3);
  EXPECT_EQ(fs_->sync(), err::IO);
  dev_.reset();
  Cmd c = run("fsck.fat -n " + img_);
  EXPECT_NE(c.out.find("Dirty bit is set"), std::string::npos) << c.out;
  fs_ = std::make_unique<Fat16>();
  mountIt();
  EXPECT_TRUE(fs_->repairStats().wasDirty);
  EXPECT_EQ(readFile("/a.txt"), "some data");
  unmountIt();
  expectClean();
}

// Damage of the kinds a power cut can leave, made by hand on a volume marked
// dirty: mount() repairs it and fsck.fat finds nothing left.
TEST_F(Fat16Test, MountRepairsAnUncleanVolume) {
  makeImage(16384);
  mcopyIn(bytes(10000, 4), "/keep.bin");
  mcopyIn(bytes(3000, 5), "/short.bin");
  std::fstream f(img_, std::ios::binary | std::ios::in | std::ios::out);
  std::string raw((std::istreambuf_iterator<char>(f)), {});
  auto *b = reinterpret_cast<uint8_t *>(raw.data());
  size_t reserved = b[14] | b[15] << 8, fatSz = b[22] | b[23] << 8;
  size_t fat1 = reserved * 512, fat2 = (reserved + fatSz) * 512;
  size_t root = (reserved + 2 * fatSz) * 512;
  auto entry = [&](size_t fat, int c) { return b + fat + 2 * c; };
  // Dirty mark in FAT #1 only.
  entry(fat1, 1)[1] &= 0x7F;
  // A lost chain of 3 clusters far from the files.
  for (int c = 3000; c < 3003; ++c) {
    uint16_t v = c == 3002 ? 0xFFFF : uint16_t(c + 1);
    entry(fat1, c)[0] = uint8_t(v), entry(fat1, c)[1] = uint8_t(v >> 8);
  }
  // short.bin claims more bytes than its chain holds.
  for (size_t e = root; e < root + 512; e += 32)
    if (std::string(raw, e, 8) == "SHORT   ")
      b[e + 29] = 0x40; // size += 16 KiB
  // FAT #2 differs in an entry of its own.
  entry(fat2, 4000)[0] = 0x34;
  f.seekp(0);
  f.write(raw.data(), std::streamsize(raw.size()));
  f.close();
  EXPECT_NE(run("fsck.fat -n " + img_).rc, 0);
  mountIt();
  const RepairStats &st = fs_->repairStats();
  EXPECT_TRUE(st.wasDirty);
  EXPECT_EQ(st.lostClusters, 3u);
  EXPECT_EQ(st.sizes, 1u);
  EXPECT_GE(st.fatSectors, 2u); // the dirty mark's sector and entry 4000's
  EXPECT_EQ(readFile("/keep.bin"), bytes(10000, 4));
  Stat s;
  ASSERT_EQ(fs_->stat("/short.bin", &s), 0);
  EXPECT_EQ(s.size % fs_->clusterSize(), 0u); // cut to its chain
  EXPECT_EQ(readFile("/short.bin").substr(0, 3000), bytes(3000, 5));
  unmountIt();
  expectClean();
}

TEST_F(Fat16Test, RejectsBadVolumes) {
  makeImage(16384);
  std::ifstream f(img_, std::ios::binary);
  std::string good((std::istreambuf_iterator<char>(f)), {});
  auto tryMount = [&](const std::string &image) {
    std::ofstream(img_, std::ios::binary | std::ios::trunc) << image;
    FileDevice dev(img_);
    Fat16 fs;
    return fs.mount(dev, 0);
  };
  EXPECT_EQ(tryMount(good), 0);
  EXPECT_EQ(tryMount(std::string(good.size(), '\0')), err::Inval);
  EXPECT_EQ(tryMount(good.substr(0, good.size() / 2)), err::Inval);
  EXPECT_EQ(tryMount(good.substr(0, 100)), err::Inval); // not one sector
  struct Patch {
    size_t at;
    uint16_t value;
  };
  // Sector size, cluster size, reserved, FAT count, root entries, total
  // sectors (past the end), FAT size (none, too small), signature.
  for (Patch p :
       {Patch{11, 0}, Patch{11, 1024}, Patch{13, 0}, Patch{13, 3}, Patch{14, 0},
        Patch{16, 0}, Patch{17, 0}, Patch{17, 7}, Patch{19, 0xffff},
        Patch{22, 0}, Patch{22, 1}, Patch{510, 0}}) {
    std::string bad = good;
    bad[p.at] = char(p.value);
    if (p.at != 13 && p.at != 16)
      bad[p.at + 1] = char(p.value >> 8);
    EXPECT_EQ(tryMount(bad), err::Inval) << "byte " << p.at;
  }
  // FAT12 and FAT32 volumes are refused, not misread.
  for (std::string fat :
       {"12 -C other12.img 4000", "32 -C other32.img 70000"}) {
    std::string other = (dir_ / fat.substr(6, 11)).string();
    Cmd c = run("cd " + dir_.string() + " && mkfs.fat -F " + fat);
    ASSERT_EQ(c.rc, 0) << c.out;
    FileDevice dev(other);
    Fat16 fs;
    EXPECT_EQ(fs.mount(dev, 0), err::Inval) << "FAT" << fat;
  }
  // I/O errors come back as -EIO.
  std::ofstream(img_, std::ios::binary | std::ios::trunc) << good;
  for (int failAt = 0; failAt < 40; ++failAt) {
    FileDevice dev(img_);
    Fat16 fs;
    dev.failAfter(failAt);
    int r = fs.mount(dev, 0);
    if (r == 0) {
      Node *n;
      r = fs.open("/x", oflag::Creat | 1, &n);
      if (r == 0) {
        int64_t w = fs.write(n, 0, good.data(), 200000);
        EXPECT_TRUE(w == err::IO || w > 0) << w;
        fs.close(n);
      }
      r = fs.unmount();
    }
    EXPECT_TRUE(r == 0 || r == err::IO) << r;
  }
}

// Random damage to a populated volume: every call must return (a value or an
// error) without crashing; run under the sanitizers this also proves no
// out-of-bounds access.
TEST_F(Fat16Test, SurvivesCorruptMetadata) {
  makeImage(16384);
  mountIt();
  ASSERT_EQ(fs_->mkdir("/dir"), 0);
  for (int i = 0; i < 30; ++i)
    ASSERT_EQ(writeFile("/dir/long file name " + std::to_string(i),
                        bytes(i * 3000, i)),
              0);
  unmountIt();
  std::ifstream f(img_, std::ios::binary);
  std::string good((std::istreambuf_iterator<char>(f)), {});
  std::mt19937 rng(10);
  for (int round = 0; round < 60; ++round) {
    std::string bad = good;
    // Damage the FATs, the root directory and the first data clusters.
    for (int k = 0; k < 40; ++k)
      bad[512 + rng() % (200 * 512)] = char(rng());
    std::ofstream(img_, std::ios::binary | std::ios::trunc) << bad;
    FileDevice dev(img_);
    Fat16 fs;
    if (fs.mount(dev, 0) != 0)
      continue;
    Node *d;
    if (fs.open("/dir", 0, &d) == 0) {
      uint64_t pos = 0;
      DirEntry e;
      for (int k = 0; k < 100000 && fs.readdir(d, &pos, &e) == 1; ++k) {
        Node *n;
        std::string path = std::string("/dir/") + e.name;
        if (fs.open(path.c_str(), 0, &n) == 0) {
          std::string buf(64 * 1024, 0);
          fs.read(n, 0, buf.data(), buf.size());
          fs.write(n, 10, "x", 1);
          fs.close(n);
        }
        fs.unlink(path.c_str());
      }
      fs.close(d);
    }
    fs.rename("/dir", "/dir2");
    fs.mkdir("/dir2/new");
    fs.unmount();
  }
}

// Random operations against an in-memory model, checked by the driver, by
// mtools after unmount and by fsck.fat.
class Fat16RandomTest : public Fat16Test,
                        public ::testing::WithParamInterface<uint32_t> {};

TEST_P(Fat16RandomTest, OperationsMatchAModel) {
  makeImage(16384);
  mountIt();
  std::map<std::string, std::string> model;
  std::vector<std::string> dirs = {""};
  std::mt19937 rng(GetParam());
  auto pick = [&](const auto &v) { return v[rng() % v.size()]; };
  const char *names[] = {"a.txt", "B.BIN",      "long name.data",
                         "x",     "Mixed.Case", "tinyllama.bc"};
  for (int step = 0; step < 1500; ++step) {
    std::string path = pick(dirs) + "/" + names[rng() % 6];
    std::string key = path;
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    int op = rng() % 10;
    if (op < 4) {
      Node *n;
      ASSERT_EQ(fs_->open(path.c_str(), oflag::Creat | 2, &n), 0) << path;
      std::string &m = model[key];
      size_t off = rng() % (m.size() + 3000);
      std::string data = bytes(rng() % (rng() % 4 ? 2000 : 70000), rng());
      ASSERT_EQ(fs_->write(n, off, data.data(), data.size()),
                int64_t(data.size()));
      if (m.size() < off + data.size())
        m.resize(off + data.size(), '\0');
      m.replace(off, data.size(), data);
      fs_->close(n);
    } else if (op < 5 && model.count(key)) {
      Node *n;
      ASSERT_EQ(fs_->open(path.c_str(), 2, &n), 0);
      size_t size = rng() % (model[key].size() + 5000);
      ASSERT_EQ(fs_->truncate(n, size), 0);
      model[key].resize(size, '\0');
      fs_->close(n);
    } else if (op < 6) {
      int r = fs_->unlink(path.c_str());
      ASSERT_EQ(r, model.erase(key) ? 0 : err::NoEnt) << path;
    } else if (op < 7) {
      std::string to = pick(dirs) + "/" + names[rng() % 6];
      std::string toKey = to;
      std::transform(toKey.begin(), toKey.end(), toKey.begin(), ::tolower);
      int r = fs_->rename(path.c_str(), to.c_str());
      if (!model.count(key)) {
        ASSERT_EQ(r, err::NoEnt);
      } else {
        ASSERT_EQ(r, 0) << path << " -> " << to;
        std::string data = model[key];
        model.erase(key);
        model[toKey] = data;
      }
    } else if (op < 8 && dirs.size() < 6) {
      std::string d = pick(dirs) + "/dir" + std::to_string(step);
      ASSERT_EQ(fs_->mkdir(d.c_str()), 0);
      dirs.push_back(d);
    } else if (model.count(key)) {
      ASSERT_EQ(readFile(path), model[key]) << path;
    }
    if (step % 500 == 499) {
      unmountIt();
      expectClean();
      mountIt();
    }
  }
  for (auto &[path, data] : model)
    ASSERT_EQ(readFile(path), data) << path;
  unmountIt();
  expectClean();
  for (auto &[path, data] : model)
    EXPECT_EQ(mtype(path), data) << path;
}

// The disk the image builder makes is what the kernel mounts: find the
// partition through the MBR, read the files, write, and stay fsck-clean.
TEST_F(Fat16Test, MountsTheBuiltDiskImage) {
  auto put = [&](const char *name, const std::string &data) {
    std::ofstream((dir_ / name).string(), std::ios::binary) << data;
    return (dir_ / name).string();
  };
  std::string stage1 = std::string(510, '\0') + "\x55\xaa";
  std::string stage2 =
      std::string("\xeb\x0e\0\0GTS2", 8) + std::string(4088, '\0');
  std::string kernel = bytes(123457, 12), model = bytes(400000, 13);
  Cmd c = run("python3 " GTS_MKIMAGE " --stage1 " + put("s1", stage1) +
              " --stage2 " + put("s2", stage2) + " --kernel " +
              put("k", kernel) + " --program " + put("prog", "ELF") +
              ":/bin/prog --args \"'a b' c\" --file " + put("m", model) +
              ":/stories260K.bin --size 24 --out " + img_);
  ASSERT_EQ(c.rc, 0) << c.out;
  std::ifstream f(img_, std::ios::binary);
  std::string disk((std::istreambuf_iterator<char>(f)), {});
  auto *mbr = reinterpret_cast<const uint8_t *>(disk.data());
  offset_ =
      mbr[454] | mbr[455] << 8 | mbr[456] << 16 | uint32_t(mbr[457]) << 24;
  ASSERT_EQ(mbr[450], 0x0E);
  mountIt();
  EXPECT_EQ(readFile("/cmdline.txt"), "/bin/prog\na b\nc\n");
  EXPECT_EQ(readFile("/KERNEL.BIN"), kernel);
  EXPECT_EQ(readFile("/STORIES260K.BIN"), model);
  ASSERT_EQ(fs_->mkdir("/snapshots"), 0);
  ASSERT_EQ(writeFile("/snapshots/tinyllama.O2.obj", model), 0);
  unmountIt();
  expectClean();
  EXPECT_EQ(mtype("/snapshots/tinyllama.O2.obj"), model);
}

INSTANTIATE_TEST_SUITE_P(Seeds, Fat16RandomTest, ::testing::Values(11, 12, 13));

} // namespace
