"""One API shape, checked once over every public estimator (issue 11).

The table below lists every public estimator with what it claims; each test
runs over the whole table:

- hyperparameters keyword-only after the first (scikit-learn's rule);
- iterative estimators: ``history_`` is a DataFrame with one row per
  iteration and the named columns, ``len(history_)`` equals ``n_iter_``
  (``n_steps_`` for MiniBatchKMeans, whose ``n_iter_`` counts passes over the
  data as in scikit-learn), ``converged_`` is a bool, and the history survives
  a model file;
- ``sample(n_samples=1, random_state=None)`` with one meaning: ``n_samples``
  rows, the same seed gives the same rows, ``None`` draws fresh ones, a bad
  count raises TypeError / ValueError;
- ``score`` documented, and one meaning within a kind: density estimators
  ``score_samples(X).mean()``, centroid clusterers the negated objective.
"""

import inspect
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

import clusterlab
from clusterlab import (
    AgglomerativeClustering,
    FuzzyCMeans,
    GaussianMixture,
    KernelDensity,
    KMeans,
    MiniBatchKMeans,
    MixtureModel,
    SphericalKMeans,
    load_model,
    save_model,
)

HAS_TORCH = find_spec("torch") is not None
ELBO_TERMS = ("elbo", "reconstruction", "kl")


def _deep(name, **params):
    def make():
        if not HAS_TORCH:
            pytest.skip("clusterlab.deep needs torch (the torch extra), not installed")
        return getattr(import_module("clusterlab.deep"), name)(**params)

    return make


@dataclass
class Case:
    name: str
    make: object
    kind: str  # "centroid", "density", "other"
    history: tuple = ()  # columns; () = not iterative
    index: str = "iteration"
    count: str = "n_iter_"
    objective: str = ""  # centroid kind: the attribute score(X_train) negates
    data: str = "real"  # "real" or "unit" (in [0, 1], for the Bernoulli likelihoods)
    fit_kw: dict = field(default_factory=dict)


_TINY = dict(hidden_dim=8, latent_dim=2, random_state=0)
CASES = [
    Case("KMeans", lambda: KMeans(3, random_state=0), "centroid", ("inertia",),
         objective="inertia_"),
    Case("MiniBatchKMeans", lambda: MiniBatchKMeans(3, batch_size=32, random_state=0),
         "centroid", ("inertia",), index="step", count="n_steps_", objective="inertia_"),
    Case("SphericalKMeans", lambda: SphericalKMeans(3, random_state=0), "centroid",
         ("inertia",), objective="inertia_"),
    Case("FuzzyCMeans", lambda: FuzzyCMeans(3, random_state=0), "centroid", ("objective",),
         objective="objective_"),
    Case("GaussianMixture", lambda: GaussianMixture(3, random_state=0), "density",
         ("log_likelihood", "elbo", "change")),
    Case("MixtureModel", lambda: MixtureModel(3, family="gaussian", random_state=0), "density",
         ("log_likelihood", "elbo", "change")),
    Case("KernelDensity", lambda: KernelDensity(), "density"),
    Case("AgglomerativeClustering", lambda: AgglomerativeClustering(3), "other"),
    Case("VAE", _deep("VAE", epochs=3, validation_fraction=0.25, **_TINY), "density",
         tuple(f"{p}_{t}" for p in ("train", "val") for t in ELBO_TERMS), index="epoch",
         data="unit"),
    Case("DeepClustering", _deep("DeepClustering", n_clusters=3, pretrain_epochs=2, epochs=2,
                                 **_TINY),
         "other", ("phase", *(f"train_{t}" for t in ELBO_TERMS)), index="epoch", data="unit"),
]
IDS = [c.name for c in CASES]
BY_NAME = {c.name: c for c in CASES}


def _data(case):
    X = np.random.default_rng(0).normal(size=(120, 3)) + np.repeat([[0], [4], [8]], 40, axis=0)
    return (X - X.min()) / (X.max() - X.min()) if case.data == "unit" else X


_FITTED = {}


def _fitted(case):
    if case.name not in _FITTED:
        X = _data(case)
        _FITTED[case.name] = (case.make().fit(X), X)
    return _FITTED[case.name]


def _public_estimators():
    names = {n: getattr(clusterlab, n) for n in clusterlab.__all__ if n != "__version__"}
    if HAS_TORCH:
        deep = import_module("clusterlab.deep")
        names |= {n: getattr(deep, n) for n in deep.__all__}
    return {n for n, obj in names.items()
            if inspect.isclass(obj) and issubclass(obj, BaseEstimator)}


