// Power cuts in the A/B boot chain (init/boot_ab.cpp, the kernel's own code
// over the kernel's FAT16): each step of the chain (a trial that fails, a
// trial that reaches main, a fallback, the removal of a stale record) runs
// once per N on a device that keeps only its first N sector writes
// (tests/fs/crash_device.h), in order and with every flush epoch shuffled.
// After each cut: fsck.fat -n clean or the volume marked dirty; mount (with
// its repair); the files must form a state the next boot has a decision
// for, with /CMDLINE.TXT whole (old or new) and the programs untouched;
// after unmount fsck.fat -n clean.
#include "crash_device.h"
#include "fs/fat16.h"
#include "host_device.h"
#include "init/boot_ab.h"
#include "init/boot_choice.h"
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <memory>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

// The kernel's console, captured (drivers/console.cpp writes here).
namespace gts::drivers {
std::string serialOut;
void serialWrite(const char *s, size_t n) { serialOut.append(s, n); }
} // namespace gts::drivers

using namespace gts;
using namespace gts::init;
using fs::Fat16;
namespace stdfs = std::filesystem;

namespace {

using File = std::optional<std::string>;

const std::string
    OldCmd = "/old\n",
    NewCmd = "/apps/new\n--fast\n", OldProg(3000, 'o'),
    NewProg(5000, 'n'), Reason = "killed by a page fault before main",
    NoResult = "no result recorded (power lost or hung)";

// What the next boot finds.
struct Seen {
  BootChoice choice;
  File txt, next, bad, record;
  std::string reason; // Fallback: what the next boot prints
};

int run(const std::string &cmd, std::string *out) {
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  out->clear();
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool fsckClean(const std::string &img, std::string *out) {
  return run("fsck.fat -n " + img, out) == 0 &&
         std::count(out->begin(), out->end(), '\n') == 2;
}

File readFile(Fat16 &v, const char *path) {
  fs::Node *n;
  if (v.open(path, 0, &n) < 0)
    return std::nullopt;
  std::string s(n->size, 0);
  int64_t got = v.read(n, 0, s.data(), s.size());
  v.close(n);
  return got == int64_t(s.size()) ? File(s) : File("<read error>");
}

void writeFile(Fat16 &v, const char *path, const std::string &data) {
  fs::Node *n;
  ASSERT_EQ(v.open(path, fs::oflag::Creat | fs::oflag::Trunc, &n), 0) << path;
  ASSERT_EQ(v.write(n, 0, data.data(), data.size()), int64_t(data.size()));
  v.close(n);
}

class AbCrashTest : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    std::string out;
    ASSERT_NE(run("fsck.fat --help", &out), 127)
        << "fsck.fat (dosfstools) is required";
    dir_ = stdfs::temp_directory_path() /
           ("gts_ab_crash_" + std::to_string(getpid()));
    stdfs::create_directories(dir_);
    img_ = (dir_ / "disk.img").string();
    stdfs::remove(img_);
    ASSERT_EQ(run("mkfs.fat -F 16 -s 1 -C " + img_ + " 2400", &out), 0) << out;
    std::ifstream in(img_, std::ios::binary);
    image_.assign(std::istreambuf_iterator<char>(in), {});
    // The configuration the volume starts with: the two programs, and
    // (parameter) /CMDLINE.TXT and /CMDLINE.NEW in different directory
    // sectors, with 20 files between them.
    prepare([&](Fat16 &v) {
      writeFile(v, "/KERNEL.BIN", "kernel");
      writeFile(v, "/old", OldProg);
      ASSERT_EQ(v.mkdir("/apps"), 0);
      writeFile(v, "/apps/new", NewProg);
      writeFile(v, "/CMDLINE.TXT", OldCmd);
      for (int i = 0; GetParam() && i < 20; ++i)
        writeFile(v, ("/FILL" + std::to_string(i)).c_str(), "x");
      writeFile(v, "/CMDLINE.NEW", NewCmd);
    });
  }
  void TearDown() override {
    if (!HasFailure())
      stdfs::remove_all(dir_);
  }

