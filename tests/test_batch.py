"""rvemu.batch and ``rvemu batch``: matrices of guest runs on the local process pool and on a
Dask LocalCluster, their records, resuming, the output formats and the summary."""
import csv
import hashlib
import json
import os

import pytest

from rvemu import batch
from rvemu.cli import main

HERE = os.path.dirname(__file__)
GUESTS = os.path.join(HERE, "..", "guests")
SMALL = [os.path.join(GUESTS, n) for n in ("hello_htif.elf", "int_ops.elf", "mul_div.elf")]
VSUM = os.path.join(GUESTS, "kvm", "vsum.elf")

try:
    import distributed
except ImportError:
    distributed = None
needs_dask = pytest.mark.skipif(distributed is None, reason="needs Dask distributed: "
                                "pip install 'rvemu[batch]' (or pip install 'dask[distributed]')")


def _key(r):
    return (r["id"], r["reason"], r["exit_code"], r["instructions"], r["output_sha256"], r["error"])


def test_matrix_jobs_and_records_in_process():
    jobs = batch.elf_jobs(SMALL, isas=["rv64gc", "rv64gcv"], vlens=[128, 256],
                          max_insns=2_000_000)
    # rv64gc has no VLEN axis: 3 guests x (1 + 2) configurations
    assert len(jobs) == 9
    assert len({j["id"] for j in jobs}) == 9
    recs = [batch.run_job(j) for j in jobs]
    for r in recs:
        assert r["reason"] == "halt" and r["exit_code"] == 0 and r["ok"], r
        assert r["instructions"] > 100 and r["error"] is None
    hello = [r for r in recs if r["elf"].endswith("hello_htif.elf")]
    want = hashlib.sha256(b"Hello from rvemu guest (HTIF), hart 0\n").hexdigest()
    assert {r["output_sha256"] for r in hello} == {want}
    # the same guest gives the same instruction count under every VLEN (it uses no vectors)
    assert len({r["instructions"] for r in hello}) == 1


def test_bad_jobs_become_error_records():
    bad_isa = {"kind": "elf", "elf": SMALL[0], "isa": "rv64gq", "max_insns": 1000}
    missing = {"kind": "elf", "elf": "/nonexistent/guest.elf", "isa": "rv64gc"}
    budget = {"kind": "elf", "elf": SMALL[1], "isa": "rv64gc", "max_insns": 50}
    r1, r2, r3 = (batch.run_job(j) for j in (bad_isa, missing, budget))
    assert r1["reason"] == "error" and "IsaStringError" in r1["error"] and not r1["ok"]
    assert r2["reason"] == "error" and "ElfError" in r2["error"] and not r2["ok"]
    assert r3["reason"] == "budget" and r3["error"] is None and not r3["ok"]
    assert r3["instructions"] <= 50
    with pytest.raises(batch.ConfigError, match="no guest ELFs"):
        batch.elf_jobs([os.path.join(HERE, "benchmarks")])


def test_local_pool_matches_in_process_and_kvm(tmp_path):
    jobs = batch.elf_jobs(SMALL, isas=["rv64gc"], max_insns=2_000_000)
    jobs += batch.elf_jobs([VSUM], isas=["rv64gcv"], vlens=[128], kvm=[True],
                           simd_policies=["eager", "lazy"], max_insns=5_000_000)
    direct = sorted(_key(batch.run_job(dict(j))) for j in jobs)
    out = tmp_path / "runs.jsonl"
    recs = batch.run_batch(jobs, str(out), workers=2)
    assert sorted(_key(r) for r in recs) == direct
    assert [r["id"] for r in recs] == [j["id"] for j in jobs]
    kvm = [r for r in recs if r["kvm"]]
    assert len(kvm) == 2 and all(r["reason"] == "shutdown" and r["exit_code"] == 0 for r in kvm)
    assert kvm[0]["output_sha256"] == kvm[1]["output_sha256"]   # policies: same output
    lines = out.read_text().splitlines()
    assert len(lines) == len(jobs) and all(json.loads(l)["id"] for l in lines)
    text = batch.summary(recs)
    assert "total" in text and f"{len(jobs)}" in text


