// Stage 1: the MBR. BIOS loads it at 0x7C00 with the boot drive in DL.
// It loads stage 2 (LBA 1..8, 4 KiB) right behind itself at 0x7E00 with an
// int 13h extended read and jumps there, DL still holding the drive.
// Bytes 446..509 stay zero: the image builder writes the partition table.
        .code16
        .section .text
        .globl _start
_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw $0x7C00, %sp
        ljmp $0, $1f            // some BIOSes enter at 07C0:0000
1:      sti
        movw $dap, %si
        movb $0x42, %ah
        int $0x13
        jc fail
        ljmp $0, $0x7E00
fail:   movw $msg, %si
2:      lodsb
        testb %al, %al
        jz 3f
        movb $0x0E, %ah
        int $0x10
        jmp 2b
3:      hlt
        jmp 3b

msg:    .asciz "gts: stage 2 read failed"
        .p2align 2
dap:    .byte 16, 0
        .word 8                 // sectors: stage 2 is 4 KiB
        .word 0x7E00, 0         // offset, segment
        .quad 1                 // LBA

        .org 510
        .byte 0x55, 0xAA