def test_the_table_lists_every_public_estimator():
    listed = set(BY_NAME) if HAS_TORCH else set(BY_NAME) - {"VAE", "DeepClustering"}
    assert _public_estimators() == listed


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hyperparameters_keyword_only_after_the_first(case):
    cls = type(case.make())
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    late = [p.name for p in params[1:] if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert not late, f"{cls.__name__}: {late} should be keyword-only"


ITERATIVE = [c for c in CASES if c.history]


@pytest.mark.parametrize("case", ITERATIVE, ids=[c.name for c in ITERATIVE])
def test_history_is_one_frame_per_iteration(case, tmp_path):
    est, _ = _fitted(case)
    h = est.history_
    assert isinstance(h, pd.DataFrame)
    assert tuple(h.columns) == case.history and h.index.name == case.index
    assert len(h) == getattr(est, case.count) >= 1
    assert isinstance(est.n_iter_, int) and est.n_iter_ >= 1
    assert isinstance(est.converged_, bool)
    # a mixture's stopping-rule column is +inf until the rule has values to compare
    numeric = h.drop(columns=["phase", "change"], errors="ignore")
    assert np.isfinite(numeric.to_numpy()).all()
    if "change" in h:
        assert not h["change"].isna().any() and (h["change"] >= 0).all()
    path = tmp_path / "model.npz"
    save_model(est, path)
    back = load_model(path)
    pd.testing.assert_frame_equal(back.history_, h)
    assert back.n_iter_ == est.n_iter_ and back.converged_ == est.converged_


def test_history_grows_by_one_row_per_partial_fit():
    X = _data(BY_NAME["KMeans"])
    for est, count in [(MiniBatchKMeans(3, random_state=0), "n_steps_"),
                       (GaussianMixture(3, random_state=0), "n_iter_")]:
        for part in np.array_split(X, 3):
            est.partial_fit(part)
        assert len(est.history_) == getattr(est, count) == 3
        assert est.converged_ is False


SAMPLERS = [BY_NAME[n] for n in ("GaussianMixture", "MixtureModel", "KernelDensity", "VAE")]


def test_the_samplers_are_all_that_sample():
    with_sample = {c.name for c in CASES if c.name in ("VAE", "DeepClustering") and not HAS_TORCH
                   or hasattr(type(c.make()), "sample")}
    assert with_sample - {"DeepClustering"} == {c.name for c in SAMPLERS}


@pytest.mark.parametrize("case", SAMPLERS, ids=[c.name for c in SAMPLERS])
def test_sample_has_one_signature_and_meaning(case):
    est, X = _fitted(case)
    params = list(inspect.signature(est.sample).parameters.values())
    assert [(p.name, p.default) for p in params[:2]] == [("n_samples", 1), ("random_state", None)]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[2:])

    def rows(*args, **kw):
        out = est.sample(*args, **kw)
        return out[0] if isinstance(out, tuple) else out  # mixtures add component labels

    assert rows().shape == (1, X.shape[1])
    a, b = rows(7, random_state=0), rows(7, random_state=0)
    assert a.shape == (7, X.shape[1])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(rows(7, random_state=1), a)
    assert not np.array_equal(rows(7), rows(7))
    with pytest.raises(ValueError, match="n_samples"):
        est.sample(0)
    with pytest.raises(TypeError, match="n_samples"):
        est.sample(2.5)


SCORERS = [c for c in CASES if c.kind in ("centroid", "density")]


@pytest.mark.parametrize("case", SCORERS, ids=[c.name for c in SCORERS])
def test_score_is_documented_and_consistent_within_its_kind(case):
    est, X = _fitted(case)
    doc = inspect.getdoc(est.score)
    assert doc and "higher is better" in doc and "Returns" in doc
    if case.kind == "density":
        # scikit-learn's own split: mixtures' score is the mean log-likelihood per sample,
        # KernelDensity's the total (its peer suite checks exp(score) == prod(density))
        reduce = np.sum if case.name == "KernelDensity" else np.mean
        assert est.score(X) == pytest.approx(float(reduce(est.score_samples(X))), rel=1e-6)
    else:
        expected = -getattr(est, case.objective)
        assert est.score(X) == pytest.approx(expected, rel=1e-6)
