#include "elf/elf.h"
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <vector>

using namespace gts::elf;

namespace {

std::vector<uint8_t> readFile(const char *path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

const char *parseFile(const std::vector<uint8_t> &f, Image *img) {
  size_t head = f.size() < 4096 ? f.size() : 4096;
  return parse(f.data(), head, f.size(), img);
}

// A minimal ELF64 executable: header plus `n` program headers.
struct Synth {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(8192, 0);
  Synth() {
    uint8_t ident[16] = {0x7F, 'E', 'L', 'F', 2, 1, 1};
    std::memcpy(bytes.data(), ident, 16);
    set16(16, 2);        // ET_EXEC
    set16(18, 62);       // x86-64
    set64(24, 0x401000); // entry
    set64(32, 64);       // phoff
    set16(54, 56);       // phentsize
  }
  void set16(size_t o, uint16_t v) { std::memcpy(&bytes[o], &v, 2); }
  void set32(size_t o, uint32_t v) { std::memcpy(&bytes[o], &v, 4); }
  void set64(size_t o, uint64_t v) { std::memcpy(&bytes[o], &v, 8); }
  void addPhdr(uint32_t type, uint32_t flags, uint64_t off, uint64_t va,
               uint64_t filesz, uint64_t memsz) {
    uint16_t n;
    std::memcpy(&n, &bytes[56], 2);
    size_t o = 64 + n * 56;
    set32(o, type);
    set32(o + 4, flags);
    set64(o + 8, off);
    set64(o + 16, va);
    set64(o + 24, va);
    set64(o + 32, filesz);
    set64(o + 40, memsz);
    set64(o + 48, 4096);
    set16(56, uint16_t(n + 1));
  }
  const char *parse(Image *img) {
    return gts::elf::parse(bytes.data(), 4096, bytes.size(), img);
  }
};

Synth valid() {
  Synth s;
  s.addPhdr(1, PfR, 0, 0x400000, 0x200, 0x200);
  s.addPhdr(1, PfR | PfX, 0x1000, 0x401000, 0x100, 0x100);
  s.addPhdr(1, PfR | PfW, 0x1100, 0x402100, 0x100, 0x3000);
  return s;
}

} // namespace

TEST(Elf, RealStaticExecutable) {
  auto f = readFile(GTS_STATIC_HELLO);
  ASSERT_GT(f.size(), 4096u);
  Image img;
  ASSERT_EQ(parseFile(f, &img), nullptr);
  EXPECT_EQ(img.bias, 0u);
  EXPECT_GE(img.segmentCount, 2);
  EXPECT_NE(img.phdr, 0u);
  EXPECT_EQ(img.phent, 56u);
  bool entryInText = false;
  for (int i = 0; i < img.segmentCount; ++i) {
    const Segment &s = img.segments[i];
    EXPECT_FALSE((s.flags & PfW) && (s.flags & PfX));
    if ((s.flags & PfX) && img.entry >= s.vaddr &&
        img.entry < s.vaddr + s.memsz)
      entryInText = true;
    EXPECT_LE(s.vaddr + s.memsz, img.end);
  }
  EXPECT_TRUE(entryInText);
  EXPECT_EQ(img.end % 4096, 0u);
}

TEST(Elf, RealStaticPie) {
  auto f = readFile(GTS_STATIC_PIE_HELLO);
  Image img;
  ASSERT_EQ(parseFile(f, &img), nullptr);
  EXPECT_EQ(img.bias, PieBase);
  EXPECT_GE(img.entry, PieBase);
  EXPECT_GE(img.phdr, PieBase);
  for (int i = 0; i < img.segmentCount; ++i)
    EXPECT_GE(img.segments[i].vaddr, PieBase);
}

TEST(Elf, SyntheticValid) {
  Synth s = valid();
  Image img;
  ASSERT_EQ(s.parse(&img), nullptr);
  EXPECT_EQ(img.segmentCount, 3);
  EXPECT_EQ(img.entry, 0x401000u);
  EXPECT_EQ(img.phdr, 0x400040u); // inside the first segment at offset 64
  EXPECT_EQ(img.end, 0x406000u);  // 0x402100 + 0x3000 rounded up
}

TEST(Elf, Rejections) {
  Image img;
  {
    Synth s = valid();
    s.bytes[1] = 'X';
    EXPECT_STREQ(s.parse(&img), "not an ELF file");
  }
  {
    Synth s = valid();
    s.set16(18, 3); // i386
    EXPECT_STREQ(s.parse(&img), "not an x86-64 program");
  }
  {
    Synth s = valid();
    s.set16(16, 1); // ET_REL
    EXPECT_STREQ(s.parse(&img), "not an executable (ET_EXEC or ET_DYN)");
  }
  {
    Synth s = valid();
    s.addPhdr(3, PfR, 0x200, 0x400200, 0x10, 0x10);
    EXPECT_STREQ(s.parse(&img),
                 "dynamically linked (PT_INTERP): only static programs run");
  }
  {
    Synth s;
    s.addPhdr(1, PfR | PfW | PfX, 0x1000, 0x401000, 0x100, 0x100);
    EXPECT_STREQ(s.parse(&img), "segment both writable and executable (W^X)");
  }
  {
    Synth s;
    s.addPhdr(1, PfR | PfX, 0x1000, 0x401000, 0x200, 0x100);
    EXPECT_STREQ(s.parse(&img), "segment file size exceeds its memory size");
  }
  {
    Synth s;
    s.addPhdr(1, PfR | PfX, 0x1000, 0x401000, 0x10000, 0x10000);
    EXPECT_STREQ(s.parse(&img), "segment extends past the end of the file");
  }
  {
    Synth s;
    s.addPhdr(1, PfR | PfX, 0x1010, 0x401000, 0x100, 0x100);
    EXPECT_STREQ(s.parse(&img),
                 "segment offset and address disagree modulo the page size");
  }
  {
    Synth s;
    s.addPhdr(1, PfR | PfX, 0x1000, 0xFFFFFFFF80001000ull, 0x100, 0x100);
    EXPECT_STREQ(s.parse(&img), "segment outside the user address space");
  }
  {
    Synth s;
    s.addPhdr(1, PfR, 0x1000, 0x401000, 0x100, 0x100); // entry not executable
    EXPECT_STREQ(s.parse(&img), "entry point not in an executable segment");
  }
  {
    Synth s;
    s.addPhdr(1, PfR | PfX, 0x1000, 0x401000, 0x100, 0x2000);
    s.addPhdr(1, PfR | PfW, 0x1000, 0x402000, 0x100, 0x100);
    EXPECT_STREQ(s.parse(&img), "segments overlap");
  }
  {
    Synth s = valid();
    EXPECT_STREQ(parse(s.bytes.data(), 40, s.bytes.size(), &img),
                 "file too small for an ELF header");
    s.set16(56, 200);
    EXPECT_STREQ(s.parse(&img), "bad program header table");
  }
  {
    Synth s;
    EXPECT_STREQ(s.parse(&img), "bad program header table"); // phnum 0
  }
}
