#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-readme.py: the kiln-cli lines of README.md's "Using kiln-cli", run exactly as written
# from a fresh folder where `_build` is the build folder, with nothing in the environment
# telling Kiln where its helper or its schema is (no KILN_RUN_HELPER, no
# GSETTINGS_SCHEMA_DIR). `ask` and `convert` need a model server and are left to the
# convert and cli-models tests.
#
# Usage: test-readme.py SOURCE-ROOT BUILD-ROOT

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

PROGRAM_PY = """\
import sys
numbers = [int(word) for word in sys.stdin.read().split()]
print("count", len(numbers))
print("sum", sum(numbers))
"""

PROGRAM_CPP = """\
#include <iostream>
int main() {
  long long n, sum = 0, count = 0;
  while (std::cin >> n) { sum += n; count++; }
  std::cout << "count " << count << "\\n" << "sum " << sum << "\\n";
}
"""


def readme_commands(source_root):
    """The `_build/src/cli/kiln-cli …` lines of the code block under "Using kiln-cli"."""
    with open(os.path.join(source_root, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Using kiln-cli", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("_build/src/cli/kiln-cli "):
            commands.append(line)
    return commands


def clean_env(home):
    env = dict(os.environ)
    for name in ("KILN_RUN_HELPER", "GSETTINGS_SCHEMA_DIR", "KILN_CLI", "KILN_MODELS_FILE"):
        env.pop(name, None)
    # a home of our own: no user models.json, and the binary cache starts empty
    env["HOME"] = home
    env["XDG_CONFIG_HOME"] = os.path.join(home, ".config")
    env["XDG_CACHE_HOME"] = os.path.join(home, ".cache")
    env["XDG_DATA_HOME"] = os.path.join(home, ".local", "share")
    return env


def run(line, cwd, env):
    proc = subprocess.run(shlex.split(line), cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, errors="replace", timeout=300)
    if proc.returncode != 0:
        sys.stderr.write(f"$ {line}\n{proc.stdout}{proc.stderr}")
        raise AssertionError(f"“{line}” exited with status {proc.returncode}")
    assert "helper was not found" not in proc.stderr, proc.stderr
    return proc


def main():
    source_root, build_root = sys.argv[1], os.path.abspath(sys.argv[2])
    commands = readme_commands(source_root)
    kinds = {shlex.split(c)[1] for c in commands}
    assert {"run", "compare", "models"} <= kinds, f"README lost its examples: {commands}"

    with tempfile.TemporaryDirectory(prefix="kiln-readme-") as work:
        home = os.path.join(work, "home")
        os.mkdir(home)
        env = clean_env(home)
        os.symlink(build_root, os.path.join(work, "_build"))
        for name, text in (("program.py", PROGRAM_PY), ("program.cpp", PROGRAM_CPP),
                           ("input.txt", "1 2 3\n40\n"), ("other.txt", "5 6\n7\n")):
            with open(os.path.join(work, name), "w") as f:
                f.write(text)

        # "or .cpp/.cc/.cxx: compiled, then run"
        runnable = [c for c in commands if shlex.split(c)[1] in ("run", "compare", "models")]
        runnable.append("_build/src/cli/kiln-cli run program.cpp")
        for line in runnable:
            proc = run(line, work, env)
            words = shlex.split(line)
            if words[1] == "run":
                assert "count 0" in proc.stdout, proc.stdout
            elif words[1] == "compare" and words.count("--stdin") > 1:
                # The second input is a hidden case: both programs ran on both.
                assert "Outputs match on all 2 input cases." in proc.stdout, proc.stdout
            elif words[1] == "compare" and "--stdin" in words:
                assert "Outputs match." in proc.stdout, proc.stdout
            elif words[1] == "compare" and "--json" in words:
                doc = json.loads(proc.stdout)
                assert doc["outputs_match"] is True
                assert doc["python"]["stdout"] == "count 0\nsum 0\n"
            elif words[1] == "models":
                assert proc.stdout.strip() != ""
            print(f"ok: {line}")

        # The window finds its settings schema from the build folder (it stops with a message
        # when it cannot); --help is handled before any window opens.
        app = os.path.join(build_root, "src", "app", "kiln")
        if os.path.exists(app):
            proc = subprocess.run([app, "--help"], cwd=work, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, timeout=60)
            assert proc.returncode == 0, proc.stderr
            assert "schema" not in proc.stderr, proc.stderr
            print("ok: _build/src/app/kiln finds its settings schema")


if __name__ == "__main__":
    main()
