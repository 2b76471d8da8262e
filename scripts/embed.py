#!/usr/bin/env python3
"""Writes the text files of a folder into a Swift source file, so the
binary carries them and works when copied anywhere.

    python3 scripts/embed.py NAME DIR EXT OUT.swift          # write OUT.swift
    python3 scripts/embed.py --check NAME DIR EXT OUT.swift  # exit 1 if OUT.swift is stale

The Swift file declares `enum NAME { static let files: [String: String] }`,
mapping each file's name (with its extension) to its text. `make embed`
runs this for every embedded folder; `make test` runs it with --check.
"""
import os
import sys


def literal(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def render(name: str, folder: str, ext: str) -> str:
    files = sorted(f for f in os.listdir(folder) if f.endswith(ext))
    lines = [
        f"// Written by scripts/embed.py from {folder}/*{ext}: do not edit by hand;",
        "// `make embed` writes it again after the files change.",
        f"enum {name} {{",
        "    static let files: [String: String] = [",
    ]
    for f in files:
        with open(os.path.join(folder, f), encoding="utf-8", newline="") as fh:
            lines.append(f"        {literal(f)}: {literal(fh.read())},")
    lines += ["    ]", "}", ""]
    return "\n".join(lines)


def main(argv):
    check = argv[:1] == ["--check"]
    if check:
        argv = argv[1:]
    if len(argv) != 4:
        sys.exit(__doc__)
    name, folder, ext, out = argv
    text = render(name, folder, ext)
    old = open(out, encoding="utf-8").read() if os.path.exists(out) else None
    if check:
        if old != text:
            sys.exit(f"{out}: error: out of date with {folder}/*{ext}; run `make embed`")
        return
    if old != text:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
