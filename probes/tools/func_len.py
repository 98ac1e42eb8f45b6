#!/usr/bin/python3
"""C functions longer than a bound (house rule: <= 100 lines).

  probes/tools/func_len.py [--max N] FILE.c...

A function is counted from the first line of its signature to its closing
brace, comments and literals aside: probes/ is kernel-style C, where a
definition starts at column 0 and its body's braces stand alone at column 0. Prints
"file:line: name: N lines" for each one over the bound; exit 1 if any."""

import re
import sys

_SKIP = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
def blank(text):
    """text with comments and literals blanked (newlines kept)."""
    return _SKIP.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def functions(text):
    """(name, first line, line count) of every function definition: a
    signature starting at column 0, its body from a "{" line to a "}" line,
    both at column 0 (kernel style, which probes/ follows)."""
    lines = blank(text).split("\n")
    out = []
    for k, line in enumerate(lines):
        if line.rstrip() != "{":
            continue
        start = k - 1
        while start > 0 and not lines[start][:1].strip():	# continued signature lines are indented
            start -= 1
        # a return type on a line of its own
        while start > 0 and lines[start - 1].strip() and not lines[start - 1].startswith("#") and \
                not lines[start - 1].rstrip().endswith((";", "}", "{", ")")):
            start -= 1
        sig = " ".join(x.strip() for x in lines[start:k])
        m = re.search(r"(\w+)\s*\(", sig)
        if not m or sig.rstrip().endswith((";", "=")):
            continue
        end = next((e for e in range(k + 1, len(lines)) if lines[e].rstrip() == "}"), len(lines) - 1)
        out.append((m.group(1), start + 1, end - start + 1))
    return out


def main(argv):
    bound = 100
    if argv[:1] == ["--max"]:
        bound, argv = int(argv[1]), argv[2:]
    bad = 0
    for path in argv:
        with open(path) as f:
            for name, line, n in functions(f.read()):
                if n > bound:
                    print("%s:%d: %s: %d lines" % (path, line, name, n))
                    bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
