// Stage 2, loaded by stage 1 at 0x7E00 (real mode, DL = boot drive).
// A20 on, E820 map to BootInfo at 0x5000, kernel (flat binary) read with
// int 13h AH=42h in 32 KiB chunks into 0x10000 and copied to 1 MiB through
// unreal mode, then 4-level paging (first GiB identity-mapped and mirrored
// at -2 GiB) and a direct jump from real mode to long mode. The kernel gets
// RDI = physical address of BootInfo (see boot_info.h).
// On failure: message on COM1, exit status 125 through isa-debug-exit.
        .code16
        .section .text
        .globl _start
_start:
        jmp real_start
        .org 4
        .ascii "GTS2"
        // Patched by the image builder (docs/IMAGE.md).
kernel_lba:     .long 0         // absolute LBA of /KERNEL.BIN
kernel_sectors: .long 0         // contiguous sectors

        .equ BOOTINFO, 0x5000
        .equ E820_BUF, BOOTINFO + 16
        .equ E820_MAX, 128
        .equ CHUNK, 64          // sectors per int 13h read
        .equ BOUNCE_SEG, 0x1000 // 0x10000
        .equ KERNEL_PHYS, 0x100000

real_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw $0x7C00, %sp
        sti
        movb %dl, boot_drive
        movw $msg_hello, %si
        call puts

        // A20: BIOS call, then the fast gate (both harmless if already on).
        movw $0x2401, %ax
        int $0x15
        inb $0x92, %al
        orb $2, %al
        andb $0xFE, %al
        outb %al, $0x92

        // E820 memory map.
        movl $0x42535447, BOOTINFO      // "GTSB"
        xorl %ebx, %ebx
        movw $E820_BUF, %di
        xorw %bp, %bp
e820_next:
        movl $1, %es:20(%di)            // ACPI attrs for 20-byte answers
        movl $0xE820, %eax
        movl $24, %ecx
        movl $0x534D4150, %edx
        int $0x15
        jc e820_done
        cmpl $0x534D4150, %eax
        jne e820_done
        incw %bp
        addw $24, %di
        cmpw $E820_MAX, %bp
        jae e820_done
        testl %ebx, %ebx
        jnz e820_next
e820_done:
        movw %bp, BOOTINFO + 4
        movzbl boot_drive, %eax
        movl %eax, BOOTINFO + 8
        testw %bp, %bp
        movw $msg_e820, %si
        jz fail

        // Kernel: read CHUNK sectors at a time, copy each chunk to 1 MiB+.
        movl kernel_sectors, %eax
        testl %eax, %eax
        movw $msg_nokernel, %si
        jz fail
        movl %eax, remaining
        movl kernel_lba, %eax
        movl %eax, dap_lba
load_next:
        movl remaining, %ecx
        cmpl $CHUNK, %ecx
        jbe 1f
        movl $CHUNK, %ecx
1:      movw %cx, dap_count
        movw $dap, %si
        movb boot_drive, %dl
        movb $0x42, %ah
        int $0x13
        movw $msg_read, %si
        jc fail
        call unreal
        movzwl dap_count, %ecx
        shll $7, %ecx                   // dwords
        movl $(BOUNCE_SEG << 4), %esi
        movl dest, %edi
2:      movl (%esi), %eax
        movl %eax, (%edi)
        addl $4, %esi
        addl $4, %edi
        decl %ecx
        jnz 2b
        movl %edi, dest
        movzwl dap_count, %ecx
        addl %ecx, dap_lba
        subl %ecx, remaining
        jnz load_next

        // Page tables at 0x1000..0x4FFF: PML4, PDPT (low), PDPT (high), PD.
        cld
        xorl %eax, %eax
        movw $0x1000, %di
        movw $4096, %cx
        rep stosl
        movl $0x2003, 0x1000            // PML4[0]   -> identity PDPT
        movl $0x3003, 0x1000 + 511 * 8  // PML4[511] -> high PDPT
        movl $0x4003, 0x2000            // PDPT[0]   -> PD
        movl $0x4003, 0x3000 + 510 * 8  // PDPT[510] (-2 GiB) -> same PD
        movw $0x4000, %di
        movl $0x83, %eax                // present, writable, 2 MiB
        movw $512, %cx
3:      movl %eax, (%di)
        addl $0x200000, %eax
        addw $8, %di
        loop 3b

        // Straight from real mode to long mode: PAE, CR3, EFER.LME|NXE,
        // then PE and PG together.
        cli
        lgdtl gdt_desc
        movl $0x20, %eax
        movl %eax, %cr4
        movl $0x1000, %eax
        movl %eax, %cr3
        movl $0xC0000080, %ecx
        rdmsr
        orl $0x900, %eax
        wrmsr
        movl %cr0, %eax
        orl $0x80000001, %eax
        movl %eax, %cr0
        ljmpl $0x08, $long_mode

// Reloads DS/ES with 4 GiB limits (BIOS calls may reset them).
unreal:
        cli
        pushw %ds
        pushw %es
        lgdtl gdt_desc
        movl %cr0, %eax
        orb $1, %al
        movl %eax, %cr0
        jmp 1f
1:      movw $0x10, %bx
        movw %bx, %ds
        movw %bx, %es
        andb $0xFE, %al
        movl %eax, %cr0
        jmp 2f
2:      popw %es
        popw %ds
        sti
        ret

// SI = NUL-terminated message, printed on COM1.
puts:
        movw $0x3F8, %dx
1:      lodsb
        testb %al, %al
        jz 2f
        outb %al, %dx
        jmp 1b
2:      ret

// SI = message. Prints it and exits QEMU with status 125.
fail:
        call puts
        movb $125, %al
        outb %al, $0xF4
3:      hlt
        jmp 3b

        .code64
long_mode:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw %ax, %fs
        movw %ax, %gs
        movl $0x7C00, %esp
        movl $BOOTINFO, %edi
        movabsq $0xFFFFFFFF80100000, %rax
        jmp *%rax

        .p2align 3
gdt:    .quad 0
        .quad 0x00AF9A000000FFFF        // 0x08: 64-bit code
        .quad 0x00CF92000000FFFF        // 0x10: 4 GiB data
gdt_desc:
        .word gdt_desc - gdt - 1
        .long gdt
dap:    .byte 16, 0
dap_count:
        .word 0
        .word 0, BOUNCE_SEG
dap_lba:
        .quad 0
remaining:      .long 0
dest:           .long KERNEL_PHYS
boot_drive:     .byte 0
msg_hello:      .asciz "gts: stage 2\n"
msg_e820:       .asciz "stage2: no E820 map\n"
msg_nokernel:   .asciz "stage2: kernel location not patched\n"
msg_read:       .asciz "stage2: disk read failed\n"
        .org 4096
