#!/usr/bin/env python3
"""Markdown to man(7) roff, for the subset our docs use: headings, paragraphs, bullet and
numbered lists, pipe tables, fenced code, `code`, **bold**, *italic*, [links](...).

    md2man.py SOURCE.md OUTPUT --name NAME --section N [--title TEXT] [--date YYYY-MM-DD]
              [--version V]

A source that starts with "# NAME" is a man page already laid out in sections (docs/man/).
Any other document (docs/configuration.md) becomes the DESCRIPTION of a page whose NAME
line is --title; its "# Title" line is dropped and its "##" headings become sections. A
table row becomes a tagged paragraph: the first cell as the tag, then "Header: cell" for
the others, so `man` shows every key of a reference table without tbl(1).
"""
import argparse
import re
import sys


def esc(text):
    """Escapes roff specials in running text."""
    text = text.replace("\\", "\\e")
    text = text.replace("-", "\\-")
    return text


def inline(text):
    """Markdown inline markup to roff fonts; escapes the rest."""
    out = []
    pos = 0
    pattern = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|(?<![\w*])\*([^*\s][^*]*)\*(?!\w)|\[([^\]]+)\]\(([^)]+)\)")
    for m in pattern.finditer(text):
        out.append(esc(text[pos:m.start()]))
        if m.group(1) is not None:
            out.append("\\fB" + esc(m.group(1)) + "\\fR")
        elif m.group(2) is not None:
            out.append("\\fB" + inline_plain(m.group(2)) + "\\fR")
        elif m.group(3) is not None:
            out.append("\\fI" + inline_plain(m.group(3)) + "\\fR")
        else:
            label, target = m.group(4), m.group(5)
            out.append(inline(label))
            if target.startswith("http"):
                out.append(" <" + esc(target) + ">")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def inline_plain(text):
    return esc(text.replace("`", ""))


def line_safe(s):
    """A roff text line must not start with a control character."""
    return "\\&" + s if s[:1] in (".", "'") else s


def split_row(line):
    """The cells of a pipe-table row. A pipe inside a code span or escaped (GFM's \\|) is
    text, not a boundary; escaped pipes come back as plain |."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells, cur, in_code, i = [], "", False, 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and line[i + 1] == "|":
            cur += "|"
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    cells.append(cur.strip())
    return cells


def convert(lines, laid_out):
    out = []
    para = []
    i = 0

    def flush():
        if para:
            out.append(".PP")
            out.append(line_safe(inline(" ".join(s.strip() for s in para))))
            para.clear()

    while i < len(lines):
        line = lines[i].rstrip("\n")
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            out.append(".PP")
            out.append(".nf")
            out.append(".RS 4")
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                out.append(line_safe(esc(lines[i].rstrip("\n"))))
                i += 1
            out.append(".RE")
            out.append(".fi")
            i += 1
            continue
        m = re.match(r"^(#{1,4})\s+(.*)$", line)
        if m:
            flush()
            level, title = len(m.group(1)), m.group(2).strip()
            # Section names are upper case, as man pages have them, unless they are code
            # (a configuration table such as `[dpdk]` keeps its spelling).
            name = inline_plain(title)
            name = name if "`" in title else name.upper()
            if laid_out:
                out.append(('.SH "%s"' if level == 1 else '.SS "%s"') % name)
            elif level == 2:
                out.append('.SH "%s"' % name)
            elif level > 2:
                out.append('.SS "%s"' % inline_plain(title))
            # level 1 of a document that is not a man page: its title, which NAME says
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1]):
            flush()
            header = split_row(stripped)
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = split_row(lines[i])
                if len(cells) != len(header):
                    sys.exit("md2man: line %d has %d cells, its table's header %d: %s"
                             % (i + 1, len(cells), len(header), lines[i].strip()[:80]))
                out.append(".TP")
                out.append(line_safe(inline(cells[0]) if cells else ""))
                body = []
                for h, c in zip(header[1:], cells[1:]):
                    body.append(line_safe((inline(h) + ": " if h else "") + inline(c)))
                out.append("\n.br\n".join(body) if body else "")
                i += 1
            continue
        m = re.match(r"^(\s*)([-*]|\d+\.)\s+(.*)$", line)
        if m:
            flush()
            indent = len(m.group(1))
            marker = "\\(bu" if m.group(2) in "-*" else m.group(2)
            item = [m.group(3)]
            i += 1
            while i < len(lines):
                nxt = lines[i].rstrip("\n")
                if not nxt.strip() or re.match(r"^\s*([-*]|\d+\.)\s+", nxt) or nxt.strip().startswith(("```", "|", "#")):
                    break
                item.append(nxt.strip())
                i += 1
            if indent:
                out.append(".RS 4")
            out.append(".IP %s 4" % marker)
            out.append(line_safe(inline(" ".join(item))))
            if indent:
                out.append(".RE")
            continue
        if not stripped:
            flush()
            i += 1
            continue
        para.append(line)
        i += 1
    flush()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("output")
    ap.add_argument("--name", required=True)
    ap.add_argument("--section", required=True)
    ap.add_argument("--title", help="the NAME line's description, for a document not laid out as a man page")
    ap.add_argument("--date", default="")
    ap.add_argument("--version", default="")
    a = ap.parse_args()
    with open(a.source, encoding="utf-8") as f:
        lines = f.readlines()
    laid_out = bool(lines) and lines[0].strip() == "# NAME"
    if not laid_out and not a.title:
        sys.exit("md2man: %s is not laid out as a man page (# NAME first): give --title" % a.source)
    out = ['.\\" Generated by packaging/md2man.py from %s; edit that file instead.' % a.source.split("/")[-1],
           '.TH "%s" "%s" "%s" "edgelease %s" "edgelease"' % (a.name.upper(), a.section, a.date, a.version)]
    if not laid_out:
        out.append(".SH NAME")
        out.append("%s \\- %s" % (esc(a.name), esc(a.title)))
        out.append(".SH DESCRIPTION")
    body = convert(lines, laid_out)
    out.extend(body)
    with open(a.output, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
