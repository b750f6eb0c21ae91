#include "Harness.h"
#include <gtest/gtest.h>

using namespace gts;
using namespace llvm;

TEST(Interp, Placeholder) { EXPECT_TRUE(true); }
