// switchStacks(save, next): saves the callee-saved registers on the current
// kernel stack, stores RSP in *save, loads `next` and returns on that
// stack (to wherever its thread last called switchStacks, or to
// threadStart for a new thread).
        .text
        .globl switchStacks
switchStacks:
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret

// First run of a new thread: a TrapFrame (arch/trap.h) sits on its stack;
// GS goes back to the user's value and iretq enters ring 3.
        .globl threadStart
threadStart:
        swapgs
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp
        // iretq with NT set would be a task return (#GP): whatever flags
        // the kernel ran with, return with none but the reserved bit.
        pushq $2
        popfq
        iretq