  // Runs `step` on the starting image without a power cut; the result is
  // the new starting image.
  void prepare(const std::function<void(Fat16 &)> &step) {
    fs::CrashDevice dev(image_, -1, 0);
    auto v = std::make_unique<Fat16>();
    ASSERT_EQ(v->mount(dev, 0), 0);
    step(*v);
    ASSERT_EQ(v->unmount(), 0);
    image_ = dev.crashedImage();
  }

  // The state a boot finds after the volume's mount.
  Seen look(Fat16 &v) {
    Seen s;
    s.txt = readFile(v, CurrentFile);
    s.next = readFile(v, NewFile);
    s.bad = readFile(v, BadFile);
    s.record = readFile(v, RecordFile);
    s.choice = chooseBoot(s.next.has_value(), s.record.has_value());
    if (s.record) {
      char reason[MaxReason];
      recordedReason(s.record->data(), s.record->size(), reason);
      s.reason = reason;
    }
    EXPECT_EQ(readFile(v, "/old"), OldProg);
    EXPECT_EQ(readFile(v, "/apps/new"), NewProg);
    EXPECT_EQ(readFile(v, "/KERNEL.BIN"), "kernel");
    return s;
  }

  // Every cut of `step` (then unmount), shuffled with `seed` if not 0;
  // `allowed` returns "" or why the state is wrong.
  void everyCut(const std::function<void(Fat16 &)> &step,
                const std::function<std::string(const Seen &)> &allowed,
                uint32_t seed) {
    uint64_t total;
    {
      fs::CrashDevice dev(image_, -1, seed);
      auto v = std::make_unique<Fat16>();
      ASSERT_EQ(v->mount(dev, 0), 0);
      step(*v);
      ASSERT_EQ(v->unmount(), 0);
      total = dev.writes();
    }
    int clean = 0;
    for (uint64_t n = 0; n <= total && !HasFailure(); ++n) {
      fs::CrashDevice dev(image_, int64_t(n), seed);
      auto v = std::make_unique<Fat16>();
      ASSERT_EQ(v->mount(dev, 0), 0);
      step(*v);
      v->unmount();
      std::vector<uint8_t> cut = dev.crashedImage();
      std::ofstream(img_, std::ios::binary | std::ios::trunc)
          .write(reinterpret_cast<const char *>(cut.data()),
                 std::streamsize(cut.size()));
      std::string before, after;
      bool cleanBefore = fsckClean(img_, &before);
      fs::FileDevice file(img_);
      auto next = std::make_unique<Fat16>();
      ASSERT_EQ(next->mount(file, 0), 0) << "cut at " << n;
      EXPECT_TRUE(cleanBefore || next->repairStats().wasDirty)
          << "cut at " << n << ": damage not flagged\n"
          << before;
      clean += cleanBefore;
      Seen s = look(*next);
      EXPECT_TRUE(s.txt == OldCmd || s.txt == NewCmd) << "cut at " << n;
      std::string why = allowed(s);
      EXPECT_EQ(why, "") << "cut at " << n << " (seed " << seed << ")";
      ASSERT_EQ(next->unmount(), 0);
      EXPECT_TRUE(fsckClean(img_, &after))
          << "cut at " << n << ", after the repair:\n"
          << after;
    }
    std::printf("A/B crash points (seed %u): N=0..%llu, %d clean, %llu "
                "repaired at mount\n",
                seed, (unsigned long long)total, clean,
                (unsigned long long)(total + 1 - clean));
  }

  stdfs::path dir_;
  std::string img_;
  std::vector<uint8_t> image_;
};