def test_resume_skips_recorded_jobs_and_drops_a_torn_line(tmp_path):
    jobs = batch.elf_jobs(SMALL, isas=["rv64gc", "rv64imac"], max_insns=2_000_000)
    out = tmp_path / "runs.jsonl"
    first = batch.run_batch(jobs[:4], str(out), workers=1)
    # an interrupted writer: half a line at the end
    with open(out, "a") as fh:
        fh.write('{"id": "torn')
    again = batch.run_batch(jobs, str(out), workers=1)
    assert [r["id"] for r in again] == [j["id"] for j in jobs]
    # the four recorded runs were not run again: their records (timings too) are the old ones
    assert again[:4] == first
    lines = out.read_text().splitlines()
    assert len(lines) == len(jobs) and all(json.loads(l) for l in lines)
    # --restart semantics: resume=False runs everything afresh
    fresh = batch.run_batch(jobs[:1], str(out), workers=1, resume=False)
    assert len(out.read_text().splitlines()) == 1 and fresh[0]["id"] == jobs[0]["id"]


def test_csv_output_resumes(tmp_path):
    jobs = batch.elf_jobs(SMALL[:2], isas=["rv64gc"], max_insns=2_000_000)
    out = tmp_path / "runs.csv"
    recs = batch.run_batch(jobs[:1], str(out), workers=1)
    recs2 = batch.run_batch(jobs, str(out), workers=1)
    rows = list(csv.DictReader(open(out)))
    assert [r["id"] for r in rows] == [j["id"] for j in jobs]
    assert recs2[0]["instructions"] == recs[0]["instructions"]
    assert recs2[0]["ok"] is True and recs2[0]["exit_code"] == 0


def test_cli_batch(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    rc = main(["batch", *SMALL, "--isa", "rv64gc", "--isa", "rv64imac", "--max-insns",
               "2000000", "--workers", "2", "-o", str(out), "--no-progress"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "rv64imac" in text and "total" in text
    assert len(out.read_text().splitlines()) == 6
    # a run that fails makes the exit status 1 and is named in the summary
    rc = main(["batch", SMALL[1], "--max-insns", "10", "--no-progress", "--workers", "1"])
    assert rc == 1 and "FAILED int_ops.elf" in capsys.readouterr().out
    rc = main(["batch", "--no-progress"])
    assert rc == 2


@needs_dask
def test_dask_local_cluster_matches_local_pool(tmp_path):
    from distributed import Client, LocalCluster
    from rvemu.fuzz.campaign import fuzz_jobs
    jobs = batch.elf_jobs(SMALL, isas=["rv64gc", "rv64gcv"], vlens=[128],
                          max_insns=2_000_000)
    jobs += fuzz_jobs(4, seed=100, max_insns=3000, checks=("determinism",))
    local = batch.run_batch([dict(j) for j in jobs], workers=2)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        # by address (as --scheduler does) and with a Client object
        by_addr = batch.run_batch([dict(j) for j in jobs], str(tmp_path / "d.jsonl"),
                                  scheduler=cluster.scheduler_address)
        by_client = batch.run_batch([dict(j) for j in jobs], scheduler=client)
    assert [_key(r) for r in by_addr] == [_key(r) for r in local]
    assert [_key(r) for r in by_client] == [_key(r) for r in local]
    assert all(r["ok"] for r in local), batch.summary(local)


@needs_dask
def test_cli_scheduler(tmp_path, capsys):
    from distributed import LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        rc = main(["batch", SMALL[0], "--scheduler", cluster.scheduler_address,
                   "--no-progress", "-o", str(tmp_path / "s.csv")])
    assert rc == 0 and "total" in capsys.readouterr().out


def test_scheduler_without_dask_says_what_to_install(monkeypatch):
    import builtins
    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(name)
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(batch.ConfigError, match=r"pip install 'rvemu\[batch\]'"):
        batch.run_batch(batch.elf_jobs(SMALL[:1]), scheduler="tcp://127.0.0.1:1")


def crash_if_asked(job):
    """A 'call' job for the tests: dies like a crashing emulator when job['crash']."""
    if job.get("crash"):
        os._exit(139)
    return {"reason": "halt", "exit_code": 0, "instructions": job["n"], "seconds": 0.0}


def test_a_crashing_worker_costs_only_its_jobs(tmp_path):
    jobs = [{"kind": "call", "func": "test_batch:crash_if_asked", "n": i, "id": f"c{i}",
             "crash": i == 3} for i in range(8)]
    recs = batch.run_batch(jobs, str(tmp_path / "c.jsonl"), workers=1)
    assert [r["id"] for r in recs] == [j["id"] for j in jobs]
    dead = [r for r in recs if r["error"]]
    assert "c3" in {r["id"] for r in dead} and all("died" in r["error"] for r in dead)
    assert len(dead) <= 2            # one worker: at most two jobs in flight
    ok = [r for r in recs if r["ok"]]
    assert len(ok) >= 6 and all(r["instructions"] == int(r["id"][1:]) for r in ok)
    bad = batch.run_job({"kind": "call", "func": "no.such.module:f"})
    assert "cannot import" in bad["error"]
