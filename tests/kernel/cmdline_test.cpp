#include "init/cmdline.h"
#include <gtest/gtest.h>
#include <string>

using namespace gts::init;

namespace {
struct Parsed {
  std::string text;
  Cmdline cmd;
  const char *err;
  explicit Parsed(std::string t) : text(std::move(t)) {
    err = parseCmdline(text.data(), &cmd);
  }
};
} // namespace

TEST(Cmdline, ProgramArgsAndEnv) {
  Parsed p("/tinyllama\nstories260K.bin\n-n\n64\nENV GTS_TIER=O2\n"
           "two words\n");
  ASSERT_EQ(p.err, nullptr);
  ASSERT_EQ(p.cmd.argc, 5);
  EXPECT_STREQ(p.cmd.argv[0], "/tinyllama");
  EXPECT_STREQ(p.cmd.argv[1], "stories260K.bin");
  EXPECT_STREQ(p.cmd.argv[3], "64");
  EXPECT_STREQ(p.cmd.argv[4], "two words");
  EXPECT_EQ(p.cmd.argv[5], nullptr);
  ASSERT_EQ(p.cmd.envc, 1);
  EXPECT_STREQ(p.cmd.envp[0], "GTS_TIER=O2");
  EXPECT_EQ(p.cmd.envp[1], nullptr);
}

TEST(Cmdline, CrLfAndNoFinalNewline) {
  Parsed p("/hello\r\n7\r\nlast");
  ASSERT_EQ(p.err, nullptr);
  ASSERT_EQ(p.cmd.argc, 3);
  EXPECT_STREQ(p.cmd.argv[1], "7");
  EXPECT_STREQ(p.cmd.argv[2], "last");
}

TEST(Cmdline, EmptyLineInsideIsAnEmptyArgument) {
  Parsed p("/p\n\nx\n");
  ASSERT_EQ(p.err, nullptr);
  ASSERT_EQ(p.cmd.argc, 3);
  EXPECT_STREQ(p.cmd.argv[1], "");
}

TEST(Cmdline, Errors) {
  EXPECT_STREQ(Parsed("").err, "no program path on the first line");
  EXPECT_STREQ(Parsed("\nx\n").err, "no program path on the first line");
  EXPECT_STREQ(Parsed("/p\nENV NOVALUE\n").err, "ENV line without NAME=VALUE");
  EXPECT_STREQ(Parsed("/p\nENV =x\n").err, "ENV line without NAME=VALUE");
  std::string many = "/p\n";
  for (int i = 0; i < MaxArgs; ++i)
    many += "a\n";
  EXPECT_STREQ(Parsed(many).err, "too many arguments");
  std::string envs = "/p\n";
  for (int i = 0; i <= MaxEnv; ++i)
    envs += "ENV A=1\n";
  EXPECT_STREQ(Parsed(envs).err, "too many ENV lines");
}
