#include "init/boot_choice.h"
#include <gtest/gtest.h>
#include <string>

using namespace gts::init;

namespace {
std::string recorded(const std::string &text) {
  char out[MaxReason];
  recordedReason(text.data(), text.size(), out);
  return out;
}

std::string ended(int status, const char *killedBy) {
  char out[MaxReason];
  endReason(status, killedBy, out);
  return out;
}
} // namespace

TEST(BootChoice, EveryStateOfTheFiles) {
  EXPECT_EQ(chooseBoot(false, false), BootChoice::Default);
  EXPECT_EQ(chooseBoot(true, false), BootChoice::Trial);
  EXPECT_EQ(chooseBoot(true, true), BootChoice::Fallback);
  EXPECT_EQ(chooseBoot(false, true), BootChoice::Stale);
}

TEST(BootChoice, RecordedReasonIsTheFirstLine) {
  EXPECT_EQ(recorded("killed by a page fault before main\n"),
            "killed by a page fault before main");
  EXPECT_EQ(recorded("exited with status 3 before main\r\nmore\n"),
            "exited with status 3 before main");
  EXPECT_EQ(recorded("/NATIVE: segment extends past the end of the file"),
            "/NATIVE: segment extends past the end of the file");
}

TEST(BootChoice, NoResultWhenTheTrialNeverEnded) {
  const std::string none = "no result recorded (power lost or hung)";
  EXPECT_EQ(recorded(""), none);
  EXPECT_EQ(recorded("\n"), none);
  EXPECT_EQ(recorded(std::string(TrialStarted) + "\n"), none);
  EXPECT_EQ(recorded(TrialStarted), none);
  // A power cut can leave a prefix of the final text: still a reason.
  EXPECT_EQ(recorded("killed by"), "killed by");
  EXPECT_EQ(recorded("started, no results"), "started, no results");
}

TEST(BootChoice, RecordedReasonIsPrintableAndBounded) {
  std::string bad("a\0b\x01\xff\x7f\tc", 8);
  EXPECT_EQ(recorded(bad), "a?b????c");
  EXPECT_EQ(recorded("a\rb\n"), "a?b");
  std::string longText(1000, 'x');
  EXPECT_EQ(recorded(longText), std::string(MaxReason - 1, 'x'));
}

TEST(BootChoice, EndReasons) {
  EXPECT_EQ(ended(3, nullptr), "exited with status 3 before main");
  EXPECT_EQ(ended(0, nullptr), "exited with status 0 before main");
  EXPECT_EQ(ended(126, "a page fault"), "killed by a page fault before main");
  EXPECT_EQ(ended(126, "a signal"), "killed by a signal before main");
}
