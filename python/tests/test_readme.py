"""The README's "From Python" example runs and prints what the README shows."""
import os
import re
import subprocess
import sys

from conftest import ROOT


def test_readme_example(tmp_path):
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    sec = text[text.index("## From Python"):]
    sec = sec[:sec.index("\n## ", 5)]
    blocks = re.findall(r"```(\w*)\n(.*?)```", sec, re.S)
    code = next(b for lang, b in blocks if lang == "python")
    shown = next(b for lang, b in blocks if lang == "")
    assert len(code.strip().splitlines()) < 15
    os.symlink(os.path.join(ROOT, "datasets"), tmp_path / "datasets")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == shown
    assert (tmp_path / "loanapp-gap.html").stat().st_size > 10000
