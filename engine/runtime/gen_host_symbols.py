#!/usr/bin/env python3
"""gen_host_symbols.py LIST OUT.c: the engine's host symbol table.

LIST (libc.txt) names headers and the functions and variables each
declares; OUT.c includes every header and lists {"name", &name} for every
name (macros of that name undefined), so the C compiler checks that a
symbol of each name exists.
"""
import sys


def parse(path):
    headers, names, seen = [], [], set()
    for lineno, line in enumerate(open(path), 1):
        words = line.split("#", 1)[0].split()
        if words and (words[0].startswith("<") or words[0].startswith('"')):
            headers.append(words.pop(0))
        for w in words:
            if not headers:
                sys.exit(f"{path}:{lineno}: {w} before any header")
            if w in seen:
                sys.exit(f"{path}:{lineno}: {w} listed twice")
            seen.add(w)
            names.append(w)
    return headers, names


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_host_symbols.py LIST OUT.c")
    headers, names = parse(sys.argv[1])
    out = [f"// Generated from {sys.argv[1]} by gen_host_symbols.py.",
           "// In C: C has no overloads, so &sqrt names exactly the C",
           "// library function.",
           "#define _GNU_SOURCE"]
    out += [f"#include {h}" for h in headers]
    # A header may define a name as a macro for another symbol (libgen.h:
    # basename is __xpg_basename): the table maps each name to the symbol
    # of exactly that name.
    out += [f"#undef {n}" for n in names]
    out += ['#include "HostSymbolsTable.h"',
            "",
            "const struct GtsHostSymbol gtsHostSymbolTable[] = {"]
    out += [f'    {{"{n}", (void *)&{n}}},' for n in names]
    out += ["};",
            f"const unsigned gtsHostSymbolCount = {len(names)};",
            ""]
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out))


main()
