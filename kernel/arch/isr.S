// Interrupt and exception entry stubs: push a uniform TrapFrame
// (arch/trap.h) and call trapDispatch. Vectors 0..47: exceptions and the
// remapped legacy PIC. No swapgs: trap code never touches GS.
        .text
.macro STUB n
isr\n:
  .if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
        pushq $\n                       // CPU pushed an error code
  .else
        pushq $0
        pushq $\n
  .endif
        jmp isr_common
.endm

.altmacro
.set i, 0
.rept 48
        STUB %i
        .set i, i + 1
.endr

isr_common:
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        cld
        // SMAP: an interrupt keeps the interrupted code's AC (ring 3 may set
        // it); the kernel starts without user access, iretq restores it.
        // popfq, not clac: kvm-pvm cannot emulate clac (arch/protection.cpp).
        pushfq
        andq $~0x40000, (%rsp)
        popfq
        movq %rsp, %rdi
        call trapDispatch
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
        iretq

.macro ADDR n
        .quad isr\n
.endm
        .section .rodata
        .globl isrTable
        .p2align 3
isrTable:
.set i, 0
.rept 48
        ADDR %i
        .set i, i + 1
.endr
