"""GaussianMixture and the engine: weights, chunks, restarts, warm starts, online EM,
collapse detection, criteria, sampling, float32 and model files."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture as SkGM

from clusterlab import GaussianMixture, MixtureModel, load_model, save_model
from clusterlab.datasets import load_faithful
from clusterlab.mixture import CollapsedComponentWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(500, 3, centers=3, cluster_std=[1.0, 1.5, 0.7], random_state=1)
    return X, y


def _start(X, k, kind="full"):
    sk = SkGM(k, covariance_type=kind, max_iter=1, random_state=0).fit(X)
    return {"weights_init": sk.weights_, "means_init": sk.means_,
            "precisions_init": sk.precisions_}


@pytest.mark.parametrize("kind", ["full", "tied", "diag", "spherical"])
def test_chunk_size_does_not_change_the_fit(blobs, kind):
    X, _ = blobs
    start = _start(X, 3, kind)
    a = GaussianMixture(3, covariance_type=kind, max_iter=15, tol=0, **start).fit(X)
    b = GaussianMixture(3, covariance_type=kind, max_iter=15, tol=0, chunk_size=37,
                        **start).fit(X)
    assert_allclose(a.history_["log_likelihood"], b.history_["log_likelihood"], rtol=1e-12)
    assert_allclose(a.covariances_, b.covariances_, rtol=1e-10)


@pytest.mark.parametrize("kind", ["full", "diag"])
def test_integer_sample_weight_equals_repeated_rows(blobs, kind):
    X, _ = blobs
    w = np.random.default_rng(0).integers(1, 4, X.shape[0])
    start = _start(X, 3, kind)
    a = GaussianMixture(3, covariance_type=kind, max_iter=20, tol=0, **start)
    a.fit(X, sample_weight=w)
    b = GaussianMixture(3, covariance_type=kind, max_iter=20, tol=0, **start)
    b.fit(np.repeat(X, w, axis=0))
    assert_allclose(a.history_["log_likelihood"], b.history_["log_likelihood"], rtol=1e-10)
    assert_allclose(a.means_, b.means_, rtol=1e-9)
    assert_allclose(a.covariances_, b.covariances_, rtol=1e-9)


def test_zero_weight_equals_dropping_rows(blobs):
    X, _ = blobs
    w = np.ones(X.shape[0])
    w[::3] = 0
    start = _start(X, 3)
    a = GaussianMixture(3, max_iter=10, tol=0, **start).fit(X, sample_weight=w)
    b = GaussianMixture(3, max_iter=10, tol=0, **start).fit(X[w > 0])
    assert_allclose(a.means_, b.means_, rtol=1e-10)


def test_warm_start_continues_where_it_stopped(blobs):
    X, _ = blobs
    start = _start(X, 3)
    once = GaussianMixture(3, max_iter=10, tol=0, **start).fit(X)
    twice = GaussianMixture(3, max_iter=5, tol=0, warm_start=True, **start).fit(X)
    first = twice.history_["log_likelihood"].to_numpy()
    twice.fit(X)
    joined = np.concatenate([first, twice.history_["log_likelihood"]])
    assert_allclose(joined, once.history_["log_likelihood"], rtol=1e-12)
    assert_allclose(twice.means_, once.means_, rtol=1e-12)


def test_n_init_keeps_the_best_lower_bound(blobs, monkeypatch):
    X, _ = blobs
    from clusterlab.mixture import _em

    seen, run_em = [], _em.run_em

    def spy(*args, **kwargs):
        res = run_em(*args, **kwargs)
        seen.append(res.lower_bound)
        return res

    monkeypatch.setattr(_em, "run_em", spy)
    best = GaussianMixture(3, init_params="random", max_iter=20, n_init=4, random_state=0)
    best.fit(X)
    assert len(seen) == 4 and len(set(seen)) > 1  # the restarts really differ
    assert best.lower_bound_ == max(seen)


@pytest.mark.parametrize("init", ["kmeans", "k-means++", "random", "random_from_data"])
def test_every_initialiser_finds_the_blobs(blobs, init):
    X, y = blobs
    gm = GaussianMixture(3, init_params=init, n_init=3, random_state=0).fit(X)
    labels = gm.predict(X)
    # a perfect clustering up to relabelling: each true blob maps to one component
    pairs = {(a, b) for a, b in zip(y, labels, strict=True)}
    assert len(pairs) == 3
    assert gm.converged_


def test_partial_fit_streams_towards_the_batch_fit(blobs):
    X, _ = make_blobs(6000, 2, centers=[[0, 0], [8, 8], [-8, 8]], random_state=2)
    online = GaussianMixture(3, covariance_type="diag", random_state=0)
    for batch in np.array_split(X, 30):
        online.partial_fit(batch)
    full = GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    order_o, order_f = np.lexsort(online.means_.T), np.lexsort(full.means_.T)
    assert_allclose(online.means_[order_o], full.means_[order_f], atol=0.1)
    assert_allclose(online.weights_[order_o], full.weights_[order_f], atol=0.02)
    assert online.n_iter_ == 30 and online.history_["log_likelihood"].size == 30
    assert abs(online.score(X) - full.score(X)) < 0.01


def test_collapse_on_old_faithful_is_flagged_and_named():
    """scikit-learn's BIC prefers a diagonal model with a collapsed variance; ours flags it."""
    X = load_faithful()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad = SkGM(9, covariance_type="diag", init_params="random_from_data",
                   random_state=7).fit(X)
        good = SkGM(3, covariance_type="diag", random_state=0).fit(X)
    assert bad.covariances_.min() < 2e-6  # one variance sits at reg_covar
    assert bad.bic(X) < good.bic(X)  # ... and BIC rewards it
    start = {"weights_init": bad.weights_, "means_init": bad.means_,
             "precisions_init": bad.precisions_}
    ours = GaussianMixture(9, covariance_type="diag", max_iter=5, **start)
    with pytest.warns(CollapsedComponentWarning, match=r"component \d+.*reg_covar"):
        ours.fit(X)
    collapsed = np.flatnonzero(bad.covariances_.min(axis=1) < 2e-6)
    assert_array_equal(ours.collapsed_components_, collapsed)
    clean = GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    assert clean.collapsed_components_.size == 0


