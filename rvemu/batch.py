"""Batch runs: many guest runs, one result record each, on a local process pool or a Dask
cluster.

A *job* is a plain dict (so it pickles to spawned processes and to Dask workers)::

    {"kind": "elf", "elf": "guests/int_ops.elf", "isa": "rv64gc", "vlen": None,
     "board": "virt", "kvm": False, "simd_policy": "eager", "max_insns": 10_000_000}
    {"kind": "fuzz", "seed": 7, "mode": "S", ...}          # see rvemu.fuzz.campaign
    {"kind": "call", "func": "mypkg.mod:run_one", ...}     # your own: returns record fields

and its *record* is a dict with the job's id and configuration plus ``reason``,
``exit_code``, ``instructions``, ``seconds``, ``output_sha256`` (of the console output),
``error`` (None, or ``"ExcType: message"`` when the run raised, or the worker died) and
``ok``. Records are written as JSON lines (``.jsonl``) or CSV (``.csv``) as they arrive, so
an interrupted batch resumes: jobs whose id is already in the output file are skipped.
A worker process that dies (a crash) costs only the jobs it held: they get an error record
and the pool is rebuilt for the rest. RVEMU_BATCH_INPROCESS=1 with one worker runs the jobs
in the calling process (for debugging).

>>> from rvemu.batch import elf_jobs, run_batch          # doctest: +SKIP
>>> recs = run_batch(elf_jobs(["guests"], isas=["rv64gc", "rv64imac"]), "out.jsonl")
"""
import concurrent.futures as cf
import csv
import glob
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import sys
import time
import traceback

from rvemu.errors import ConfigError, RvemuError

RECORD_FIELDS = ["id", "kind", "elf", "isa", "vlen", "board", "kvm", "simd_policy", "seed",
                 "reason", "exit_code", "instructions", "seconds", "output_sha256", "error",
                 "ok"]
DEFAULT_MAX_INSNS = 50_000_000


# ------------------------------------------------------------------------------ jobs
def job_id(job):
    """A stable id for a job: what resuming matches records on."""
    if job.get("id"):
        return job["id"]
    keys = {k: v for k, v in sorted(job.items()) if k != "id"}
    if job.get("kind", "elf") == "elf":
        keys["elf"] = os.path.basename(str(job.get("elf")))
    digest = hashlib.sha1(json.dumps(keys, sort_keys=True, default=str).encode()).hexdigest()[:12]
    label = os.path.basename(str(job["elf"])) if job.get("elf") else f"{job.get('kind')}-{job.get('seed')}"
    return f"{label}:{digest}"


def _guest_paths(sources):
    paths = []
    for src in sources:
        src = str(src)
        if os.path.isdir(src):
            paths += sorted(glob.glob(os.path.join(src, "*.elf")))
        elif any(c in src for c in "*?["):
            paths += sorted(glob.glob(src))
        elif os.path.isfile(src):
            paths.append(src)
        else:
            raise ConfigError(f"{src}: no such guest ELF or directory")
    if not paths:
        raise ConfigError(f"no guest ELFs (*.elf) found in {', '.join(map(str, sources))}")
    return paths


def elf_jobs(sources, *, isas=("rv64gc",), vlens=(None,), boards=("virt",), kvm=(False,),
             simd_policies=("eager",), max_insns=DEFAULT_MAX_INSNS, ram=None, sbi=False, vcpus=1):
    """Jobs for every guest in ``sources`` (ELF files, directories of *.elf, globs) times the
    configuration matrix: ISA strings x VLENs x boards x KVM (False: the machine, M-mode and
    HTIF; True: a VS-mode guest of the VMM, as ``rvemu run --kvm``) x SIMD policies (KVM
    only). Combinations that cannot apply (a VLEN without V, SIMD policies without KVM) are
    left out rather than failing. ``sbi``: machine runs start in S-mode with the built-in
    SBI (``rvemu run --sbi``)."""
    jobs, seen = [], set()
    for path, isa, vlen, board, k, pol in itertools.product(
            _guest_paths(sources), isas, vlens, boards, kvm, simd_policies):
        if "v" not in isa.lower().split("_")[0][4:] and "zve" not in isa.lower():
            vlen = None        # no vector unit: the VLEN axis collapses
        job = {"kind": "elf", "elf": path, "isa": isa, "vlen": vlen, "board": board,
               "kvm": bool(k), "simd_policy": pol if k else None, "max_insns": max_insns}
        if k and vcpus != 1:
            job["vcpus"] = vcpus
        if sbi and not k:
            job["sbi"] = True
        if ram:
            job["ram"] = ram
        job["id"] = job_id(job)
        if job["id"] not in seen:
            seen.add(job["id"])
            jobs.append(job)
    return jobs


