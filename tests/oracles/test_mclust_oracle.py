"""GaussianMixture's fourteen covariance models against R's mclust.

``mclust_oracle.R`` writes, per data set, mclust's initial partitions (its
model-based hierarchical clustering) for k = 1..9 and one tightly converged EM
fit (``mclust::me``) per model and k from them; the fixtures in ``fixtures/``
are its output. We fit from the same partitions and compare log-likelihoods
(1e-6 relative), BIC (0.01), parameter counts (exact) and the best model by
BIC. The one exclusion is VVE, with its measured reason in its own test: mclust's
VVE M-step leaves the volumes out of the orientation update, so it converges
elsewhere than the likelihood's EM; mclust's variant, run by our engine, matches
it. With R and mclust installed, a test reruns the script and checks that it
still writes the committed fixtures.
"""

import json
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterlab import GaussianMixture
from clusterlab.datasets import load_faithful, load_iris
from clusterlab.mixture.families import Gaussian
from clusterlab.mixture.families._parsimonious import VVE, _geo

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
FIXTURES = HERE / "fixtures"
SETS = ("faithful", "iris", "seeds")
MODELS = ("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV",
          "EVV", "VVV")
_TABLES = {}


def _data(name):
    if name == "faithful":
        return np.asarray(load_faithful(), dtype=np.float64)
    if name == "iris":
        return load_iris()[0]
    return np.loadtxt(ROOT / "tests" / "data" / "seeds_dataset.txt")[:, :7]


def _fixture(name, folder=FIXTURES):
    return json.loads((folder / f"mclust_{name}.json").read_text())


class MclustVVE(VVE):
    """VVE as mclust 6's Fortran ``mevve`` computes it: both MM steps weigh component
    ``k`` by the unit-determinant shape ``A_k^-1`` where the VVE likelihood has
    ``(lambda_k A_k)^-1`` (the volumes left out), and the inner iterations stop on
    mclust's target ``sum_k tr(A_k^-1 D^T W_k D)``. Everything else is our VVE."""

    def weights(self, diag):
        return _geo(diag)[:, None] / diag

    def target(self, n, p):
        return float(p.shape[1] * _geo(p).sum())