@pytest.mark.parametrize("kind", ["full", "tied", "diag", "spherical"])
def test_singular_data_never_crashes_or_gives_nan(kind):
    # three points repeated: every component is singular, and reg_covar=0 removes the cushion
    X = np.repeat(np.array([[0.0, 1.0], [3.0, 3.0], [6.0, -1.0]]), 20, axis=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gm = GaussianMixture(3, covariance_type=kind, reg_covar=0.0, random_state=0).fit(X)
    assert np.all(np.isfinite(gm.means_)) and np.all(np.isfinite(gm.precisions_cholesky_))
    assert np.all(np.isfinite(gm.score_samples(X)))
    assert gm.collapsed_components_.size > 0
    assert any(issubclass(w.category, CollapsedComponentWarning) for w in caught)


def test_icl_is_bic_plus_twice_the_entropy(blobs):
    X, _ = blobs
    gm = GaussianMixture(3, random_state=0).fit(X)
    resp = gm.predict_proba(X)
    entropy = -np.sum(resp * np.log(np.where(resp > 0, resp, 1.0)))
    assert_allclose(gm.icl(X), gm.bic(X) + 2 * entropy, rtol=1e-10)
    assert gm.icl(X) >= gm.bic(X)


def test_sample_follows_the_weights_and_components(blobs):
    X, _ = blobs
    gm = GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    S, y = gm.sample(30_000, random_state=0)
    assert S.shape == (30_000, 3) and y.shape == (30_000,)
    assert_allclose(np.bincount(y, minlength=3) / 30_000, gm.weights_, atol=0.01)
    for j in range(3):
        assert_allclose(S[y == j].mean(axis=0), gm.means_[j], atol=0.1)


def test_float32_stays_usable_and_close_to_float64(blobs):
    X, _ = blobs
    start = _start(X, 3)
    a = GaussianMixture(3, max_iter=10, tol=0, **start).fit(X)
    b = GaussianMixture(3, max_iter=10, tol=0, **start).fit(X.astype(np.float32))
    assert_allclose(a.history_["log_likelihood"], b.history_["log_likelihood"], rtol=1e-5)
    assert b.predict(X.astype(np.float32)).dtype.kind == "i"


def test_model_file_round_trip(tmp_path, blobs):
    X, _ = blobs
    for model in (GaussianMixture(3, random_state=0).fit(X),
                  MixtureModel(2, family="poisson", random_state=0).fit(np.abs(np.round(X)))):
        path = tmp_path / f"{type(model).__name__}.npz"
        save_model(model, path)
        loaded = load_model(path)
        data = X if isinstance(model, GaussianMixture) else np.abs(np.round(X))
        assert_allclose(loaded.score_samples(data), model.score_samples(data), rtol=1e-12)
        assert_array_equal(loaded.collapsed_components_, model.collapsed_components_)


def test_verbose_reports_progress(blobs, capsys):
    X, _ = blobs
    GaussianMixture(3, verbose=2, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "Initialization 0" in out and "Iteration 1" in out


@pytest.mark.parametrize("kind", ["full", "diag"])
def test_memory_stays_per_chunk(kind):
    """No (n, k) or (n, k, d) temporary: fitting traces far less than n*k*d floats."""
    import tracemalloc

    rng = np.random.default_rng(0)
    n, d, k = 40_000, 8, 8
    X = rng.normal(size=(n, d))
    gm = GaussianMixture(k, covariance_type=kind, init_params="random_from_data", max_iter=3,
                         tol=0, chunk_size=500, random_state=0)
    gm.fit(X[:1000])  # imports and compilation out of the way
    tracemalloc.start()
    gm.fit(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # O(n) vectors (weights, initial labels) are n*8 bytes each; one (n, k) float64
    # array alone would be n*k*8 bytes, and an (n, k, d) one d times more
    assert peak < n * k * 8, peak


def test_uncertainty_and_mclust_style_icl(blobs):
    X = blobs[0] if isinstance(blobs, tuple) else blobs
    gm = GaussianMixture(3, random_state=0).fit(X)
    resp = gm.predict_proba(X)
    assert_allclose(gm.uncertainty(X), 1 - resp.max(axis=1))
    assert_allclose(gm.icl(X, method="map"), gm.bic(X) - 2 * np.log(resp.max(axis=1)).sum())
    with pytest.raises(ValueError, match="method"):
        gm.icl(X, method="hard")