# ------------------------------------------------------------------------------ running one
def _digest(data):
    return hashlib.sha256(bytes(data)).hexdigest()


def _run_elf(job):
    if job.get("kvm"):
        from rvemu.kvm.run import kvm_host_isa
        from rvemu.kvm.vmm import Vmm
        host = kvm_host_isa(job.get("isa") or "rv64gc")
        vmm = Vmm(job["elf"], vcpus=job.get("vcpus", 1), ram=job.get("ram", "128M"),
                  host_isa=host, vlen=job.get("vlen"),
                  simd_policy=job.get("simd_policy") or "eager")
        r = vmm.run(max_insns=job.get("max_insns"))
        return {"reason": r.reason, "exit_code": r.exit_code, "instructions": r.instructions,
                "seconds": r.seconds, "output_sha256": _digest(vmm.output)}
    from rvemu.machine.machine import Machine
    m = Machine(isa=job.get("isa") or "rv64gc", ram=job.get("ram", "64M"),
                board=job.get("board") or "virt", vlen=job.get("vlen"), sbi=bool(job.get("sbi")))
    m.load_elf(job["elf"])
    r = m.run(max_insns=job.get("max_insns"))
    return {"reason": r.reason, "exit_code": r.exit_code, "instructions": r.instructions,
            "seconds": r.seconds, "output_sha256": _digest(m.output)}


def run_job(job):
    """Run one job in this process and return its record (never raises for a bad guest or
    a bad configuration: the error is in the record)."""
    rec = {k: job.get(k) for k in RECORD_FIELDS if k in job}
    rec["id"] = job_id(job)
    rec.setdefault("kind", "elf")
    t0 = time.perf_counter()
    try:
        if rec["kind"] == "elf":
            out = _run_elf(job)
        elif rec["kind"] == "fuzz":
            from rvemu.fuzz.campaign import run_case
            out = run_case(job)
        elif rec["kind"] == "call":      # a user's own run: "package.module:function"
            import importlib
            mod, _, fn = str(job.get("func", "")).partition(":")
            try:
                func = getattr(importlib.import_module(mod), fn)
            except (ImportError, AttributeError, ValueError) as e:
                raise ConfigError(f"call job: cannot import {job.get('func')!r}: {e}") from None
            out = func(job)
        else:
            raise ConfigError(f"unknown job kind {rec['kind']!r} (elf, fuzz or call)")
        rec.update(out)
        rec["error"] = out.get("error")
    except RvemuError as e:
        rec.update(reason="error", error=f"{type(e).__name__}: {e}")
    except Exception as e:   # an emulator bug: keep the traceback's last frames
        tb = traceback.format_exception(type(e), e, e.__traceback__)[-3:]
        rec.update(reason="error", error=f"{type(e).__name__}: {e} | {''.join(tb).strip()}")
    rec.setdefault("instructions", 0)
    rec.setdefault("seconds", time.perf_counter() - t0)
    rec["ok"] = rec.get("error") is None and rec.get("reason") in ("halt", "shutdown") \
        and not rec.get("exit_code")
    if rec["kind"] == "fuzz":        # a generated program: ok means every property held
        rec["ok"] = rec.get("error") is None
    return rec


