"""Compile the kernels every public estimator uses, into the package's cache.

``python -m clusterlab._precompile`` fits every public estimator (each class
in ``clusterlab.__all__`` with ``fit``) on small data, once per string option
of each of its declared hyperparameters (``_parameter_constraints``' Options:
algorithm, covariance_type, linkage, kernel, family, ...), on float64 and
float32 data, with sample weights, sparse and incomplete input where the
estimator takes them, calls its predict / transform / score methods, and runs
the command line's default job. numba saves each specialisation it compiles in
``clusterlab/_numba_cache`` (see ``clusterlab._kernels._cache``), which the
build step (``build_py`` in ``build_backend/clusterlab_build.py``) and ``make setup`` ship with the
package, so a user's first fit loads machine code instead of compiling it.

The list is derived from the estimators themselves: a new estimator or option
is compiled without editing this file. A case that fails (an option that needs
other data) is skipped and counted; a kernel it would have compiled is then
compiled on its first use, as before.

Examples
--------
>>> from clusterlab._precompile import variants
>>> from clusterlab import KernelDensity
>>> {"kernel": "gaussian"} in variants(KernelDensity)
True
"""

import argparse
import contextlib
import inspect
import io
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import clusterlab
from clusterlab._validation.params import Options

METHODS = ("predict", "predict_proba", "transform", "score_samples", "score")
# methods without X, with small arguments: the FFT grid (1-3 dimensions; the default
# 256 points per axis would be a 16.7-million-point grid in 3-D), sampling
NO_X_METHODS = (("evaluate_grid", {"grid_points": 16}), ("sample", {"n_samples": 5}))
# hyperparameters whose options change which kernels run are enumerated; these
# only change start-up or bookkeeping
SKIP_PARAMS = {"n_init", "verbose", "stopping", "refine"}


def estimators():
    """Every public estimator class, by name."""
    out = {}
    for name in clusterlab.__all__:
        obj = getattr(clusterlab, name, None)
        if inspect.isclass(obj) and hasattr(obj, "fit") and hasattr(obj, "_parameter_constraints"):
            out[name] = obj
    return out


def variants(cls):
    """``[{}]`` plus ``{param: option}`` for each string option of each parameter."""
    out = [{}]
    for param, constraints in sorted(cls._parameter_constraints.items()):
        if param in SKIP_PARAMS:
            continue
        for c in constraints:
            if isinstance(c, Options):
                out += [{param: o} for o in sorted(o for o in c.values if isinstance(o, str))]
    return out


def datasets(rng):
    """Small inputs of each kind the estimators take: name -> (X, needs_kind)."""
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 4.0, 0.0], [0.0, 4.0, 4.0]])
    X = np.repeat(centres, 20, axis=0) + rng.normal(scale=0.5, size=(60, 3))
    holes = X.copy()
    holes[rng.uniform(size=X.shape) < 0.05] = np.nan
    holes[:, 0][np.isnan(holes).all(axis=1)] = 0.0
    return {
        "float64": X,
        "float32": X.astype(np.float32),
        "binary": (X > 2.0).astype(np.float64),
        "counts": rng.poisson(np.abs(X) + 0.5).astype(np.float64),
        "codes": rng.integers(0, 3, size=(60, 3)),
        "missing": holes,
        "distances": np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)),
        # kernels specialised on the number of features (grids, tuples of sizes)
        "1 feature": X[:, :1].copy(),
        "2 features": X[:, :2].copy(),
    }


def _base_params(cls):
    params = inspect.signature(cls).parameters
    base = {}
    for key in ("n_clusters", "n_components"):
        if key in params:
            base[key] = 3
    if "random_state" in params:
        base["random_state"] = 0
    return base


def _run(cls, params, X, sample_weight=None):
    est = cls(**params)
    if sample_weight is None:
        est.fit(X)
    else:
        est.fit(X, sample_weight=sample_weight)
    calls = [(m, (X[:10],), {}) for m in METHODS] + [(m, (), kw) for m, kw in NO_X_METHODS]
    for method, args, kwargs in calls:
        if hasattr(est, method):
            try:
                getattr(est, method)(*args, **kwargs)
            except Exception:  # noqa: BLE001 - not every method applies to every fit
                pass


