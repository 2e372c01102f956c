"""Where the tests find the library, the command line and the reference data.

ASBUILT_LIBRARY names the library under test (meson sets it to the build's
libasbuilt.so.0); ASBUILT_CLI the `asbuilt` program of the same build, whose
JSON the binding must reproduce. The reference data is $AB_SHARED_DATA (the
shared logs, maps and PM4Py's numbers), else the datasets/ folder.
"""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))

DATA = os.environ.get("AB_SHARED_DATA") or os.path.join(ROOT, "datasets")
DATASETS = os.path.join(ROOT, "datasets")
BUILD = os.environ.get("AB_BUILD_ROOT", os.path.join(ROOT, "build"))
CLI = os.environ.get("ASBUILT_CLI") or os.path.join(BUILD, "tools", "asbuilt")
if not os.environ.get("ASBUILT_LIBRARY") and os.path.exists(os.path.join(BUILD, "libasbuilt.so.0")):
    os.environ["ASBUILT_LIBRARY"] = os.path.join(BUILD, "libasbuilt.so.0")
if os.environ.get("ASBUILT_LIBRARY"):
    # Subprocesses run elsewhere (the README example, the installed package).
    os.environ["ASBUILT_LIBRARY"] = os.path.abspath(os.environ["ASBUILT_LIBRARY"])


def logs():
    return sorted(os.listdir(os.path.join(DATA, "logs")))


def log_path(name):
    return os.path.join(DATA, "logs", name)


def expected(name):
    p = os.path.join(DATA, "expected", name)
    with open(p) as f:
        return json.load(f)


def pairs():
    """(log, model) of every expected pair file <log>__<model>.json."""
    out = []
    for f in sorted(os.listdir(os.path.join(DATA, "expected"))):
        if "__" in f and f.endswith(".json"):
            log, model = f[:-5].split("__", 1)
            model_path = os.path.join(DATA, "models", model)
            if os.path.exists(log_path(log)) and os.path.exists(model_path):
                out.append((log, model))
    return out


def cli(*args, check=True):
    if not os.path.exists(CLI):
        pytest.fail(f"the asbuilt program is not at {CLI} (set ASBUILT_CLI)")
    r = subprocess.run([CLI, *args], capture_output=True)
    if check and r.returncode != 0:
        pytest.fail(f"asbuilt {' '.join(args)}: exit {r.returncode}: {r.stderr.decode()}")
    return r


def cli_json(*args):
    return json.loads(cli(*args).stdout)
