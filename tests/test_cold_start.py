"""Issue 18: the installed package fits every public estimator without compiling.

The package is built and installed as a user gets it (``pip install --target``:
the build backend compiles the kernels into the wheel, starting from the
source tree's cache that ``make setup`` made), then a new process with only
the installed copy on its path fits every public estimator on small float64
and float32 data and counts numba's compile events: there must be none.
A read-only install loads the same code from a copy in the user's cache.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

FIT_ALL = textwrap.dedent("""
    import json, sys, time
    {prelude}
    import numpy as np
    import clusterlab
    from numba.core import event
    from clusterlab._precompile import _base_params, estimators

    compiles = []
    class Listener(event.Listener):
        def on_start(self, ev):
            pass
        def on_end(self, ev):
            compiles.append(ev.data["dispatcher"].py_func.__qualname__)
    event.register("numba:compile", Listener())

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 3))
    X[:700] += 5.0
    seconds = {{}}
    for name, cls in estimators().items():
        if {only} and name not in {only}:
            continue
        for dtype in ("float64", "float32"):
            t = time.perf_counter()
            est = cls(**_base_params(cls)).fit(X.astype(dtype))
            for method in ("predict", "score_samples"):
                if hasattr(est, method):
                    getattr(est, method)(X[:50].astype(dtype))
            seconds[f"{{name}} {{dtype}}"] = round(time.perf_counter() - t, 3)
    print("RESULT " + json.dumps({{"file": clusterlab.__file__, "compiles": compiles,
                                   "seconds": seconds}}))
""")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("cold") / "site"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR")}
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-v", "--no-deps", "--no-build-isolation",
         "--target", str(prefix), str(ROOT)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    log = proc.stdout + proc.stderr
    assert "compiling the numba kernels into the wheel" in log, log[-2000:]
    assert "not precompiled" not in log, log[-2000:]
    assert any((prefix / "clusterlab" / "_numba_cache").rglob("*.nbc"))
    return prefix


def _run(prefix, tmp_path, prelude="", only=(), extra_env=None):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR")}
    env.update(PYTHONPATH=str(prefix), **(extra_env or {}))
    code = FIT_ALL.format(prelude=prelude, only=repr(tuple(only)))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@pytest.mark.parametrize("small_kernel_work", [None, "0"], ids=["default", "numba-only"])
def test_installed_package_fits_every_estimator_without_compiling(installed, tmp_path,
                                                                  small_kernel_work):
    # "0": every kernel call goes to numba (small k-means and mixture fits otherwise
    # run the numpy kernels), so larger data's kernels are shown shipped too
    extra = {} if small_kernel_work is None else {"CLUSTERLAB_SMALL_KERNEL_WORK": "0"}
    out = _run(installed, tmp_path, extra_env=extra)
    assert out["file"].startswith(str(installed)), out["file"]  # the installed copy, not src/
    assert len(out["seconds"]) >= 16, out["seconds"]  # 8+ estimators, two dtypes each
    assert out["compiles"] == [], (out["compiles"], out["seconds"])


def test_read_only_install_loads_a_copy_in_the_user_cache(installed, tmp_path):
    # As root every folder is writable, so the package folder is declared read-only.
    prelude = ("import clusterlab._kernels._cache as c\n"
               "w = c._writable\n"
               "c._writable = lambda p: c.PACKAGE not in p.parents and w(p)")
    out = _run(installed, tmp_path, prelude=prelude, only=("KMeans", "GaussianMixture"),
               extra_env={"XDG_CACHE_HOME": str(tmp_path / "cache"),
                          "CLUSTERLAB_SMALL_KERNEL_WORK": "0"})
    assert out["compiles"] == [], out["compiles"]
    copies = list((tmp_path / "cache" / "numba").glob("clusterlab-*/_kernels/*.nbc"))
    assert copies, "the shipped kernels were not copied into the user's cache"
