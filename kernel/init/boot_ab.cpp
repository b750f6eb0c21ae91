#include "init/boot_ab.h"
#include "drivers/console.h"
#include "drivers/poweroff.h"
#include "init/boot_choice.h"
#include "lib/string.h"
#include "linux/files.h"
#include "linux/process.h"

namespace gts::init {
namespace {

constexpr char Current[] = "/CMDLINE.TXT", New[] = "/CMDLINE.NEW",
               Bad[] = "/CMDLINE.BAD", Record[] = "/BOOT.TRY";

fs::Fat16 *vol;
bool pending;

bool exists(const char *path) {
  fs::Stat st;
  return vol->stat(path, &st) == 0;
}

// Replaces /BOOT.TRY's content with `line` and a newline, then syncs. The
// file is one sector: a power cut leaves the old or the new text (cut to
// the old size at worst), which recordedReason() reads either way.
int writeRecord(const char *line) {
  char text[MaxReason + 1];
  size_t n = ksnprintf(text, sizeof text, "%s\n", line);
  fs::Node *node;
  int r = vol->open(Record, fs::oflag::Creat, &node);
  if (r < 0)
    return r;
  int64_t w = vol->write(node, 0, text, n);
  r = w < 0 ? int(w) : vol->truncate(node, n);
  vol->close(node);
  return r < 0 ? r : vol->sync();
}

void readRecord(char *reason) {
  char text[512];
  int64_t n = -1;
  fs::Node *node;
  if (vol->open(Record, 0, &node) == 0) {
    n = vol->read(node, 0, text, sizeof text);
    vol->close(node);
  }
  recordedReason(text, n < 0 ? 0 : size_t(n), reason);
}

// /CMDLINE.NEW goes to /CMDLINE.BAD (kept for diagnosis, replacing an
// older one), or, if that fails (a full root directory), away.
void discardNew() {
  int r = vol->rename(New, Bad);
  if (r < 0) {
    kprintf("boot: cannot rename %s to %s (error %d): removing it\n", New, Bad,
            r);
    r = vol->unlink(New);
  }
  if (r == 0)
    r = vol->sync();
  if (r < 0)
    kprintf("boot: cannot discard %s (error %d)\n", New, r);
}

// Removes /BOOT.TRY once nothing depends on it any more.
void removeRecord() {
  int r = vol->unlink(Record);
  if (r == 0)
    r = vol->sync();
  if (r < 0)
    kprintf("boot: cannot remove %s (error %d)\n", Record, r);
}

void fallBack() {
  char reason[MaxReason];
  readRecord(reason);
  kprintf("boot: falling back to %s: the new configuration failed on the "
          "previous boot: %s\n",
          Current, reason);
  // The decision flips with this rename; the record goes only after it.
  discardNew();
  removeRecord();
}

// The record goes to the disk before anything of the trial runs: from
// here on, a boot that does not reach main leaves it behind.
const char *startTrial() {
  int r = writeRecord(TrialStarted);
  if (r == 0) {
    pending = true;
    return New;
  }
  kprintf("boot: cannot record a trial in %s (error %d): %s is discarded\n",
          Record, r, New);
  discardNew();
  if (exists(Record))
    removeRecord();
  return Current;
}

// The program path on the first line of `cmdline`, '/'-prefixed, into
// out (256 bytes); false if there is none.
bool programOf(const char *cmdline, char *out) {
  fs::Node *node;
  if (vol->open(cmdline, 0, &node) < 0)
    return false;
  int64_t n = vol->read(node, 0, out + 1, 254);
  vol->close(node);
  if (n <= 0)
    return false;
  out[0] = '/';
  out[n + 1] = 0;
  for (char *c = out + 1; *c; ++c)
    if (*c == '\n' || *c == '\r')
      *c = 0;
  return out[1] != 0;
}

void protectIno(uint64_t ino) {
  sys::Process &p = sys::process();
  for (uint64_t &slot : p.protectedIno) {
    if (slot == ino)
      return;
    if (!slot) {
      slot = ino;
      return;
    }
  }
  kprintf("boot: too many boot files to protect\n");
}

// The file and every directory on its path: renaming a directory would
// move the file away from the name the next boot looks up.
void protectPath(const char *path) {
  char prefix[sys::MaxPath];
  size_t n = lib::strLength(path);
  if (n >= sizeof prefix)
    return;
  for (size_t i = 1; i <= n; ++i) {
    if (i < n && path[i] != '/')
      continue;
    lib::memCopy(prefix, path, i);
    prefix[i] = 0;
    fs::Stat st;
    if (vol->stat(prefix, &st) == 0)
      protectIno(st.ino);
  }
}

} // namespace

const char *chooseConfiguration(fs::Fat16 &volume) {
  vol = &volume;
  switch (chooseBoot(exists(New), exists(Record))) {
  case BootChoice::Trial:
    return startTrial();
  case BootChoice::Fallback:
    fallBack();
    break;
  case BootChoice::Stale:
    kprintf("boot: removing %s: its trial has ended\n", Record);
    removeRecord();
    break;
  case BootChoice::Default:
    break;
  }
  return Current;
}

bool trialPending() { return pending; }

int failTrial(const char *reason) {
  pending = false;
  kprintf("boot: the new configuration failed: %s; the next boot falls back "
          "to %s\n",
          reason, Current);
  int r = writeRecord(reason);
  if (r < 0)
    kprintf("boot: cannot record the reason in %s (error %d)\n", Record, r);
  return drivers::StatusTrialFailed;
}

int trialExit(int status) {
  if (!pending)
    return status;
  char reason[MaxReason];
  endReason(status, sys::process().killedBy, reason);
  return failTrial(reason);
}

void confirmTrial() {
  if (!pending)
    return;
  pending = false;
  // One sector write makes /CMDLINE.NEW the default (docs/FAT16.md,
  // rename); the record goes after, so a cut in between leaves a stale
  // record next to the new default, which the next boot removes.
  int r = vol->rename(New, Current);
  if (r == 0)
    r = vol->sync();
  if (r < 0) {
    char reason[MaxReason];
    ksnprintf(reason, sizeof reason,
              "reached main, but %s could not replace %s (error %d)", New,
              Current, r);
    failTrial(reason);
    return;
  }
  removeRecord();
  kprintf("boot: the new configuration reached main; it is now the default\n");
  protectBootFiles(sys::process().exePath);
}

void protectBootFiles(const char *exePath) {
  for (uint64_t &slot : sys::process().protectedIno)
    slot = 0;
  protectPath("/KERNEL.BIN");
  protectPath(Current);
  protectPath(Record);
  char program[256];
  if (programOf(Current, program))
    protectPath(program);
  if (pending) {
    protectPath(New);
    protectPath(exePath);
  }
}

} // namespace gts::init
