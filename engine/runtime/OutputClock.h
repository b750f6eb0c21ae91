// When the app's output appears: `gts run` makes stdout a stream that
// writes to fd 1 as before and notes the time of each write, so that a
// boot's record holds its time to first output (for TinyLlama, the first
// token) and its output rate (TinyLlama flushes once per token: tok/s).
// Writes the app makes to fd 1 directly are not seen.
#pragma once

#include <chrono>
#include <cstdint>

namespace gts {

struct OutputTimes {
  double FirstMillis = -1; // since Start; -1: no output yet
  double LastMillis = -1;
  uint64_t Writes = 0;
  // Writes per second after the first; 0 with fewer than two writes.
  double ratePerSecond() const {
    double Span = (LastMillis - FirstMillis) / 1000;
    return Writes > 1 && Span > 0 ? (Writes - 1) / Span : 0;
  }
};

// Replaces stdout (before the app runs; keeps its buffering mode).
void watchStdout(std::chrono::steady_clock::time_point Start);
const OutputTimes &outputTimes();

} // namespace gts
