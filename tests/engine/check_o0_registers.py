#!/usr/bin/env python3
"""check_o0_registers.py GTS APP.bc NATIVE: APP's loops, compiled at O0
(--tier=O0 --dump-objects), keep their values in registers: no instruction
between a loop's header and its back-edge reads or writes the stack frame.
The fast register allocator of LLVM's O0 code generator spilled them at
every iteration (TinyLlama's O0 code ran at a quarter of its O3 speed); the
engine runs mem2reg and the greedy allocator at O0. The run's output and
exit status must equal the native build's."""
import re
import shutil
import subprocess
import sys
import tempfile

INSN = re.compile(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$")
JUMP = re.compile(r"^j\w*$")
TARGET = re.compile(r"^0x([0-9a-f]+)\b")
FRAME = re.compile(r"\(%r[sb]p")


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def functions(asm):
    """Instructions (address, mnemonic, operands) per function."""
    funcs, current = {}, None
    for line in asm.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            current = funcs.setdefault(m.group(1), [])
        elif current is not None and (i := INSN.match(line)):
            current.append((int(i.group(1), 16), i.group(2), i.group(3)))
    return funcs


def loops(insns):
    """Each backward jump's body: the instructions from target to jump."""
    for addr, op, args in insns:
        t = TARGET.match(args)
        start = int(t.group(1), 16) if t and JUMP.match(op) else None
        if start is not None and start <= addr:
            yield [i for i in insns if start <= i[0] <= addr]


def main():
    gts, bc, native = sys.argv[1:4]
    if not shutil.which("llvm-objdump-19"):
        fail("prerequisite missing: llvm-objdump-19")
    want = subprocess.run([native], capture_output=True, text=True)
    with tempfile.TemporaryDirectory() as dump:
        r = subprocess.run([gts, "run", "--tier=O0", "--dump-objects=" + dump,
                            bc], capture_output=True, text=True, timeout=300)
        if (r.returncode, r.stdout) != (want.returncode, want.stdout):
            fail(f"exit {r.returncode}, output {r.stdout!r}; native: exit "
                 f"{want.returncode}, output {want.stdout!r}\n{r.stderr}")
        asm = subprocess.run(["llvm-objdump-19", "-d", "--no-show-raw-insn",
                              dump + "/unit0.o"], capture_output=True,
                             text=True, check=True).stdout
    count = 0
    for name, insns in functions(asm).items():
        for body in loops(insns):
            count += 1
            frame = [f"{a:x}: {op} {args}" for a, op, args in body
                     if FRAME.search(args)]
            if frame:
                fail(f"a loop of {name} uses the stack frame:\n  " +
                     "\n  ".join(frame))
    if count < 3:
        fail(f"{count} loops found in the O0 code, want at least 3")
    print(f"ok: {count} loops at O0, none touches the stack frame")


main()