def _fit(X, model, k, labels):
    start = np.asarray(labels, dtype=np.intp) - 1
    gm = GaussianMixture(k, covariance_type=model, reg_covar=0.0, tol=1e-10, max_iter=5000,
                         init_params=lambda X, k, rng: start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gm.fit(X)


def _compare(name, models=MODELS, structure=None):
    ref = _fixture(name)
    X = _data(name)
    n = X.shape[0]
    rows = []
    for fit in ref["fits"]:
        model, k = fit["model"], fit["k"]
        if model not in models:
            continue
        counted = Gaussian(model).n_parameters(k, X.shape[1]) + k - 1
        assert counted == fit["n_parameters"], (model, k)  # mclust's nMclustParams
        if fit["loglik"] is None:  # mclust's fit failed (singular): nothing to compare
            continue
        gm = _fit(X, structure or model, k, ref["partitions"][k - 1])
        assert gm.n_parameters_ == counted
        ll = gm.score(X) * n
        rows.append({"model": model, "k": k, "ours_ll": ll, "ours_bic": gm.bic(X),
                     "mclust_ll": fit["loglik"], "mclust_bic": fit["bic"],
                     "both_converged": bool(fit["converged"] and gm.converged_),
                     "degenerate": len(gm.collapsed_components_) > 0})
    return pd.DataFrame(rows), ref


def _table(name, model):
    if (name, model) not in _TABLES:
        _TABLES[name, model] = _compare(name, (model,))[0]
    return _TABLES[name, model]


@pytest.mark.parametrize("name", SETS)
def test_hc_partitions_are_mclusts(name):
    """mclust's ``hclass(hc(X, "VVV", use = "SVD"), 1:9)``, row for row (up to the
    numbering of the clusters), from our ``init_params="hc"``."""
    ref = _fixture(name)
    X = _data(name)
    for k in range(1, 10):
        ours = GaussianMixture(init_params="hc").initial_partition(X, k)
        theirs = np.asarray(ref["partitions"][k - 1])
        pairs = set(zip(ours.tolist(), theirs.tolist(), strict=True))
        assert len(pairs) == k == len(set(ours.tolist())), (k, len(pairs))


def _assert_agrees(table):
    assert len(table) >= 5  # k = 1..9 less mclust's singular fits
    both = table[table["both_converged"]]
    assert len(both) >= 0.75 * len(table)
    rel = (both["ours_ll"] - both["mclust_ll"]).abs() / both["mclust_ll"].abs()
    assert (rel < 1e-6).all(), both.assign(rel=rel)
    assert (both["ours_bic"] + both["mclust_bic"]).abs().max() < 0.01


@pytest.mark.slow
@pytest.mark.parametrize("model", [m for m in MODELS if m != "VVE"])
@pytest.mark.parametrize("name", SETS)
def test_log_likelihood_bic_and_parameter_counts_match_mclust(name, model):
    # EVE too: its MM iterations follow mclust's path (D = I and unit shapes at the
    # start of a run, MM 1 then MM 2 per inner iteration, warm-started between
    # M-steps, up to 14,119 inner iterations in the first M-step on seeds k=6)
    _assert_agrees(_table(name, model))


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_vve_differs_from_mclust_only_by_the_volumes_in_the_orientation_update(name):
    """VVE is the one model excluded from the comparison above, for a measured reason.

    mclust's ``mevve`` weighs the MM orientation updates by ``A_k^-1`` (unit
    determinant) instead of the likelihood's ``(lambda_k A_k)^-1``, so its EM
    converges to a point that is not a stationary point of the VVE likelihood
    unless the volumes are equal. ``MclustVVE`` (our engine with that one
    change) reproduces every mclust VVE fit to ~1e-10 relative with the same
    iteration counts, which both pins the cause and checks the rest of our VVE.
    Our VVE (the likelihood's weights) measured against mclust from the same
    partitions: faithful k=2..9 higher by 7e-5..1e-3 relative (k=3: -1122.664
    vs -1122.797); iris higher at k=2,3,4,6..9 and lower at k=5 (-208.07 vs
    -190.84, another local optimum); seeds higher at k=2,3,5,6, lower at k=4.
    """
    _assert_agrees(_compare(name, ("VVE",), MclustVVE())[0])
    if name != "faithful":
        return
    ref = _fixture(name)
    X = _data(name)
    for k in (3, 5):  # our VVE: a monotone run, the VVE constraint, above mclust's
        gm = _fit(X, "VVE", k, ref["partitions"][k - 1])
        assert np.all(np.diff(gm.history_["log_likelihood"]) >= -1e-12)
        D = np.linalg.eigh(gm.covariances_[0])[1]
        for cov in gm.covariances_:
            rotated = D.T @ cov @ D
            off = rotated - np.diag(np.diag(rotated))
            assert np.abs(off).max() < 1e-8 * np.abs(rotated).max()
        mclust_ll = next(f["loglik"] for f in ref["fits"] if (f["model"], f["k"]) == ("VVE", k))
        assert gm.score(X) * X.shape[0] > mclust_ll + 0.1


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_the_best_model_by_bic_is_mclusts(name):
    ref = _fixture(name)
    rows = []
    for fit in ref["fits"]:
        if fit["loglik"] is not None and fit["model"] != "VVE":
            rows.append(fit)
    # mclust's own choice (Mclust() with its defaults) among converged, non-singular fits:
    # we refit its best and the runner-up per model and check the order agrees
    frame = pd.DataFrame(rows).sort_values("bic", ascending=False).head(6)
    X = _data(name)
    ours = {}
    for _, fit in frame.iterrows():
        gm = _fit(X, fit["model"], int(fit["k"]), ref["partitions"][int(fit["k"]) - 1])
        if len(gm.collapsed_components_) == 0:
            ours[fit["model"], int(fit["k"])] = gm.bic(X)
    best = min(ours, key=ours.get)
    assert best == (ref["mclust_best"]["model"], ref["mclust_best"]["k"])


@pytest.mark.slow
def test_the_r_script_reproduces_the_fixtures(tmp_path):
    # .ci/run installs R and mclust, so CI reruns the script; a machine without R still
    # checks every comparison above against the committed fixtures, so skipping is right.
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed (apt-get install r-cran-mclust r-cran-jsonlite); "
                    "the committed fixtures are used instead")
    probe = subprocess.run(["Rscript", "-e", "library(mclust); library(jsonlite)"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip("R packages mclust/jsonlite missing (apt-get install r-cran-mclust)")
    subprocess.run(["Rscript", str(HERE / "mclust_oracle.R"), str(tmp_path),
                    str(ROOT / "src" / "clusterlab" / "datasets" / "data"),
                    str(ROOT / "tests" / "data"), "faithful"], check=True, timeout=300)
    new, old = _fixture("faithful", tmp_path), _fixture("faithful")
    assert new["partitions"] == old["partitions"]
    assert new["mclust_best"]["model"] == old["mclust_best"]["model"]
    for a, b in zip(new["fits"], old["fits"], strict=True):
        assert (a["model"], a["k"], a["n_parameters"]) == (b["model"], b["k"], b["n_parameters"])
        if a["loglik"] is not None and b["loglik"] is not None:
            assert abs(a["loglik"] - b["loglik"]) <= 1e-8 * abs(b["loglik"])