// The states a cut in a trial may leave: the trial not started yet, or
// started and not confirmed, with `reasons` recorded.
std::string trialState(const Seen &s, std::vector<std::string> reasons) {
  if (s.txt != OldCmd || s.next != NewCmd || s.bad)
    return "files of an unfinished trial changed";
  if (s.choice == BootChoice::Trial)
    return "";
  if (s.choice != BootChoice::Fallback)
    return "no decision for a trial";
  if (std::find(reasons.begin(), reasons.end(), s.reason) == reasons.end())
    return "fallback reason '" + s.reason + "'";
  return "";
}

void trialFails(Fat16 &v) {
  ASSERT_STREQ(chooseConfiguration(v), NewFile);
  failTrial(Reason.c_str());
}

void trialConfirms(Fat16 &v) {
  ASSERT_STREQ(chooseConfiguration(v), NewFile);
  ASSERT_TRUE(confirmTrial());
}

void fallsBack(Fat16 &v) { ASSERT_STREQ(chooseConfiguration(v), CurrentFile); }

std::string afterFailure(const Seen &s) {
  return trialState(s, {NoResult, Reason});
}

std::string afterConfirm(const Seen &s) {
  if (s.choice == BootChoice::Trial || s.choice == BootChoice::Fallback)
    return trialState(s, {NoResult});
  if (s.bad)
    return "/CMDLINE.BAD after a confirmed trial";
  // Stale: the record outlived the switch (or, if the rename's two
  // sector writes were cut apart, the switch is lost: the old default).
  if (s.choice == BootChoice::Stale)
    return "";
  return s.txt == NewCmd ? "" : "the trial vanished";
}

std::string afterFallback(const Seen &s) {
  if (s.txt != OldCmd)
    return "/CMDLINE.TXT changed by a fallback";
  if (s.choice == BootChoice::Fallback)
    return s.reason == Reason ? "" : "fallback reason '" + s.reason + "'";
  if (s.bad != NewCmd)
    return "the failed configuration is not in /CMDLINE.BAD";
  return s.choice == BootChoice::Stale || s.choice == BootChoice::Default
             ? ""
             : "unexpected decision";
}

TEST_P(AbCrashTest, TrialFails) {
  everyCut(trialFails, afterFailure, 0);
  everyCut(trialFails, afterFailure, 21);
}

TEST_P(AbCrashTest, TrialConfirms) {
  everyCut(trialConfirms, afterConfirm, 0);
  everyCut(trialConfirms, afterConfirm, 22);
}

TEST_P(AbCrashTest, FallsBack) {
  prepare(trialFails);
  everyCut(fallsBack, afterFallback, 0);
  everyCut(fallsBack, afterFallback, 23);
}

TEST_P(AbCrashTest, RemovesAStaleRecord) {
  prepare(trialFails);
  prepare([](Fat16 &v) { ASSERT_EQ(v.unlink(NewFile), 0); });
  auto stale = [](const Seen &s) -> std::string {
    if (s.txt != OldCmd || s.next || s.bad)
      return "files changed";
    return s.choice == BootChoice::Stale || s.choice == BootChoice::Default
               ? ""
               : "unexpected decision";
  };
  everyCut(fallsBack, stale, 0);
  everyCut(fallsBack, stale, 24);
}

TEST_P(AbCrashTest, ConsoleSaysWhy) {
  drivers::serialOut.clear();
  prepare(trialFails);
  prepare(fallsBack);
  EXPECT_NE(
      drivers::serialOut.find("boot: the new configuration failed: " + Reason +
                              "; the next boot falls back to /CMDLINE.TXT\n"),
      std::string::npos)
      << drivers::serialOut;
  EXPECT_NE(drivers::serialOut.find(
                "boot: falling back to /CMDLINE.TXT: the new configuration "
                "failed on the previous boot: " +
                Reason + "\n"),
            std::string::npos)
      << drivers::serialOut;
}

INSTANTIATE_TEST_SUITE_P(Layouts, AbCrashTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &i) {
                           return i.param ? "Apart" : "OneSector";
                         });

} // namespace
