#include "init/boot_choice.h"
#include "drivers/console.h"

namespace gts::init {

BootChoice chooseBoot(bool hasNew, bool hasTry) {
  if (hasNew)
    return hasTry ? BootChoice::Fallback : BootChoice::Trial;
  return hasTry ? BootChoice::Stale : BootChoice::Default;
}

void recordedReason(const char *text, size_t n, char *out) {
  size_t len = 0;
  for (size_t i = 0; i < n && text[i] != '\n' && len + 1 < MaxReason; ++i) {
    char c = text[i];
    if (c == '\r' && (i + 1 == n || text[i + 1] == '\n'))
      break;
    out[len++] = c >= 0x20 && c < 0x7F ? c : '?';
  }
  out[len] = 0;
  bool started = len == sizeof TrialStarted - 1;
  for (size_t i = 0; started && i < len; ++i)
    started = out[i] == TrialStarted[i];
  if (len == 0 || started)
    ksnprintf(out, MaxReason, "no result recorded (power lost or hung)");
}

void endReason(int status, const char *killedBy, char *out) {
  if (killedBy)
    ksnprintf(out, MaxReason, "killed by %s before main", killedBy);
  else
    ksnprintf(out, MaxReason, "exited with status %d before main", status);
}

} // namespace gts::init
