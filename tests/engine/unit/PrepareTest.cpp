#include "ir/Prepare.h"
#include "jit/TierUnit.h"

#include "llvm/IR/Verifier.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <regex>

using namespace gts;
using namespace llvm;

namespace {

// A static helper only direct calls reach, a static function whose address
// escapes, a loop the interpreter's preparation outlines (the x86-64 triple
// and data layout are filled in when loaded).
const char *App = R"(
@fp = global ptr @escapes
define internal i32 @helper(i32 %x) {
  %y = add i32 %x, 1
  ret i32 %y
}
define internal i32 @escapes() {
  ret i32 7
}
define i32 @main() {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %n, %loop ]
  %n = call i32 @helper(i32 %i)
  %c = icmp slt i32 %n, 10
  br i1 %c, label %loop, label %done
done:
  ret i32 %n
}
)";

PreparedModule prepared() {
  auto P = loadAndPrepare(MemoryBufferRef(App, "app.ll"),
                          /*ForInterpreter=*/true);
  EXPECT_TRUE(bool(P)) << toString(P.takeError());
  return std::move(*P);
}

// M's IR, without the ModuleID line and the "; preds = ..." comments: the
// kept bitcode leaves out the use lists' order, which orders predecessors
// (every copy code is compiled from is read from the same bytes).
std::string text(const Module &M) {
  std::string S;
  raw_string_ostream OS(S);
  M.print(OS, nullptr);
  return std::regex_replace(S.substr(S.find('\n')),
                            std::regex(" +; preds = [^\n]*"), "");
}

std::vector<uint32_t> privateIds(const PreparedModule &P) {
  std::vector<uint32_t> Ids;
  for (size_t I = 0; I < P.PrivateToCallers.size(); ++I)
    if (P.PrivateToCallers[I])
      Ids.push_back(static_cast<uint32_t>(I));
  return Ids;
}

} // namespace

// A warm boot's module: the same functions under the same ids, bodies read
// only when materialized, and a compiler's copy that needs no preparing.
TEST(LoadPrepared, SameFunctionsBodiesReadOnDemand) {
  PreparedModule Cold = prepared();
  keepBitcode(Cold);
  std::string Bitcode = Cold.Bitcode->getBuffer().str();

  auto Warm = loadPrepared(MemoryBuffer::getMemBufferCopy(Bitcode, "kept"),
                           privateIds(Cold));
  ASSERT_TRUE(bool(Warm)) << toString(Warm.takeError());
  ASSERT_EQ(Warm->Functions.size(), Cold.Functions.size());
  for (size_t I = 0; I < Cold.Functions.size(); ++I) {
    EXPECT_EQ(Warm->Functions[I]->getName(), Cold.Functions[I]->getName());
    EXPECT_TRUE(Warm->Functions[I]->isMaterializable());
  }
  EXPECT_EQ(Warm->PrivateToCallers, Cold.PrivateToCallers);
  EXPECT_TRUE(
      Warm->PrivateToCallers[Cold.idOf(*Cold.M->getFunction("helper"))]);
  EXPECT_FALSE(
      Warm->PrivateToCallers[Cold.idOf(*Cold.M->getFunction("escapes"))]);

  Function *Main = Warm->M->getFunction("main");
  ASSERT_FALSE(bool(Main->materialize()));
  EXPECT_FALSE(Main->empty());
  EXPECT_TRUE(Warm->M->getFunction("helper")->isMaterializable());

  // The compiler's copy: the same module once its bodies are read.
  LLVMContext Other;
  auto Copy = prepareCopy(*Warm, Other);
  ASSERT_TRUE(bool(Copy)) << toString(Copy.takeError());
  EXPECT_TRUE((*Copy)->getFunction("helper")->isMaterializable());
  ASSERT_FALSE(bool((*Copy)->materializeAll()));
  EXPECT_EQ(text(**Copy), text(*Cold.M));
}

TEST(LoadPrepared, RefusesDamage) {
  PreparedModule Cold = prepared();
  std::string Bitcode = preparedBitcode(*Cold.M);
  auto Bad =
      loadPrepared(MemoryBuffer::getMemBufferCopy("BC\xc0\xde", "kept"), {});
  EXPECT_FALSE(bool(Bad));
  consumeError(Bad.takeError());
  auto OutOfRange =
      loadPrepared(MemoryBuffer::getMemBufferCopy(Bitcode, "k"), {99});
  ASSERT_FALSE(bool(OutOfRange));
  EXPECT_NE(toString(OutOfRange.takeError()).find("no function of id 99"),
            std::string::npos);
}

// A unit reads what it copies: its targets, and above O0 what they call.
TEST(LoadPrepared, UnitsReadTheBodiesTheyCopy) {
  PreparedModule Cold = prepared();
  keepBitcode(Cold);
  for (Tier Level : {Tier::O0, Tier::O3}) {
    LLVMContext Ctx;
    auto Copy = prepareCopy(Cold, Ctx);
    ASSERT_TRUE(bool(Copy)) << toString(Copy.takeError());
    std::vector<Function *> Fns;
    for (Function &F : **Copy)
      if (!F.isDeclaration())
        Fns.push_back(&F);
    int Loop = Cold.idOf(*Cold.M->getFunction("main.loop"));
    ASSERT_FALSE(bool(readBodies(Fns, {{Loop}, Level, 1, {}})));
    auto Read = [&](StringRef Name) {
      return !(*Copy)->getFunction(Name)->isMaterializable();
    };
    EXPECT_TRUE(Read("main.loop"));
    // A direct callee: inlined if it is a trivial leaf, even at O0.
    EXPECT_TRUE(Read("helper"));
    EXPECT_FALSE(Read("escapes"));
    EXPECT_FALSE(Read("main"));
    UnitModule U = buildTierUnit(**Copy, Fns, {{Loop}, Level, 1, {}});
    EXPECT_FALSE(verifyModule(*U.M, &errs()));
  }
}
