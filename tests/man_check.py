#!/usr/bin/env python3
"""tests/man_check.py: the manual pages are valid roff and match --help.

For every page in docs/man: groff (or mandoc) lints it without a warning;
every option that the program's --help lists has an item (.TP) in the
page, and every option the page documents as an item (.TP) is still in --help, so
that pages and programs cannot drift apart. asbuilt(1) must name every
command of `asbuilt --help`, and every command must have its page.

Usage: man_check.py MANDIR asbuilt=PATH [absim=PATH] [abgen=PATH]
Exit 77 (skipped) when neither groff nor mandoc is installed.
"""
import os
import re
import shutil
import subprocess
import sys


def lint(page):
    """Warnings of the roff linter on page, or None when there is no linter."""
    if shutil.which("groff"):
        p = subprocess.run(["groff", "-man", "-ww", "-z", page], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        out = p.stderr.decode(errors="replace").strip()
        if p.returncode != 0 and not out:
            out = "groff exited with status %d" % p.returncode
        return out
    if shutil.which("mandoc"):
        p = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", page],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.stdout.decode(errors="replace").strip()
    return None


def help_text(argv):
    p = subprocess.run(argv + ["--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("%s --help: exit %d" % (" ".join(argv), p.returncode))
    return p.stdout.decode()


OPT = r"--?[A-Za-z][A-Za-z0-9-]*"


def help_options(text):
    """The options --help lists: those that start an item line (indent 1 to 4)."""
    opts = set()
    for line in text.splitlines():
        m = re.match(r"^ {1,4}(%s(?:, %s)*)" % (OPT, OPT), line)
        if m:
            opts.update(o.strip() for o in m.group(1).split(","))
    return opts


def plain(source):
    """The page source with roff's escaped minus turned into '-', font escapes removed."""
    s = source.replace("\\-", "-")
    return re.sub(r"\\f[BIRP]|\\f\(..|\\fB", "", s)


def page_items(source):
    """Options the page documents as .TP items."""
    lines = source.splitlines()
    opts = set()
    for i, line in enumerate(lines[:-1]):
        if line.strip() != ".TP":
            continue
        item = plain(lines[i + 1])
        if not re.match(r"^\.(B|BI|BR|I|IR|IB)?\s*\"?-", item) and not item.startswith("-"):
            continue
        for o in re.findall(r"(?<![\w-])(%s)" % OPT, item):
            opts.add(o)
    return opts


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    mandir = sys.argv[1]
    progs = dict(a.split("=", 1) for a in sys.argv[2:])
    if "asbuilt" not in progs:
        print("man_check.py: asbuilt=PATH is required", file=sys.stderr)
        return 2
    pages = sorted(f for f in os.listdir(mandir) if re.match(r"^[a-z-]+\.1$", f))
    if lint(os.path.join(mandir, pages[0])) is None:
        print("SKIP: neither groff nor mandoc is installed")
        return 77
    fails = 0

    def fail(msg):
        nonlocal fails
        fails += 1
        print("FAIL " + msg)

    rel = lambda f: os.path.join("docs/man", f)
    # Lint every page, and check its header names it.
    for f in pages:
        path = os.path.join(mandir, f)
        warnings = lint(path)
        if warnings:
            fail("%s: the roff linter warns:\n%s" % (rel(f), warnings))
        with open(path, encoding="utf-8") as fh:
            src = fh.read()
        m = re.search(r"^\.TH\s+(\S+)\s+1\b", src, re.M)
        if not m or m.group(1).lower() != f[:-2]:
            fail("%s: .TH does not name the page %s(1)" % (rel(f), f[:-2]))

    # Which page documents which --help.
    top = help_text([progs["asbuilt"]])
    commands = []
    in_cmds = False
    for line in top.splitlines():
        if line.strip() == "commands:":
            in_cmds = True
            continue
        if in_cmds:
            m = re.match(r"^  ([a-z]+)\s", line)
            if m:
                commands.append(m.group(1))
            elif line.strip() == "":
                in_cmds = False
    if not commands:
        fail("'asbuilt --help' lists no commands")
    checks = []
    with open(os.path.join(mandir, "asbuilt.1"), encoding="utf-8") as fh:
        top_page = plain(fh.read())
    for c in commands:
        if not re.search(r"^\.B %s$" % re.escape(c), top_page, re.M):
            fail("docs/man/asbuilt.1: command '%s' of 'asbuilt --help' is not listed under "
                 "COMMANDS" % c)
        page = "asbuilt-%s.1" % c
        if page not in pages:
            fail("docs/man/%s is missing: 'asbuilt --help' lists the command '%s'" % (page, c))
            continue
        checks.append((page, [progs["asbuilt"], c], "asbuilt %s --help" % c))
    for prog in ("absim", "abgen"):
        if prog in progs and "%s.1" % prog in pages:
            checks.append(("%s.1" % prog, [progs[prog]], "%s --help" % prog))

    n_opts = 0
    for page, argv, what in checks:
        opts = help_options(help_text(argv))
        if not opts:
            fail("'%s' lists no options: its layout changed and this test must follow" % what)
            continue
        with open(os.path.join(mandir, page), encoding="utf-8") as fh:
            src = fh.read()
        items = page_items(src)
        for o in sorted(opts):
            n_opts += 1
            if o not in items:
                fail("%s: option %s of '%s' has no item (.TP) in the page" % (rel(page), o, what))
        for o in sorted(items - opts):
            fail("%s documents option %s, which '%s' does not list (removed or renamed?)"
                 % (rel(page), o, what))
    print("%d pages linted, %d options of %d --help outputs checked, %d failures"
          % (len(pages), n_opts, len(checks), fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
