#!/usr/bin/env python3
"""Statistical agreement of `brink run` with the SimPy reference model.

Runs shared/reference/simpy_ref.py and target/release/brink with the same
flags over several seeds for each scenario, and prints, for every total,
latency figure and queueing figure, the mean and standard deviation over the
seeds of each program and

    z = (mean_brink - mean_ref) / sqrt(sd_brink^2 / n + sd_ref^2 / n)

(z = 0 when both deviations are 0 and the means are equal). The two programs
use different random streams, so single runs differ; means over seeds must
agree within noise. Exits 1 if any |z| >= 3 and names those rows.

    python3 scripts/agreement.py --seeds 5 --jobs 2

The reference is --ref if given, else $BRINK_REF, else ../shared/reference/
simpy_ref.py beside the repository root. SimPy is slow (20-60 s per 60 s run
on a 2-core machine; ten seeds of all four scenarios take about ten minutes):
use --ref-cache DIR to keep its outputs between runs.
"""

import argparse
import concurrent.futures
import hashlib
import json
import math
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, flags, what it exercises). Every flag is given to both programs.
SCENARIOS = [
    ("steady", [], "the default: 10,000 req/s, 60 s, utilisation 0.78, no retries"),
    ("overload", ["--rate", "14000"], "offered load above capacity: 503s and retries"),
    ("storm", ["--rate", "14000", "--queue", "5000"],
     "deep queues: waits beyond the 1 s timeout, wasted work"),
    ("spike", ["--spike-mult", "3", "--backoff", "fixed"],
     "30,000 req/s from 20 s to 30 s with fixed 100 ms backoff: synchronised retries"),
]

TOTALS = ["offered", "attempts", "throughput", "goodput", "rejected", "timed_out", "failed",
          "wasted", "unresolved_at_end"]
LATENCY = ["p50_ms", "p99_ms", "mean_ms"]
QUEUEING = ["sim_p_wait", "sim_mean_wait_ms"]


def metrics(report):
    """The compared figures of one JSON report, by row name."""
    out = {f"totals.{k}": report["totals"][k] for k in TOTALS}
    out.update({f"latency.{k}": report["latency_success"][k] for k in LATENCY})
    out.update({f"queueing.{k}": report["queueing"][k] for k in QUEUEING})
    return out


def default_ref():
    return os.environ.get("BRINK_REF") or os.path.join(
        os.path.dirname(ROOT), "shared", "reference", "simpy_ref.py")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=5, help="seeds 1..N per scenario (default 5)")
    p.add_argument("--jobs", type=int, default=2, help="processes at once, at most 2 (default 2)")
    p.add_argument("--ref", default=default_ref(), help="path of simpy_ref.py")
    p.add_argument("--brink", default=os.path.join(ROOT, "target", "release", "brink"),
                   help="path of the brink binary")
    p.add_argument("--scenarios", default=",".join(s[0] for s in SCENARIOS),
                   help="comma-separated subset of: " + ", ".join(s[0] for s in SCENARIOS))
    p.add_argument("--ref-cache", default=None,
                   help="directory keeping the reference's JSON per scenario and seed")
    p.add_argument("--duration", default=None,
                   help="simulated seconds for every scenario, for a quick smoke check "
                        "(default: the programs' own 60 s)")
    a = p.parse_args()
    if a.seeds < 2:
        p.error("--seeds must be at least 2 (a standard deviation needs two runs)")
    if not 1 <= a.jobs <= 2:
        p.error("--jobs must be 1 or 2: the machine has two cores")
    known = {s[0] for s in SCENARIOS}
    a.scenarios = [s for s in a.scenarios.split(",") if s]
    for s in a.scenarios:
        if s not in known:
            p.error(f"unknown scenario {s!r}")
    for path in (a.ref, a.brink):
        if not os.path.exists(path):
            p.error(f"not found: {path}")
    return a


def cache_path(cache_dir, ref_path, flags, seed):
    """A file name that changes when the reference program or flags change."""
    with open(ref_path, "rb") as f:
        digest = hashlib.sha256(f.read() + json.dumps(flags).encode()).hexdigest()[:16]
    return os.path.join(cache_dir, f"ref-{digest}-seed{seed}.json")


def run_one(a, program, flags, seed):
    """Runs one program once; returns (metrics, params, wall seconds)."""
    args = flags + ["--seed", str(seed)]
    if program == "ref":
        cached = cache_path(a.ref_cache, a.ref, flags, seed) if a.ref_cache else None
        if cached and os.path.exists(cached):
            with open(cached) as f:
                report = json.load(f)
            return metrics(report), report["params"], 0.0
        cmd = [sys.executable, a.ref] + args
    else:
        cached = None
        cmd = [a.brink, "run"] + args
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
    report = json.loads(proc.stdout)
    if cached:
        os.makedirs(a.ref_cache, exist_ok=True)
        with open(cached, "w") as f:
            f.write(proc.stdout)
    return metrics(report), report["params"], wall


