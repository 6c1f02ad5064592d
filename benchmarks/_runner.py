"""Spawn one child per (workload, library), then print the comparison table."""

import json
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_child(suite, workload, runner, timeout_s, repeats=None):
    cmd = [sys.executable, "-m", "benchmarks._child", suite, workload.name, runner]
    if repeats:
        cmd.append(str(repeats))
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout_s} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"error": " | ".join(tail) or f"exit code {proc.returncode}"}


def _fmt(x, digits=4):
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def format_table(workload, results):
    """Markdown table: ours first, then each peer with ratio ours/peer."""
    names = list(workload.runners)
    ours = results[names[0]]
    lines = [
        f"### {workload.name}: {workload.description}",
        "",
        f"| library | median s | ours / this | peak MB | Δ MB | {workload.quality_name} "
        "| rel. diff vs ours | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    peer_times = []
    for name in names:
        r = results[name]
        if "error" in r:
            lines.append(f"| {name} | failed | — | — | — | — | — | {r['error'][:120]} |")
            continue
        ratio = rel = None
        if "error" not in ours:
            ratio = ours["seconds"] / r["seconds"]
            if ours.get("quality") is not None and r.get("quality") is not None:
                rel = abs(r["quality"] - ours["quality"]) / max(abs(ours["quality"]), 1e-300)
        if name != names[0]:
            peer_times.append(r["seconds"])
        lines.append(
            f"| {name} | {_fmt(r['seconds'])} | {_fmt(ratio, 3)} | {r['peak_mb']:.0f} "
            f"| {r['delta_mb']:.0f} | {_fmt(r.get('quality'), 10)} | {_fmt(rel, 2)} "
            f"| {r.get('note', '')} |"
        )
    if peer_times and "error" not in ours:
        best = min(peer_times)
        lines.append("")
        lines.append(
            f"ours / fastest peer = {ours['seconds'] / best:.3f}"
            + (f" (target: {workload.target})" if workload.target else "")
        )
    return "\n".join(lines)


def run_suite(suite, only=None, runners=None, repeats=None):
    module = import_module(f"benchmarks.suite_{suite}")
    if hasattr(module, "run_suite"):  # a suite with its own protocol (cold: installs first)
        module.run_suite(only, runners, repeats)
        return
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    for workload in module.WORKLOADS:
        if only and not any(o.lower() in workload.name.lower() for o in only):
            continue
        results = {}
        for name in workload.runners:
            if runners and name not in runners and name != next(iter(workload.runners)):
                continue
            results[name] = run_child(suite, workload, name, workload.timeout_s, repeats)
            print(f"  {workload.name} / {name}: {_fmt(results[name].get('seconds'))} s",
                  file=sys.stderr, flush=True)
        workload.runners = {k: v for k, v in workload.runners.items() if k in results}
        table = format_table(workload, results)
        print(table + "\n", flush=True)
        record = out_dir / f"{suite}.jsonl"
        with open(record, "a") as fh:
            fh.write(json.dumps({"workload": workload.name, "results": results,
                                 "pid": os.getpid()}) + "\n")