def _fit(cls, params, data, kind):
    """One alternative: ``(label, callable)`` fitting ``cls(**params)`` on ``data[kind]``."""
    return (f"{cls.__name__}({params}) {kind}",
            lambda c=cls, p=params, X=data[kind]: _run(c, p, X))


def cases():
    """``[(label, variant group)]``: each group is a list of ``(label, callable)``
    alternatives; the first that succeeds counts, the rest are tried only on failure."""
    rng = np.random.default_rng(0)
    data = datasets(rng)
    out = []
    for name, cls in estimators().items():
        base = _base_params(cls)
        options = variants(cls)
        for variant in options:
            kinds = data if not variant or "family" in variant else ("float64", "float32")
            for kind in kinds:
                group = [_fit(cls, {**base, **variant}, data, kind)]
                # an option that needs another's company (metric="cosine" with ward)
                group += [_fit(cls, {**base, **other, **variant}, data, kind)
                          for other in options[1:] if other.keys() != variant.keys()]
                if kind == "float64":  # metric="precomputed" takes a distance matrix
                    group.append(_fit(cls, {**base, **variant}, data, "distances"))
                out.append(group)
        if "sample_weight" in inspect.signature(cls.fit).parameters:
            w = rng.uniform(0.5, 2.0, size=len(data["float64"]))
            for kind in ("float64", "float32"):
                out.append([(f"{name} weighted {kind}", lambda c=cls, p=base, X=data[kind], w=w:
                             _run(c, p, X, w.astype(X.dtype)))])
        out.append([(f"{name} sparse", lambda c=cls, p=base, X=data["float64"]:
                     _run(c, p, _csr(X)))])
    out.append([("clusterlab fit (the README's job)", _cli)])
    return out


def _csr(X):
    import scipy.sparse as sp

    return sp.csr_matrix(np.where(X > 1.0, X, 0.0))


def _cli():
    from clusterlab.cli.main import main

    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        main(["fit", "--out", tmp, "--quiet"])


def _first_success(group):
    """Run the alternatives in turn; the label of the first that succeeds, or None."""
    for label, run in group:
        try:
            run()
        except Exception:  # noqa: BLE001 - an option that needs other data
            continue
        return label
    return None


def precompile(verbose=True):
    """Run every case; return ``(n_ok, n_failed)``."""
    ok = failed = 0
    t0 = time.perf_counter()
    # every call to numba's kernels: the data here is small enough for the numpy
    # ones, which a user's larger data would not be
    with warnings.catch_warnings(), clusterlab.config(small_kernel_work=0):
        warnings.simplefilter("ignore")
        for group in cases():
            t = time.perf_counter()
            done = _first_success(group)
            ok += done is not None
            failed += done is None
            if verbose > 1 and done is None:
                print(f"  no fit for {group[0][0]}")
            elif verbose and time.perf_counter() - t > 2.0:
                print(f"  {time.perf_counter() - t:5.1f} s {done}", flush=True)
    if verbose:
        print(f"clusterlab: {ok} fits compiled and cached in {time.perf_counter() - t0:.0f} s "
              f"({failed} cases with no fitting data)", flush=True)
    return ok, failed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m clusterlab._precompile",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true", help="list the cases that fail")
    parser.add_argument("--expect-package", metavar="DIR",
                        help="fail unless clusterlab is imported from DIR (the build step's check)")
    args = parser.parse_args(argv)
    from clusterlab._kernels import _cache

    if args.expect_package and _cache.PACKAGE != Path(args.expect_package).resolve():
        parser.error(f"clusterlab imported from {_cache.PACKAGE}, not {args.expect_package}")

    if not args.quiet:
        print(f"clusterlab: compiling kernels into {_cache.SHIPPED}", flush=True)
    precompile(verbose=0 if args.quiet else 1 + args.verbose)
    removed = _cache.prune()
    if removed and not args.quiet:
        print(f"clusterlab: pruned {removed} cache files of changed kernels", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
