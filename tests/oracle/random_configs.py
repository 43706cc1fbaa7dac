#!/usr/bin/env python3
"""Writes N pseudo-random xl.cfg-like files (half token soup, half mutated
statements) for the differential test against libxlutil.
usage: random_configs.py SEED N OUTDIR"""
import os
import random
import sys

PIECES = ["x", "y", "ab.c", "k_1", "X", "_a", "=", "+=", "+", "-", "[", "]", ",", ";", "\n", " ",
          "\t", "#c\n", "# z", "\r", "1", "0x1f", "0x1F", "08", "12abc", "'a'", '"b"', "'a\\101b'",
          "'\\x41'", "'\\q'", "'\\1 5'", "'it''s'", "'", '"', "'\\n'", "\\", "'\\'", "1.5", "'a\rb'",
          "99999999999999999999", "'\\1'", "'\\12'", "'\\1+5'", "'\\1\\t5'", "'\\7\v5'", "'\\0  '"]
ATOMS = ["1", "0x10", "08", "'a'", '"b"', "''", "'\\101'", "'\\n'", "2", "'0x1'", "'-3'", "1e5"]


def value(r, depth):
    if r.random() < 0.3 and depth < 4:
        items = [value(r, depth + 1) + r.choice(["", "\n", " # c\n"]) for _ in range(r.randint(0, 3))]
        return ("[" + r.choice(["", "\n"]) + ",".join(items) + r.choice(["", ",", ",\n"]) + "]")
    return r.choice(ATOMS)


def statement(r):
    return (r.choice(["x", "y", "ab.c", "k_1"]) + r.choice(["", " "]) + r.choice(["=", "=", "+="]) +
            r.choice(["", " "]) + value(r, 0) + r.choice(["\n", "\n", ";", "; ", " #c\n"]))


def main():
    seed, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    r = random.Random(seed)
    for i in range(n):
        if r.random() < 0.5:
            s = "".join(r.choice(PIECES) for _ in range(r.randint(0, 12)))
        else:
            s = "".join(statement(r) for _ in range(r.randint(0, 5)))
            for _ in range(r.randint(0, 2)):
                p = r.randint(0, len(s))
                s = s[:p] + r.choice(PIECES) + s[p:]
            if r.random() < 0.3 and s.endswith("\n"):
                s = s[:-1]
        with open(os.path.join(out, "random-%05d.cfg" % i), "w", newline="") as f:
            f.write(s)


main()
