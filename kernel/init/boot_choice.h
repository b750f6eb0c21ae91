// The A/B boot chain's decisions (docs/KERNEL.md "A/B boot"): which
// configuration a boot runs, given the files on the volume, and the one
// line of text that says why a trial ended. Pure: builds on the host for
// tests.
#pragma once
#include <stddef.h>

namespace gts::init {

enum class BootChoice {
  Default,  // boot /CMDLINE.TXT
  Trial,    // /CMDLINE.NEW waits for its first boot
  Fallback, // the trial of /CMDLINE.NEW never reached main: discard it
  Stale,    // /BOOT.TRY without /CMDLINE.NEW (a cut after the switch or
            // the fallback): remove it, boot /CMDLINE.TXT
};

BootChoice chooseBoot(bool hasNew, bool hasTry);

// What /BOOT.TRY holds from the start of a trial until its end is known.
inline constexpr char TrialStarted[] = "started, no result";
inline constexpr size_t MaxReason = 160; // bytes of a reason, NUL included

// The reason in /BOOT.TRY's content `text` (n bytes; the program cannot
// write the file, but a power cut can leave any prefix of it): the first
// line, bytes outside printable ASCII as '?', at most MaxReason - 1 bytes,
// into out (MaxReason bytes). An empty file, or one that still says
// TrialStarted, gives "no result recorded (power lost or hung)".
void recordedReason(const char *text, size_t n, char *out);

// Why a trial program ended before main: "killed by <killedBy> before
// main" when the kernel killed it, else "exited with status N before
// main". Into out (MaxReason bytes).
void endReason(int status, const char *killedBy, char *out);

} // namespace gts::init
