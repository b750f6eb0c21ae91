#include "init/boot_ab.h"
#include "drivers/console.h"
#include "drivers/poweroff.h"
#include "init/boot_choice.h"

namespace gts::init {
namespace {

constexpr const char *Current = CurrentFile, *New = NewFile, *Bad = BadFile,
                     *Record = RecordFile;

fs::Fat16 *vol;
bool pending;

bool exists(const char *path) {
  fs::Stat st;
  return vol->stat(path, &st) == 0;
}

// Replaces /BOOT.TRY's content with `line` (RecordBytes in all), then
// syncs.
int writeRecord(const char *line) {
  char text[RecordBytes];
  size_t n = ksnprintf(text, sizeof text, "%s", line);
  for (; n < sizeof text; ++n)
    text[n] = '\n';
  fs::Node *node;
  int r = vol->open(Record, fs::oflag::Creat, &node);
  if (r < 0)
    return r;
  int64_t w = vol->write(node, 0, text, sizeof text);
  r = w < 0 ? int(w) : vol->truncate(node, sizeof text);
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

bool confirmTrial() {
  if (!pending)
    return false;
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
    return false;
  }
  removeRecord();
  kprintf("boot: the new configuration reached main; it is now the default\n");
  return true;
}

} // namespace gts::init
