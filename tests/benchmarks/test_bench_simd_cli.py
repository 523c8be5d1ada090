"""`rvemu bench simd`: the table, --json and --plot (short runs; see test_simd_policies.py
for the measured cases)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

import rvemu

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(pathlib.Path(rvemu.__file__).parent.parent),
           RVEMU_BENCH_DIR=str(ROOT / "guests" / "bench"))   # rvemu may be installed


def _run(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "rvemu", "bench", "simd", "--vlen", "128",
                           "--iters", "500", *args], capture_output=True, cwd=tmp_path,
                          env=ENV, timeout=300)


def test_simd_table_and_json(tmp_path):
    p = _run(tmp_path, "--json")
    assert p.returncode == 0, p.stderr
    recs = json.loads(p.stdout)
    assert {(r["mix"], r["policy"]) for r in recs} == {
        (m, pol) for m in ("none", "light", "heavy") for pol in ("eager", "lazy")}
    none = {r["policy"]: r for r in recs if r["mix"] == "none"}
    assert none["lazy"]["bytes_moved"] < none["eager"]["bytes_moved"]


def test_simd_plot(tmp_path):
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib: pip install 'rvemu[plot]'")
    p = _run(tmp_path, "--plot", "out.png")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
