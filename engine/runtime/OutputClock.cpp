#include "OutputClock.h"

#include <cerrno>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

namespace gts {

namespace {

std::chrono::steady_clock::time_point Since;
OutputTimes Times;

double nowMillis() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - Since)
      .count();
}

ssize_t writeAll(void *, const char *Buf, size_t Size) {
  size_t Done = 0;
  while (Done < Size) {
    ssize_t N = write(STDOUT_FILENO, Buf + Done, Size - Done);
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      return Done ? static_cast<ssize_t>(Done) : -1;
    Done += N;
  }
  double Now = nowMillis();
  if (Times.Writes++ == 0)
    Times.FirstMillis = Now;
  Times.LastMillis = Now;
  return static_cast<ssize_t>(Done);
}

} // namespace

void watchStdout(std::chrono::steady_clock::time_point Start) {
  Since = Start;
  cookie_io_functions_t Io{};
  Io.write = writeAll;
  FILE *Watched = fopencookie(nullptr, "w", Io);
  if (!Watched)
    return; // output stays as it was, untimed
  fflush(stdout);
  // A character device (a terminal, our kernel's console) gets lines as
  // they end, anything else full buffers, as glibc decides for its own
  // stdout (our kernel's console is a character device, not a tty to
  // isatty).
  struct stat St;
  bool Chr = fstat(STDOUT_FILENO, &St) == 0 && S_ISCHR(St.st_mode);
  setvbuf(Watched, nullptr, Chr ? _IOLBF : _IOFBF, BUFSIZ);
  stdout = Watched;
}

const OutputTimes &outputTimes() { return Times; }

} // namespace gts