# ------------------------------------------------------------------------------ output
class RecordWriter:
    """Appends records to a .jsonl or .csv file (flushing each), and reads back the ids of
    those already there for resuming."""

    def __init__(self, path, fmt=None):
        self.path = path
        self.fmt = fmt or ("csv" if str(path).endswith(".csv") else "jsonl")
        if self.fmt not in ("jsonl", "csv"):
            raise ConfigError(f"output format must be jsonl or csv, not {self.fmt!r}")
        self.fh = None

    def done(self):
        """Records already in the file (a truncated last line, from a kill, is dropped)."""
        if self.path is None or not os.path.exists(self.path):
            return []
        with open(self.path, newline="") as fh:
            text = fh.read()
        recs = []
        if self.fmt == "jsonl":
            for line in text.splitlines():
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if isinstance(r, dict) and "id" in r:
                    recs.append(r)
        else:
            if text and not text.endswith("\n"):
                text = text[:text.rfind("\n") + 1]
            for r in csv.DictReader(io.StringIO(text)):
                if r.get("id") and r.get("ok") in ("True", "False"):
                    recs.append(_from_csv(r))
        return recs

    def open(self, keep):
        if self.path is None:
            return self
        # rewrite what is kept (drops a torn last line), then append
        with open(self.path, "w", newline="") as fh:
            if self.fmt == "csv":
                w = csv.DictWriter(fh, RECORD_FIELDS, extrasaction="ignore")
                w.writeheader()
                for r in keep:
                    w.writerow(r)
            else:
                for r in keep:
                    fh.write(json.dumps(r, sort_keys=True, default=str) + "\n")
        self.fh = open(self.path, "a", newline="")
        return self

    def write(self, rec):
        if self.fh is None:
            return
        if self.fmt == "csv":
            csv.DictWriter(self.fh, RECORD_FIELDS, extrasaction="ignore").writerow(rec)
        else:
            self.fh.write(json.dumps(rec, sort_keys=True, default=str) + "\n")
        self.fh.flush()

    def close(self):
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def _from_csv(r):
    out = dict(r)
    for k in ("vlen", "seed", "exit_code", "instructions"):
        out[k] = int(r[k]) if r.get(k) not in (None, "") else None
    out["seconds"] = float(r["seconds"]) if r.get("seconds") else 0.0
    out["kvm"] = r.get("kvm") == "True"
    out["ok"] = r.get("ok") == "True"
    for k in ("error", "simd_policy", "elf", "output_sha256"):
        out[k] = r.get(k) or None
    return out


class _Progress:
    """tqdm when installed and wanted, else a one-line counter on stderr."""

    def __init__(self, total, enabled, initial=0):
        self.enabled = enabled
        self.n, self.total, self.failed = initial, total, 0
        self.bar = None
        if enabled:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, initial=initial, unit="run", file=sys.stderr)
            except ImportError:
                pass

    def update(self, rec):
        self.n += 1
        self.failed += not rec.get("ok")
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(failed=self.failed, refresh=False)
        elif self.enabled:
            print(f"\r[{self.n}/{self.total}] failed {self.failed}", end="", file=sys.stderr,
                  flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)


