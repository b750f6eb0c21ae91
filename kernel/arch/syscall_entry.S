// syscall entry (LSTAR). The CPU left the user RIP in RCX and RFLAGS in
// R11 and cleared what SFMASK names (IF, DF, TF, AC, NT, IOPL, RF, the
// arithmetic flags; arch/syscall.cpp). swapgs gives us the per-CPU block
// (arch/syscall.h): +0 kernel stack top, +8 scratch for the user RSP.
// Builds a SyscallFrame (linux/syscall.h) and calls syscallDispatch.
        .text
        .globl syscallEntry
syscallEntry:
        swapgs
        movq %rsp, %gs:8
        movq %gs:0, %rsp
        pushq %gs:8                     // user rsp
        pushq %r11                      // user rflags
        pushq %rcx                      // user rip
        pushq %rax                      // number, then result
        pushq %rdi
        pushq %rsi
        pushq %rdx
        pushq %r10
        pushq %r8
        pushq %r9
        pushq %rbx
        pushq %rbp
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        xorl %ebp, %ebp                 // backtraces stop here
        movq %rsp, %rdi
        call syscallDispatch
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbp
        popq %rbx
        popq %r9
        popq %r8
        popq %r10
        popq %rdx
        popq %rsi
        popq %rdi
        popq %rax
        popq %rcx
        popq %r11
        // sysret takes RFLAGS from R11 almost as is (IOPL and NT included):
        // only the bits a program may choose, and IF (arch/protection.h).
        andl $0x240DD5, %r11d
        orl $0x202, %r11d
        popq %rsp                       // user stack; IF still masked
        swapgs
        sysretq

// enterUser(rip, rsp): first entry to ring 3 through iretq, with every
// general register cleared (the ABI wants RDX = 0: no atexit function).
        .globl enterUser
enterUser:
        pushq $0x23                     // user data | 3
        pushq %rsi
        pushq $0x202                    // IF
        pushq $0x2B                     // user code | 3
        pushq %rdi
        xorl %eax, %eax
        xorl %ebx, %ebx
        xorl %ecx, %ecx
        xorl %edx, %edx
        xorl %esi, %esi
        xorl %edi, %edi
        xorl %ebp, %ebp
        xorl %r8d, %r8d
        xorl %r9d, %r9d
        xorl %r10d, %r10d
        xorl %r11d, %r11d
        xorl %r12d, %r12d
        xorl %r13d, %r13d
        xorl %r14d, %r14d
        xorl %r15d, %r15d
        swapgs                          // user GS base (0) in place
        iretq
