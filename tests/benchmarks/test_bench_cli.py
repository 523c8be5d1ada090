"""`rvemu bench` and rvemu.bench: quick correctness checks (no timing is asserted)."""
import json

import pytest

from rvemu import bench
from rvemu.cli import main as cli_main


def test_cli_json_quick(capsys):
    rc = cli_main(["bench", "--json", "--repeat", "1", "--iters", "1", "--calls", "100"])
    assert rc == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["workload"] for r in records] == bench.names()
    for r in records:
        assert r["instructions"] > 0 and r["seconds"] > 0
        if r["kind"] == "throughput":
            assert r["exit_code"] == 0 and r["bench_iters"] == 1 and r["mips"] > 0
        else:
            assert r["calls"] > 0 and r["us_per_call"] > 0


def test_cli_table_and_list(capsys):
    assert cli_main(["bench", "--repeat", "1", "--iters", "0", "memcpy", "sbi_call"]) == 0
    out = capsys.readouterr().out
    assert "memcpy" in out and "MIPS" in out and "sbi_call" in out and "us/call" in out
    assert cli_main(["bench", "--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == bench.names()


def test_instruction_counts_are_deterministic():
    a, _ = bench.run_once("branchy", iters=1)
    b, _ = bench.run_once("branchy", iters=1)
    assert a.instructions == b.instructions


def test_wrong_result_is_an_error():
    with pytest.raises(bench.BenchError, match="wrong result"):
        bench.run_once("intmix", iters=1, max_insns=1000)


def test_unknown_workload(capsys):
    assert cli_main(["bench", "nosuch"]) == 2
    assert "unknown workload" in capsys.readouterr().err


def test_missing_guests_explained(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(bench.ENV_DIR, str(tmp_path))
    assert cli_main(["bench", "intmix"]) == 2
    assert "guests/bench" in capsys.readouterr().err


def test_run_call_counts_instructions():
    r = bench.measure_run_call(calls=50, max_insns=3)
    assert r["instructions"] == 150 and r["us_per_call"] > 0
