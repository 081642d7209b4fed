#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-cli-json.py: `kiln-cli compare --json` prints JSON that Python's json module reads,
# whatever bytes the programs print: all 32 control characters, DEL and invalid UTF-8.
#
# Usage: test-cli-json.py KILN-CLI

import json
import os
import re
import subprocess
import sys
import tempfile

# Every control byte, DEL, and byte sequences that are not UTF-8 (a lone 0xff, a lead byte
# without its continuation, a cut three-byte sequence, an encoded surrogate, an overlong
# slash, a stray continuation byte), then a line of plain text.
PAYLOAD = (bytes(range(32)) + b"\x7f" +
           b"|\xff|\xc3(|\xe2\x82|\xed\xa0\x80|\xc0\xaf|\x80|\n" +
           b"plain \xc3\xa9 text\n")

PYTHON = f"""\
import sys
data = {PAYLOAD!r}
sys.stdout.buffer.write(data)
sys.stderr.buffer.write(data)
"""

CPP_TEMPLATE = """\
#include <cstdio>
static const unsigned char data[] = {{ {bytes} }};
int main() {{
  std::fwrite(data, 1, sizeof data, stdout);
  std::fwrite(data, 1, sizeof data, stderr);
  {extra}
  return 0;
}}
"""


def cpp_source(extra=""):
    return CPP_TEMPLATE.format(bytes=", ".join(str(b) for b in PAYLOAD), extra=extra)


def expected_text(data):
    """The payload as kiln-cli reports it: U+FFFD for what is not UTF-8 (and for NUL, which
    a JSON string from json-glib cannot hold); runs of U+FFFD are collapsed, as decoders
    differ in how many they write for one broken sequence."""
    text = data.decode("utf-8", errors="replace").replace("\0", "\ufffd")
    return collapse(text)


def collapse(text):
    return re.sub("\ufffd+", "\ufffd", text)


def run_json(cli, args, cwd):
    proc = subprocess.run([cli] + args + ["--json"], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=300)
    raw = proc.stdout
    # Exactly one JSON object, as UTF-8 without a raw control character (json.loads is
    # strict about both: it refuses invalid UTF-8 and control characters in strings).
    for byte in raw:
        assert byte >= 0x20 or byte in b"\n", f"raw control byte {byte:#04x} in --json output"
        assert byte != 0x7f, "raw DEL in --json output"
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        sys.stderr.write(raw.decode("utf-8", errors="backslashreplace"))
        raise AssertionError(f"kiln-cli {' '.join(args)} --json printed invalid JSON: {error}")
    return proc.returncode, document


def main():
    cli = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="kiln-cli-json-") as work:
        cache = os.path.join(work, "cache")
        with open(os.path.join(work, "program.py"), "w") as f:
            f.write(PYTHON)
        with open(os.path.join(work, "program.cpp"), "w") as f:
            f.write(cpp_source())
        with open(os.path.join(work, "different.cpp"), "w") as f:
            f.write(cpp_source('std::fputs("one more line\\x1f\\x7f\\n", stdout);'))

        want = expected_text(PAYLOAD)

        status, doc = run_json(cli, ["compare", "program.py", "program.cpp",
                                     "--cache-dir", cache], work)
        for side in ("python", "cpp"):
            assert doc[side]["ok"], doc[side]["error"]
            assert collapse(doc[side]["stdout"]) == want, repr(doc[side]["stdout"])
            assert collapse(doc[side]["stderr"]) == want, repr(doc[side]["stderr"])
        # every control character came through as itself
        for code in list(range(1, 32)) + [0x7f]:
            assert chr(code) in doc["python"]["stdout"], f"U+{code:04X} lost"
        assert doc["outputs_match"] is True, doc["first_difference"]
        assert status == 0

        # The first difference quotes the lines themselves, control characters and all.
        status, doc = run_json(cli, ["compare", "program.py", "different.cpp",
                                     "--cache-dir", cache], work)
        assert status == 1
        assert doc["outputs_match"] is False
        diff = doc["first_difference"]
        assert diff["python"] is None, diff
        assert diff["cpp"] == "one more line\x1f\x7f", diff

        # run --json too
        status, doc = run_json(cli, ["run", "program.py", "--cache-dir", cache], work)
        assert status == 0
        assert collapse(doc["stdout"]) == want

    print("ok: compare --json and run --json stay valid JSON with every control byte and "
          "invalid UTF-8 in the output")


if __name__ == "__main__":
    main()
