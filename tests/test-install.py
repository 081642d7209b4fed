#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-install.py: `meson install --destdir` into a temporary folder, then the installed
# kiln-cli runs real programs there. The binaries were configured for another prefix, so
# they only work when they find the helper (and the window its schema) relative to
# themselves, as an installation into any prefix must.
#
# Usage: test-install.py MESON BUILD-ROOT PREFIX BINDIR

import os
import shutil
import subprocess
import sys
import tempfile

PROGRAM_CPP = """\
#include <cstdio>
int main() { long long s = 0; for (int i = 1; i <= 1000; i++) s += i; std::printf("%lld\\n", s); }
"""


def clean_env(home, data_dirs="/usr/share"):
    env = dict(os.environ)
    for name in ("KILN_RUN_HELPER", "GSETTINGS_SCHEMA_DIR", "KILN_CLI"):
        env.pop(name, None)
    env["HOME"] = home
    env["XDG_CACHE_HOME"] = os.path.join(home, ".cache")
    env["XDG_CONFIG_HOME"] = os.path.join(home, ".config")
    env["XDG_DATA_DIRS"] = data_dirs
    return env


def inside(destdir, path):
    return os.path.join(destdir, path.lstrip("/"))


def main():
    meson, build_root, prefix, bindir = sys.argv[1:5]
    bindir = os.path.join(prefix, bindir)

    with tempfile.TemporaryDirectory(prefix="kiln-install-") as work:
        destdir = os.path.join(work, "root")
        proc = subprocess.run([meson, "install", "-C", build_root, "--no-rebuild", "--quiet",
                               "--destdir", destdir], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout

        # Move the installed tree once more, so not even the destdir layout is relied on.
        moved = os.path.join(work, "moved")
        shutil.move(inside(destdir, prefix), moved)
        installed_bin = os.path.join(moved, os.path.relpath(bindir, prefix))
        cli = os.path.join(installed_bin, "kiln-cli")
        assert os.access(cli, os.X_OK), f"no kiln-cli installed at {cli}"

        home = os.path.join(work, "home")
        os.mkdir(home)
        env = clean_env(home)
        with open(os.path.join(work, "sum.cpp"), "w") as f:
            f.write(PROGRAM_CPP)
        with open(os.path.join(work, "hello.py"), "w") as f:
            f.write("print('hello from', __name__)\n")

        for program, expected in (("sum.cpp", "500500\n"), ("hello.py", "hello from __main__\n")):
            proc = subprocess.run([cli, "run", program], cwd=work, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=300)
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout == expected, proc.stdout
            print(f"ok: installed kiln-cli run {program}")

        app = os.path.join(installed_bin, "kiln")
        if not os.path.exists(app):
            return
        # `meson install --destdir` leaves compiling the schemas to the packaging (as distro
        # triggers do); done here, the installed window must find them next to itself.
        schemas = os.path.join(moved, "share", "glib-2.0", "schemas")
        before = subprocess.run([app, "--help"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, timeout=60)
        if before.returncode == 0:
            print("note: this system has Kiln's schema installed already")
        else:
            assert "schema" in before.stderr, before.stderr
        subprocess.run(["glib-compile-schemas", "--strict", schemas], check=True)
        proc = subprocess.run([app, "--help"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        print("ok: the installed kiln finds its settings schema")


if __name__ == "__main__":
    main()