# ------------------------------------------------------------------------------ executors
def _local(jobs, workers, on_record):
    """A spawn-context process pool with a bounded number of jobs in flight, so a worker
    that dies (a crash in the core) costs only the jobs it held; the pool is rebuilt."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 and os.environ.get("RVEMU_BATCH_INPROCESS") == "1":
        for j in jobs:
            on_record(run_job(j))
        return
    ctx = multiprocessing.get_context("spawn")
    pending = list(jobs)[::-1]
    while pending:
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            inflight = {}
            broken = False
            while (pending or inflight) and not broken:
                while pending and len(inflight) < 2 * workers:
                    j = pending.pop()
                    inflight[pool.submit(run_job, j)] = j
                done, _ = cf.wait(inflight, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    j = inflight.pop(fut)
                    try:
                        rec = fut.result()
                    except cf.process.BrokenProcessPool:
                        broken = True
                        rec = _died(j, "the worker process died (crash or kill) during this run")
                    on_record(rec)
            if broken:
                for fut, j in inflight.items():
                    on_record(_died(j, "the worker process died (crash or kill) while this "
                                       "run was in flight"))


def _died(job, why):
    rec = {k: job.get(k) for k in RECORD_FIELDS if k in job}
    rec.update(id=job_id(job), kind=job.get("kind", "elf"), reason="error", error=why,
               instructions=0, seconds=0.0, ok=False)
    return rec


def _dask(jobs, scheduler, on_record):
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ConfigError("--scheduler needs Dask distributed: pip install 'rvemu[batch]' "
                          "(or pip install 'dask[distributed]')") from None
    own = not hasattr(scheduler, "submit")
    client = Client(scheduler) if own else scheduler
    try:
        futs = client.map(run_job, list(jobs), pure=False)
        by_key = {f.key: j for f, j in zip(futs, jobs)}
        for fut in as_completed(futs):
            try:
                rec = fut.result()
            except Exception as e:  # the worker died (KilledWorker) or the cluster went away
                rec = _died(by_key[fut.key], f"{type(e).__name__}: {e}")
            on_record(rec)
            fut.release()
    finally:
        if own:
            client.close()


# ------------------------------------------------------------------------------ the API
def run_batch(jobs, output=None, *, fmt=None, workers=None, scheduler=None, progress=False,
              resume=True):
    """Run ``jobs`` and return their records (those resumed from ``output`` included), in
    the jobs' order. ``output``: a .jsonl or .csv path written as records arrive.
    ``workers``: local processes (default: the CPU count). ``scheduler``: a Dask scheduler
    address (``tcp://host:8786``) or a ``distributed.Client``, instead of the local pool.
    ``resume``: skip jobs whose id is already recorded in ``output`` (else start afresh)."""
    jobs = list(jobs)
    for j in jobs:
        j.setdefault("id", job_id(j))
    ids = [j["id"] for j in jobs]
    if len(set(ids)) != len(ids):
        raise ConfigError("two jobs have the same id; give distinct 'id' values")
    writer = RecordWriter(output, fmt)
    old = {r["id"]: r for r in writer.done()} if resume else {}
    todo = [j for j in jobs if j["id"] not in old]
    writer.open([r for r in old.values()])
    results = dict(old)
    bar = _Progress(len(jobs), progress, initial=len(jobs) - len(todo))

    def on_record(rec):
        results[rec["id"]] = rec
        writer.write(rec)
        bar.update(rec)

    try:
        if scheduler is not None:
            _dask(todo, scheduler, on_record)
        else:
            _local(todo, workers, on_record)
    finally:
        bar.close()
        writer.close()
    return [results[i] for i in ids if i in results]


def summary(records):
    """A plain-text table: per configuration, runs, failures, instructions, time, MIPS."""
    groups = {}
    for r in records:
        key = (r.get("kind") or "elf", r.get("isa") or "-", str(r.get("vlen") or "-"),
               "fuzz:" + str(r.get("mode")) if r.get("kind") == "fuzz" else
               ("kvm" if r.get("kvm") else "machine"))
        g = groups.setdefault(key, [0, 0, 0, 0.0])
        g[0] += 1
        g[1] += not r.get("ok")
        g[2] += int(r.get("instructions") or 0)
        g[3] += float(r.get("seconds") or 0.0)
    head = ("kind", "isa", "vlen", "where", "runs", "failed", "instructions", "seconds", "MIPS")
    rows = [head]
    tot = [0, 0, 0, 0.0]
    for key in sorted(groups):
        g = groups[key]
        tot = [a + b for a, b in zip(tot, g)]
        rows.append(key + (str(g[0]), str(g[1]), str(g[2]), f"{g[3]:.2f}",
                           f"{g[2] / g[3] / 1e6:.1f}" if g[3] else "-"))
    rows.append(("total", "", "", "", str(tot[0]), str(tot[1]), str(tot[2]), f"{tot[3]:.2f}",
                 f"{tot[2] / tot[3] / 1e6:.1f}" if tot[3] else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i < 4 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    failed = [r for r in records if not r.get("ok")]
    for r in failed[:10]:
        lines.append(f"FAILED {r['id']}: reason={r.get('reason')} exit={r.get('exit_code')} "
                     f"error={r.get('error')}")
    if len(failed) > 10:
        lines.append(f"... and {len(failed) - 10} more failures")
    return "\n".join(lines)
