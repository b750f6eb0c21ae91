// The A/B boot chain (docs/KERNEL.md "A/B boot"). In the volume's root:
// /CMDLINE.TXT is the known-good configuration; /CMDLINE.NEW a trial one
// that a program wrote; /BOOT.TRY the kernel's record of a trial under way
// (one line: the reason it ended, once known). A trial becomes the default
// only when its program reaches main (syscall 1000); if it fails before,
// the next boot falls back to /CMDLINE.TXT and says why. The decisions are
// in boot_choice.h; this file does the FAT16 work, each step synced so
// that a power cut anywhere leaves a defined next decision.
#pragma once
#include "fs/fat16.h"

namespace gts::init {

// Carries out what the volume's files call for (a fallback, the removal
// of a stale record, the start of a trial: /BOOT.TRY written and synced)
// and returns the command line file this boot runs.
const char *chooseConfiguration(fs::Fat16 &vol);

// A trial whose program has not reached main yet.
bool trialPending();

// Ends a pending trial as failed: prints `reason`, records it in /BOOT.TRY
// and returns drivers::StatusTrialFailed. The caller syncs and powers off.
int failTrial(const char *reason);

// sys::Process::onExit: a program ending before main fails its trial.
int trialExit(int status);

// Syscall 1000: the trial's configuration becomes the default (no-op
// outside a trial).
void confirmTrial();

// Makes the files the next boot needs read-only for the program, with the
// directories on their paths: /KERNEL.BIN, /CMDLINE.TXT and the program it
// names, /BOOT.TRY, and during a trial /CMDLINE.NEW and its program
// `exePath`.
void protectBootFiles(const char *exePath);

} // namespace gts::init
