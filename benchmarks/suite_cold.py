"""Cold start (issue 18): a fresh install's import, first fit, second fit and memory.

Run from the repository root (never two benchmarks at once)::

    flock /tmp/bench.lock .venv/bin/python -m benchmarks cold [--only KMeans] [--repeats 3]

The package is built and installed once, as a user gets it, into a temporary
prefix (``pip install --no-deps --no-build-isolation --target``: the build
backend's step compiles the kernels into the installed package; dependencies
come from this interpreter's environment). Then, for each public estimator, a
new process with only that prefix on ``PYTHONPATH`` times ``import
clusterlab``, the estimator's import, the first ``fit`` and a second one on
2,000 x 3 data, counts numba compile events and reads its peak resident
memory; the same for scikit-learn's estimator (scikit-fuzzy's ``cmeans`` for
FuzzyCMeans). "empty cache" reruns ours with ``NUMBA_CACHE_DIR`` pointing at a
new empty folder, so numba compiles everything: what a fresh install cost
before this build step. The last rows: KMeans and GaussianMixture fitted in
one process (the memory floor), and ``clusterlab faithful`` (the README's main
job) end to end, process start to exit.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (our import, our call, peer label, peer import, peer call); a call maps X to a fit
CASES = {
    "KMeans": ("from clusterlab import KMeans", "KMeans(3, random_state=0).fit(X)",
               "scikit-learn", "from sklearn.cluster import KMeans",
               "KMeans(3, random_state=0).fit(X)"),
    "MiniBatchKMeans": ("from clusterlab import MiniBatchKMeans",
                        "MiniBatchKMeans(3, random_state=0).fit(X)", "scikit-learn",
                        "from sklearn.cluster import MiniBatchKMeans",
                        "MiniBatchKMeans(3, random_state=0).fit(X)"),
    "GaussianMixture": ("from clusterlab import GaussianMixture",
                        "GaussianMixture(3, covariance_type='full', random_state=0).fit(X)",
                        "scikit-learn", "from sklearn.mixture import GaussianMixture",
                        "GaussianMixture(3, covariance_type='full', random_state=0).fit(X)"),
    "FuzzyCMeans": ("from clusterlab import FuzzyCMeans", "FuzzyCMeans(3, random_state=0).fit(X)",
                    "scikit-fuzzy", "from skfuzzy.cluster import cmeans",
                    "cmeans(X.T, 3, 2.0, error=1e-4, maxiter=300, seed=0)"),
    "AgglomerativeClustering": ("from clusterlab import AgglomerativeClustering",
                                "AgglomerativeClustering(3).fit(X)", "scikit-learn",
                                "from sklearn.cluster import AgglomerativeClustering",
                                "AgglomerativeClustering(3).fit(X)"),
    "KernelDensity (fit + score_samples)": (
        "from clusterlab import KernelDensity", "KernelDensity().fit(X).score_samples(X)",
        "scikit-learn", "from sklearn.neighbors import KernelDensity",
        "KernelDensity().fit(X).score_samples(X)"),
    "KMeans + GaussianMixture (memory floor)": (
        "from clusterlab import GaussianMixture, KMeans",
        "(KMeans(3, random_state=0).fit(X), GaussianMixture(3, random_state=0).fit(X))",
        "scikit-learn", "from sklearn.cluster import KMeans\n"
        "from sklearn.mixture import GaussianMixture",
        "(KMeans(3, random_state=0).fit(X), GaussianMixture(3, random_state=0).fit(X))"),
}

CHILD = """
import time
t0 = time.perf_counter()
import {package}
t1 = time.perf_counter()
{imports}
t2 = time.perf_counter()
import json, sys
import numpy as np
compiles = []
if "numba" in sys.modules:
    from numba.core import event
    event.register("numba:compile", type("L", (event.Listener,), {{
        "on_start": lambda self, ev: None,
        "on_end": lambda self, ev: compiles.append(1)}})())
rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 3))
X[:700] += 5.0
t3 = time.perf_counter()
{call}
t4 = time.perf_counter()
{call}
t5 = time.perf_counter()
peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print("RESULT " + json.dumps({{"package_import_s": t1 - t0, "import_s": t2 - t0,
    "first_s": t4 - t3, "second_s": t5 - t4, "peak_mb": int(peak) / 1024,
    "compiles": len(compiles), "file": {package}.__file__}}))
