#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The translations a person reads: every po file in po/LINGUAS must pass `msgfmt --check`
# with every message translated and none fuzzy, and every translation must keep the printf
# conversions of its original in the same order (a dropped %s or swapped %u/%s prints
# garbage or crashes at run time). With --current, the po files must also cover every string
# the sources mark for translation today, and POTFILES.in must list every file that marks one.
#
#   test-translations.py SRCDIR [--current]

import os
import re
import shutil
import subprocess
import sys
import tempfile

# A printf conversion: %[argnum$][flags][width][.precision][length]conversion, or the
# <PRId64>-style macros xgettext keeps in the msgid.
CONVERSION = re.compile(
    r"%(?:(\d+)\$)?[-+ #0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?"
    r"(?:<PRI[a-zA-Z0-9]+>|(?:hh|h|ll|l|L|q|j|z|Z|t)?[diouxXeEfFgGaAcsCSpn%])")

# What the keywords of meson's "glib" gettext preset extract (po/meson.build uses it).
XGETTEXT_KEYWORDS = ["--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
                     "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3",
                     "--keyword=g_dpgettext2:2c,3"]

MARKS = re.compile(r'\b(?:_|N_|C_|NC_|g_dngettext|g_dcgettext|g_dpgettext2)\s*\(\s*"'
                   r'|translatable="yes"|<_?(?:summary|description)>|^_?(?:Name|Comment|Keywords)=',
                   re.M)


def unquote(text):
    return bytes(text[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def read_po(path):
    """The entries of a po file: dicts with flags, msgid, msgid_plural and msgstr (a list)."""
    entries = []
    field = None

    def current():
        # A flags line, msgctxt or msgid after a complete entry starts the next one.
        if not entries or "msgid" in entries[-1]:
            entries.append({"flags": set(), "msgstr": []})
        return entries[-1]

    with open(path, encoding="utf-8") as po:
        for line in po:
            line = line.rstrip("\n")
            if line.startswith("#,"):
                current()["flags"] |= {f.strip() for f in line[2:].split(",")}
                continue
            if not line.strip() or line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if match:
                key, value = match.group(1), unquote(match.group(2))
                entry = current() if key in ("msgctxt", "msgid") else entries[-1]
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)
                    field = (entry, len(entry["msgstr"]) - 1)
                else:
                    entry[key] = value
                    field = (entry, key)
            elif line.startswith('"'):
                entry, key = field
                if isinstance(key, int):
                    entry["msgstr"][key] += unquote(line)
                else:
                    entry[key] += unquote(line)
            else:
                raise ValueError(f"{path}: cannot read the line {line!r}")
    return [e for e in entries if "msgid" in e]


def conversions(text):
    """The conversions in the order printf consumes their arguments (%% left out)."""
    found = [(m.group(1), m.group(0)) for m in CONVERSION.finditer(text) if m.group(0) != "%%"]
    if any(num is not None for num, _ in found):
        found.sort(key=lambda item: int(item[0] or 0))
    return [re.sub(r"^%\d+\$", "%", conv) for _, conv in found]


def is_label_with_mnemonic(msgid):
    # Identifiers such as max_tokens only occur in longer messages.
    return (msgid.count("_") == 1 and len(msgid) <= 40 and
            not any(c in msgid for c in "%\"“.:"))


def linguas(srcdir):
    with open(os.path.join(srcdir, "po", "LINGUAS"), encoding="utf-8") as f:
        return [w for line in f for w in line.split("#")[0].split()]


def check_po(srcdir, lang):
    problems = []
    path = os.path.join(srcdir, "po", lang + ".po")
    if not os.path.exists(path):
        return [f"{lang}: po/LINGUAS names it, but {path} does not exist"]
    run = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, path],
                         capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    report = run.stderr.strip()
    print(f"{lang}: {report}")
    if run.returncode != 0:
        problems.append(f"{lang}: msgfmt --check failed:\n{report}")
    if "fuzzy" in report or "untranslated" in report:
        problems.append(f"{lang}: not every message is translated: {report}")

    entries = read_po(path)
    header = next((e for e in entries if e["msgid"] == ""), None)
    if header is None or f"Language: {lang}\n" not in header["msgstr"][0]:
        problems.append(f"{lang}: the header does not say \"Language: {lang}\"")
    if header is None or "charset=UTF-8" not in header["msgstr"][0]:
        problems.append(f"{lang}: the header does not say charset=UTF-8")

    for e in entries:
        if e["msgid"] == "" or "no-c-format" in e["flags"]:
            continue
        originals = [e["msgid"]] + ([e["msgid_plural"]] if "msgid_plural" in e else [])
        for n, msgstr in enumerate(e["msgstr"]):
            if not msgstr:
                problems.append(f"{lang}: empty translation of {e['msgid']!r}")
                continue
            # A singular form may leave out the count (“one file”), never change the others.
            expected = conversions(originals[min(n, len(originals) - 1)])
            got = conversions(msgstr)
            if got != expected and not ("msgid_plural" in e and
                                        got == [c for c in expected if c != expected[0]] and
                                        n == 0):
                problems.append(f"{lang}: {e['msgid']!r} has the conversions {expected}, "
                                f"but its translation {msgstr!r} has {got}")
        # A label's mnemonic: one underscore in a short label, one in each translation.
        if is_label_with_mnemonic(e["msgid"]):
            for msgstr in e["msgstr"]:
                if msgstr.count("_") != 1:
                    problems.append(f"{lang}: the mnemonic of {e['msgid']!r} is lost or doubled "
                                    f"in {msgstr!r}")
    return problems


