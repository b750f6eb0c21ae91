// LLD's ELF driver registers every LLVM target for LTO. gts only links ELF
// objects it generated itself, never bitcode, so it carries the x86 backend
// alone: the other targets' registration functions do nothing here. Linking
// all 20 backends would add tens of MB to gts for code that never runs.

// Targets with an assembly parser, then the two without one.
#define GTS_OTHER_TARGETS(X)                                                   \
  X(AArch64)                                                                   \
  X(AMDGPU) X(ARM) X(AVR) X(BPF) X(Hexagon) X(Lanai) X(LoongArch) X(M68k)      \
      X(MSP430) X(Mips) X(PowerPC) X(RISCV) X(Sparc) X(SystemZ) X(VE)          \
          X(WebAssembly) X(Xtensa)
#define GTS_TARGETS_WITHOUT_ASMPARSER(X) X(NVPTX) X(XCore)

#define GTS_NO_ASMPARSER(T)                                                    \
  void LLVMInitialize##T##TargetInfo(void) {}                                  \
  void LLVMInitialize##T##Target(void) {}                                      \
  void LLVMInitialize##T##TargetMC(void) {}                                    \
  void LLVMInitialize##T##AsmPrinter(void) {}
#define GTS_WITH_ASMPARSER(T)                                                  \
  GTS_NO_ASMPARSER(T)                                                          \
  void LLVMInitialize##T##AsmParser(void) {}

// clang-format off
GTS_OTHER_TARGETS(GTS_WITH_ASMPARSER)
GTS_TARGETS_WITHOUT_ASMPARSER(GTS_NO_ASMPARSER)
// clang-format on