"""


def install(prefix):
    """Build and install the package into ``prefix``; return the seconds it took."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--no-build-isolation", "--target", str(prefix), str(ROOT)],
                   check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": ""})
    return time.perf_counter() - t0


def child_env(prefix, numba_cache=None):
    """Only the installed copy on the path (never the source tree)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR")}
    env["PYTHONPATH"] = str(prefix)
    if numba_cache:
        env["NUMBA_CACHE_DIR"] = str(numba_cache)
    return env


def measure(package, imports, call, env, cwd):
    """One new process; its RESULT dict (or ``{"error": ...}``)."""
    code = CHILD.format(package=package, imports=imports, call=call)
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=600, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    return {"error": " | ".join(proc.stderr.strip().splitlines()[-2:])}


def _median(runs):
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[0]
    first = ok[0]
    return {k: statistics.median(r[k] for r in ok) if isinstance(v, float | int) else v
            for k, v in first.items()}


def faithful(env, cwd):
    """``clusterlab faithful`` end to end: process start to exit, in seconds."""
    code = ("import sys; from clusterlab.cli.main import main; "
            "sys.exit(main(['faithful', '--out', sys.argv[1], '--quiet']))")
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code, out], env=env, cwd=cwd,
                              capture_output=True, text=True, timeout=600, check=False)
        elapsed = time.perf_counter() - t0
    return elapsed if proc.returncode == 0 else None


def _row(label, r):
    if "error" in r:
        return f"| {label} | failed: {r['error'][:100]} | | | | |"
    return (f"| {label} | {r['import_s']:.2f} | {r['first_s']:.3f} | {r['second_s']:.3f} "
            f"| {r['peak_mb']:.0f} | {r.get('compiles', '—')} |")


def run_suite(only=None, runners=None, repeats=None):
    """Install once, then every case (the runner calls this instead of WORKLOADS)."""
    repeats = repeats or 3
    work = Path(tempfile.mkdtemp(prefix="clusterlab-cold-"))
    prefix = work / "site"
    try:
        seconds = install(prefix)
        print(f"installed into {prefix} in {seconds:.0f} s (build step included)\n", flush=True)
        records = _run_cases(prefix, work, only, repeats)
        with open(ROOT / "bench-results" / "cold.jsonl", "a") as fh:
            fh.write(json.dumps({"install_s": seconds, "records": records}) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_cases(prefix, work, only, repeats):
    (ROOT / "bench-results").mkdir(exist_ok=True)
    shipped = child_env(prefix)
    pkg_import = _median([measure("clusterlab", "", "pass", shipped, work)
                          for _ in range(repeats)])
    print(f"`import clusterlab` alone: {pkg_import['package_import_s']:.3f} s, "
          f"from {pkg_import['file']}\n", flush=True)
    if not pkg_import["file"].startswith(str(prefix)):
        raise RuntimeError(f"the installed copy was not imported: {pkg_import['file']}")
    print("| case | import s | first fit s | second fit s | peak MB | numba compiles |")
    print("|---|---|---|---|---|---|")
    records = {"import clusterlab": pkg_import}
    for name, (ours_imp, ours_call, peer, peer_imp, peer_call) in CASES.items():
        if only and not any(o.lower() in name.lower() for o in only):
            continue
        ours = _median([measure("clusterlab", ours_imp, ours_call, shipped, work)
                        for _ in range(repeats)])
        empty = measure("clusterlab", ours_imp, ours_call,
                        child_env(prefix, tempfile.mkdtemp(dir=work)), work)
        theirs = _median([measure(peer_imp.split()[1].split(".")[0], peer_imp, peer_call,
                                  shipped, work) for _ in range(repeats)])
        for label, r in ((f"{name}: clusterlab, installed", ours),
                         (f"{name}: clusterlab, empty cache (before)", empty),
                         (f"{name}: {peer}", theirs)):
            print(_row(label, r), flush=True)
        records[name] = {"shipped": ours, "empty": empty, "peer": theirs}
    if not only or any("faithful" in o for o in only):
        warm = statistics.median(faithful(shipped, work) or float("nan") for _ in range(repeats))
        cold = faithful(child_env(prefix, tempfile.mkdtemp(dir=work)), work)
        print(f"\n`clusterlab faithful` end to end: {warm:.2f} s installed, "
              f"{cold:.2f} s with an empty cache (before)", flush=True)
        records["faithful"] = {"shipped": warm, "empty": cold}
    return records


WORKLOADS = []  # this suite has its own protocol: run_suite above