def check_params(name, ref, brink):
    """Both programs must echo the same effective parameters: a difference
    means the CLI maps a flag to the wrong field."""
    diff = {k: (ref[k], brink.get(k)) for k in ref if k != "indent" and ref[k] != brink.get(k)}
    if diff:
        print(f"agreement.py: {name}: params differ (reference, brink): {diff}", file=sys.stderr)
        sys.exit(2)


def mean_sd(xs):
    m = sum(xs) / len(xs)
    var = sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
    return m, math.sqrt(var)


def z_score(ref, brink):
    (mr, sr), (mb, sb), n = mean_sd(ref), mean_sd(brink), len(ref)
    se = math.sqrt(sb * sb / n + sr * sr / n)
    if se == 0.0:
        return 0.0 if mb == mr else math.copysign(math.inf, mb - mr)
    return (mb - mr) / se


def fmt(m, sd):
    if abs(m) >= 1000:
        return f"{m:.1f} ± {sd:.1f}"
    return f"{m:.5g} ± {sd:.3g}"


def table(name, flags, results, seeds):
    """Prints one scenario's rows; returns the rows with |z| >= 3."""
    flagged = []
    shown = " ".join(flags) if flags else "(defaults)"
    print(f"\n### {name}: `{shown}`, seeds 1-{seeds}\n")
    print(f"| {'metric':<26} | {'reference mean ± sd':>26} | {'brink mean ± sd':>26} | {'z':>7} |")
    print(f"|{'-' * 28}|{'-' * 27}:|{'-' * 27}:|{'-' * 8}:|")
    for key in results["ref"][0]:
        ref = [r[key] for r in results["ref"]]
        brk = [r[key] for r in results["brink"]]
        if any(v is None for v in ref + brk):
            print(f"| {key:<26} | {'n/a':>26} | {'n/a':>26} | {'':>7} |")
            continue
        z = z_score(ref, brk)
        mark = " **" if abs(z) >= 3 else ""
        print(f"| {key:<26} | {fmt(*mean_sd(ref)):>26} | {fmt(*mean_sd(brk)):>26} | {z:>7.2f} |{mark}")
        if abs(z) >= 3:
            flagged.append((name, key, z))
    return flagged


def main():
    a = parse_args()
    extra = ["--duration", a.duration] if a.duration else []
    chosen = [(name, flags + extra, about) for name, flags, about in SCENARIOS if name in a.scenarios]
    seeds = list(range(1, a.seeds + 1))
    tasks = [(name, program, flags, seed) for name, flags, _ in chosen
             for seed in seeds for program in ("ref", "brink")]
    # Slow reference runs first, so the two job slots stay busy to the end.
    tasks.sort(key=lambda t: t[1] != "ref")
    results = {name: {"ref": [None] * len(seeds), "brink": [None] * len(seeds)} for name, _, _ in chosen}
    params = {}
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futures = {pool.submit(run_one, a, program, flags, seed): (name, program, seed)
                   for name, program, flags, seed in tasks}
        for fut in concurrent.futures.as_completed(futures):
            name, program, seed = futures[fut]
            try:
                m, echoed, wall = fut.result()
            except (RuntimeError, OSError, ValueError) as e:
                pool.shutdown(wait=False, cancel_futures=True)
                print(f"agreement.py: {e}", file=sys.stderr)
                sys.exit(2)
            results[name][program][seed - 1] = m
            params[(name, program, seed)] = echoed
            print(f"[{time.time() - started:7.1f} s] {name} {program} seed {seed}: {wall:.1f} s",
                  file=sys.stderr, flush=True)
    for name, _, _ in chosen:
        for seed in seeds:
            check_params(name, params[(name, "ref", seed)], params[(name, "brink", seed)])
    print(f"Reference: {os.path.relpath(a.ref, ROOT)}; brink: {os.path.relpath(a.brink, ROOT)}; "
          f"{a.seeds} seeds per scenario; z = (mean_b - mean_r) / sqrt(sd_b^2/n + sd_r^2/n).")
    flagged = []
    for name, flags, about in chosen:
        print(f"\n{name}: {about}.", end="")
        flagged += table(name, flags, results[name], a.seeds)
    print()
    if flagged:
        for name, key, z in flagged:
            print(f"DISAGREE: {name} {key}: z = {z:.2f}")
        sys.exit(1)
    print("All rows agree: every |z| < 3.")


if __name__ == "__main__":
    main()
