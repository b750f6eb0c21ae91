#include "jit/DataImage.h"
#include "jit/Compiler.h"
#include "jit/Jit.h"
#include "jit/TierUnit.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

using namespace gts;
using namespace llvm;

namespace {

// Initializers of every kind the writer handles, each read back against the
// code generator's bytes for the same module.
const char *Globals = R"(
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"
%pair = type { i8, i64, i16 }
@ints = global { i8, i16, i32, i64, i128, i24 } { i8 -1, i16 513, i32 -7, i64 1099511627776, i128 18446744073709551621, i24 65537 }
@fps = constant { float, double, x86_fp80, half } { float 1.5, double -2.25, x86_fp80 0xK4000C000000000000000, half 0xH3C00 }
@padded = global [2 x %pair] [%pair { i8 1, i64 2, i16 3 }, %pair { i8 4, i64 5, i16 6 }]
@text = constant [6 x i8] c"hello\00"
@vec = global <4 x i32> <i32 1, i32 2, i32 3, i32 4>
@aligned = global i8 9, align 64
@empty = global {} zeroinitializer
@zeros = global [1000 x i64] zeroinitializer
@self = global ptr @self
@inner = global ptr getelementptr (i8, ptr @text, i64 3)
@fn = global ptr @leaf
@host = global ptr @puts
@mixed = global { ptr, i32, ptr } { ptr @counter, i32 42, ptr getelementptr ([2 x %pair], ptr @padded, i64 0, i64 1, i32 1) }
@counter = global i32 5
declare i32 @puts(ptr)
define i32 @leaf() {
  ret i32 0
}
)";

void *const LeafEntry = reinterpret_cast<void *>(0x1000);
void *const PutsAddress = reinterpret_cast<void *>(0x2000);

struct DataImageTest : ::testing::Test {
  LLVMContext Ctx;
  std::unique_ptr<Module> M;

  void parse(const char *Text) {
    SMDiagnostic Err;
    M = parseAssemblyString(Text, Err, Ctx);
    ASSERT_TRUE(M) << Err.getMessage().str();
  }
  static Expected<void *> resolve(const GlobalValue &GV) {
    if (GV.getName() == "leaf")
      return LeafEntry;
    if (GV.getName() == "puts")
      return PutsAddress;
    return createStringError(inconvertibleErrorCode(), "unknown");
  }
  Expected<DataImage> image() { return DataImage::write(*M, resolve); }
};

// The code generator's bytes for M's globals, linked with the same
// addresses for what they refer to; pointers into the data differ by where
// each copy lives, so they are compared as offsets.
TEST_F(DataImageTest, WritesWhatTheCodeGeneratorEmits) {
  parse(Globals);
  auto Image = image();
  ASSERT_TRUE(!!Image) << toString(Image.takeError());

  auto C = Compiler::create(CpuMode::Baseline, M->getDataLayout());
  ASSERT_TRUE(!!C) << toString(C.takeError());
  auto J = Jit::create(M->getDataLayout());
  ASSERT_TRUE(!!J) << toString(J.takeError());
  ASSERT_FALSE(
      !!(*J)->defineAbsolute({{"leaf", LeafEntry}, {"puts", PutsAddress}}));
  auto Obj = (*C)->compile(*buildDataUnit(*M), Tier::O0, "data");
  ASSERT_TRUE(!!Obj) << toString(Obj.takeError());
  ASSERT_FALSE(!!(*J)->addObject(std::move(*Obj)));

  const DataLayout &DL = M->getDataLayout();
  std::vector<std::pair<uintptr_t, uintptr_t>> Ranges[2];
  for (const GlobalVariable &G : M->globals()) {
    if (G.isDeclaration())
      continue;
    auto Compiled = (*J)->lookup(G.getName());
    ASSERT_TRUE(!!Compiled) << toString(Compiled.takeError());
    void *Written = Image->symbols().lookup(G.getName());
    ASSERT_NE(Written, nullptr) << G.getName().str();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(Written) %
                  DL.getPreferredAlign(&G).value(),
              0u)
        << G.getName().str();
    uint64_t Size = DL.getTypeAllocSize(G.getValueType());
    Ranges[0].push_back({uintptr_t(*Compiled), Size});
    Ranges[1].push_back({uintptr_t(Written), Size});
  }
  // A pointer-sized word that points into one copy's globals stands for the
  // same global and offset in the other.
  auto Rebase = [&](int Copy, uint64_t Word) -> uint64_t {
    for (size_t I = 0; I < Ranges[Copy].size(); ++I) {
      auto [Base, Size] = Ranges[Copy][I];
      if (Word >= Base && Word < Base + Size)
        return (uint64_t(I) << 48) | (Word - Base);
    }
    return Word;
  };
  size_t I = 0;
  for (const GlobalVariable &G : M->globals()) {
    if (G.isDeclaration())
      continue;
    auto [A, Size] = Ranges[0][I];
    uintptr_t B = Ranges[1][I++].first;
    for (uint64_t Off = 0; Off < Size; Off += 8) {
      uint64_t X = 0, Y = 0;
      size_t N = std::min<uint64_t>(8, Size - Off);
      memcpy(&X, reinterpret_cast<void *>(A + Off), N);
      memcpy(&Y, reinterpret_cast<void *>(B + Off), N);
      EXPECT_EQ(Rebase(0, X), Rebase(1, Y))
          << "@" << G.getName().str() << " at byte " << Off;
    }
  }
}

TEST_F(DataImageTest, ConstantsAreReadOnly) {
  parse(Globals);
  auto Image = image();
  ASSERT_TRUE(!!Image) << toString(Image.takeError());
  auto *Text = static_cast<char *>(Image->symbols().lookup("text"));
  auto *Counter = static_cast<int *>(Image->symbols().lookup("counter"));
  EXPECT_STREQ(Text, "hello");
  EXPECT_EQ(*Counter, 5);
  *Counter = 6; // writable
  EXPECT_DEATH(*static_cast<volatile char *>(Text) = 'H', "");
}

TEST_F(DataImageTest, ZeroedArraysTakeNoPagesUntilUsed) {
  parse(R"(
@big = global [4194304 x i64] zeroinitializer
)");
  auto Image = image();
  ASSERT_TRUE(!!Image) << toString(Image.takeError());
  void *Big = Image->symbols().lookup("big");
  long Page = sysconf(_SC_PAGESIZE);
  size_t Pages = (4194304 * 8) / Page;
  std::vector<unsigned char> Resident(Pages);
  ASSERT_EQ(mincore(Big, Pages * Page, Resident.data()), 0);
  size_t N = 0;
  for (unsigned char R : Resident)
    N += R & 1;
  EXPECT_EQ(N, 0u);
}

TEST_F(DataImageTest, LeavesTheRestToTheDataUnit) {
  const char *Refused[] = {
      "@t = thread_local global i32 1",
      "@v = global <8 x i1> zeroinitializer",
      "@a = global i8 0, align 8192",
      "@g = global i32 0\n@alias = alias i32, ptr @g",
      "@p = global ptr @unknown\ndeclare void @unknown()",
  };
  for (const char *Text : Refused) {
    parse(Text);
    auto Image = image();
    EXPECT_FALSE(!!Image) << Text;
    consumeError(Image.takeError());
  }
}

} // namespace
