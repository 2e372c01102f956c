"""The package installs offline with pip and Debian's setuptools (nothing compiled), and
finds the library beside itself, through ASBUILT_LIBRARY, or not at all with a clear
message."""
import os
import shutil
import subprocess
import sys

import pytest

import asbuilt
from conftest import DATASETS, HERE

PKG = os.path.dirname(HERE)


def run(args, env):
    return subprocess.run(args, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    # A copy: pip builds in the source tree, which stays clean.
    shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("tests", "build", "*.egg-info",
                                                             "__pycache__", "libasbuilt.so*"))
    target = tmp / "site"
    r = run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-index",
             "--no-deps", "--quiet", "--target", str(target), str(src)], dict(os.environ))
    if r.returncode != 0 and "No module named pip" in r.stderr:
        pytest.skip("pip is not installed for this Python")
    assert r.returncode == 0, r.stderr
    assert not list((target / "asbuilt").glob("*.so*")), "nothing compiled"
    return target


CHECK = ("import asbuilt, sys; print(asbuilt.library_path); "
         "print(asbuilt.stats(sys.argv[1])['cases'])")


def test_installed_package_runs(installed):
    env = dict(os.environ, PYTHONPATH=str(installed))
    log = os.path.join(DATASETS, "logs", "pm4py_running-example.xes")
    r = run([sys.executable, "-c", CHECK, log], env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[1] == "6"


def test_library_beside_the_package(installed, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    shutil.copy(asbuilt.library_path, site / "asbuilt" / "libasbuilt.so.0")
    env = dict(os.environ, PYTHONPATH=str(site))
    env.pop("ASBUILT_LIBRARY", None)
    r = run([sys.executable, "-c", "import asbuilt; print(asbuilt.library_path)"], env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(site / "asbuilt" / "libasbuilt.so.0")


def test_missing_library_is_a_clear_import_error(installed, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(installed),
               ASBUILT_LIBRARY=str(tmp_path / "libasbuilt.so.0"))
    r = run([sys.executable, "-c", "import asbuilt"], env)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "ASBUILT_LIBRARY" in r.stderr
