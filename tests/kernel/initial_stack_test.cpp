#include "elf/initial_stack.h"
#include <cstring>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <vector>

using namespace gts::elf;

namespace {

constexpr uint64_t Top = 0x7FFFFFFFF000ull;
constexpr size_t Size = 16384;

struct Stack {
  std::vector<uint8_t> mem = std::vector<uint8_t>(Size, 0xEE);
  uint64_t word(uint64_t addr) const {
    uint64_t v;
    std::memcpy(&v, &mem[addr - (Top - Size)], 8);
    return v;
  }
  std::string str(uint64_t addr) const {
    return reinterpret_cast<const char *>(&mem[addr - (Top - Size)]);
  }
};

} // namespace

TEST(InitialStack, LinuxLayout) {
  const char *argv[] = {"/prog", "one", "two words"};
  const char *envp[] = {"A=1", "GTS_TIER=O2"};
  StackParams p{};
  p.argc = 3;
  p.argv = argv;
  p.envc = 2;
  p.envp = envp;
  p.execfn = "/prog";
  for (int i = 0; i < 16; ++i)
    p.random[i] = uint8_t(i * 11);
  p.phdr = 0x400040;
  p.phnum = 7;
  p.phent = 56;
  p.entry = 0x401234;
  p.hwcap = 0x178BFBFF;

  Stack s;
  uint64_t rsp = buildInitialStack(s.mem.data(), Size, Top, p);
  ASSERT_NE(rsp, 0u);
  EXPECT_EQ(rsp % 16, 0u);
  EXPECT_EQ(s.word(rsp), 3u);
  EXPECT_EQ(s.str(s.word(rsp + 8)), "/prog");
  EXPECT_EQ(s.str(s.word(rsp + 16)), "one");
  EXPECT_EQ(s.str(s.word(rsp + 24)), "two words");
  EXPECT_EQ(s.word(rsp + 32), 0u);
  EXPECT_EQ(s.str(s.word(rsp + 40)), "A=1");
  EXPECT_EQ(s.str(s.word(rsp + 48)), "GTS_TIER=O2");
  EXPECT_EQ(s.word(rsp + 56), 0u);

  std::map<uint64_t, uint64_t> aux;
  uint64_t a = rsp + 64;
  for (;; a += 16) {
    uint64_t type = s.word(a);
    aux[type] = s.word(a + 8);
    if (type == at::Null)
      break;
  }
  EXPECT_EQ(aux[at::Phdr], 0x400040u);
  EXPECT_EQ(aux[at::Phnum], 7u);
  EXPECT_EQ(aux[at::Phent], 56u);
  EXPECT_EQ(aux[at::Pagesz], 4096u);
  EXPECT_EQ(aux[at::Entry], 0x401234u);
  EXPECT_EQ(aux[at::Hwcap], 0x178BFBFFu);
  EXPECT_EQ(aux[at::Clktck], 100u);
  EXPECT_EQ(aux[at::Base], 0u);
  EXPECT_EQ(aux[at::Secure], 0u);
  EXPECT_EQ(aux[at::Uid], 0u);
  EXPECT_TRUE(aux.count(at::Egid));
  EXPECT_EQ(s.str(aux[at::Execfn]), "/prog");
  EXPECT_EQ(s.str(aux[at::Platform]), "x86_64");
  ASSERT_TRUE(aux.count(at::Random));
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(s.mem[aux[at::Random] - (Top - Size) + i], uint8_t(i * 11));
  // Everything the stack points to lies above the vectors, below Top.
  EXPECT_LT(a + 16, aux[at::Random] + 1);
  EXPECT_LE(aux[at::Random] + 16, Top);
}

TEST(InitialStack, AlignmentForAnyCounts) {
  for (int argc = 1; argc < 6; ++argc)
    for (int envc = 0; envc < 4; ++envc) {
      std::vector<const char *> argv(argc, "x"), envp(envc, "E=yy");
      StackParams p{};
      p.argc = argc;
      p.argv = argv.data();
      p.envc = envc;
      p.envp = envp.data();
      p.execfn = "/x";
      Stack s;
      uint64_t rsp = buildInitialStack(s.mem.data(), Size, Top, p);
      ASSERT_NE(rsp, 0u);
      EXPECT_EQ(rsp % 16, 0u) << argc << " " << envc;
      EXPECT_EQ(s.word(rsp), uint64_t(argc));
    }
}

TEST(InitialStack, TooSmall) {
  std::string big(5000, 'a');
  const char *argv[] = {big.c_str(), big.c_str(), big.c_str(), big.c_str()};
  StackParams p{};
  p.argc = 4;
  p.argv = argv;
  p.execfn = "/x";
  Stack s;
  EXPECT_EQ(buildInitialStack(s.mem.data(), Size, Top, p), 0u);
}