def source_files_with_strings(srcdir):
    found = set()
    for top in ("src", "data"):
        for dirpath, _, names in os.walk(os.path.join(srcdir, top)):
            for name in names:
                if not name.endswith((".c", ".ui", ".xml", ".in")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    if MARKS.search(f.read()):
                        found.add(os.path.relpath(path, srcdir))
    return found


def check_current(srcdir):
    problems = []
    potfiles_path = os.path.join(srcdir, "po", "POTFILES.in")
    with open(potfiles_path, encoding="utf-8") as f:
        listed = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    for name in listed:
        if not os.path.exists(os.path.join(srcdir, name)):
            problems.append(f"po/POTFILES.in lists {name}, which does not exist")
    for name in sorted(source_files_with_strings(srcdir) - set(listed)):
        problems.append(f"{name} marks strings for translation but po/POTFILES.in does not "
                        "list it")
    if problems:
        return problems

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "kiln.pot")
        run = subprocess.run(["xgettext", "--from-code=UTF-8", "--add-comments",
                              *XGETTEXT_KEYWORDS, "--directory", srcdir,
                              "--files-from", potfiles_path, "--output", pot],
                             capture_output=True, text=True)
        if run.returncode != 0:
            return [f"xgettext could not extract the strings:\n{run.stderr}"]
        for lang in linguas(srcdir):
            merged = os.path.join(tmp, lang + ".po")
            subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                            os.path.join(srcdir, "po", lang + ".po"), pot], check=True)
            missing = [e["msgid"] for e in read_po(merged)
                       if e["msgid"] and (not all(e["msgstr"]) or "fuzzy" in e["flags"])]
            print(f"{lang}: {len(missing)} of today's strings untranslated")
            problems += [f"{lang}: not translated yet: {msgid!r}" for msgid in missing]
    if problems:
        problems.append("to translate them: `meson compile -C BUILD kiln-pot`, then "
                        "`msgmerge --update po/LANG.po po/kiln.pot` for each language")
    return problems


def main():
    srcdir = sys.argv[1]
    for tool in ("msgfmt", "msgmerge", "xgettext"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (Debian and Fedora: the gettext package)")
            return 1
    if "--current" in sys.argv[2:]:
        problems = check_current(srcdir)
    else:
        problems = []
        langs = linguas(srcdir)
        if len(langs) < 2:
            problems.append(f"po/LINGUAS names {langs}; Kiln ships at least two translations")
        for lang in langs:
            problems += check_po(srcdir, lang)
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
