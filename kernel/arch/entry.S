// Kernel entry from stage 2: long mode, RDI = physical BootInfo address,
// first GiB mapped both at 0 and at -2 GiB. Clears BSS, switches to the
// boot stack and calls kernelMain (init/main.cpp).
        .section .text.boot, "ax"
        .globl _start
_start:
        cli
        cld
        movq %rdi, %r12
        leaq __bss_start(%rip), %rdi
        leaq __bss_end(%rip), %rcx
        subq %rdi, %rcx
        xorl %eax, %eax
        rep stosb
        leaq boot_stack_top(%rip), %rsp
        xorl %ebp, %ebp                 // ends backtraces
        movq %r12, %rdi
        call kernelMain
1:      hlt
        jmp 1b

        .section .bss
        .p2align 12
        .globl boot_stack_top
boot_stack:
        .skip 65536
boot_stack_top:
