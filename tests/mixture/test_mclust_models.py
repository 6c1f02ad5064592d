"""mclust's covariance models, stopping rules, SQUAREM and the hc start (issue 17).

The comparison with R's mclust itself is tests/oracles/test_mclust_oracle.py.
"""

import warnings

import numpy as np
import pytest

from clusterlab import GaussianMixture, MixtureModel, select_k
from clusterlab.datasets import load_faithful, load_iris
from clusterlab.mixture.families import Gaussian
from clusterlab.mixture.families._parsimonious import MCLUST_MODELS

# mclust's nVarParams (mclust 6.0.0), transcribed
N_VAR = {
    "EII": lambda d, G: 1, "VII": lambda d, G: G, "EEI": lambda d, G: d,
    "VEI": lambda d, G: G + (d - 1), "EVI": lambda d, G: 1 + G * (d - 1),
    "VVI": lambda d, G: G * d, "EEE": lambda d, G: d * (d + 1) // 2,
    "EVE": lambda d, G: 1 + G * (d - 1) + d * (d - 1) // 2,
    "VEE": lambda d, G: G + (d - 1) + d * (d - 1) // 2,
    "VVE": lambda d, G: G + G * (d - 1) + d * (d - 1) // 2,
    "EEV": lambda d, G: 1 + (d - 1) + G * d * (d - 1) // 2,
    "VEV": lambda d, G: G + (d - 1) + G * d * (d - 1) // 2,
    "EVV": lambda d, G: 1 - G + G * d * (d + 1) // 2,
    "VVV": lambda d, G: G * d * (d + 1) // 2,
}


@pytest.fixture(scope="module")
def faithful():
    return np.asarray(load_faithful(), dtype=np.float64)


@pytest.mark.parametrize("model", MCLUST_MODELS)
def test_parameter_counts_are_mclusts(model):
    for d in (1, 2, 4, 7):
        for k in (1, 3, 9):
            assert Gaussian(model).n_parameters(k, d) - k * d == N_VAR[model](d, k)


def test_scikit_learn_names_are_four_of_the_fourteen(faithful):
    for sk, mc in (("spherical", "VII"), ("diag", "VVI"), ("tied", "EEE"), ("full", "VVV")):
        a = GaussianMixture(3, covariance_type=sk, random_state=0).fit(faithful)
        b = GaussianMixture(3, covariance_type=mc, random_state=0).fit(faithful)
        np.testing.assert_array_equal(a.covariances_, b.covariances_)
        assert a.n_parameters_ == b.n_parameters_


def test_unknown_model_name_lists_the_valid_names(faithful):
    with pytest.raises(ValueError) as err:
        GaussianMixture(2, covariance_type="VXV").fit(faithful)
    for name in (*MCLUST_MODELS, "full", "tied", "diag", "spherical"):
        assert repr(name) in str(err.value)


@pytest.mark.parametrize("model", MCLUST_MODELS)
def test_every_model_fits_monotonically_and_keeps_its_constraint(faithful, model):
    gm = GaussianMixture(3, covariance_type=model, random_state=0, reg_covar=0).fit(faithful)
    ll = gm.history_["log_likelihood"].to_numpy()
    assert gm.converged_ and np.all(np.diff(ll) >= -1e-12 * np.abs(ll[1:]))
    cov = gm.covariances_
    mats = (np.broadcast_to(cov, (3, 2, 2)) if model == "EEE"
            else np.stack([np.diag(c) for c in cov]) if cov.ndim == 2
            else np.stack([np.eye(2) * c for c in cov]) if cov.ndim == 1
            else np.broadcast_to(cov, (3, 2, 2)))
    vol = np.linalg.det(mats) ** 0.5
    if model[0] == "E":
        np.testing.assert_allclose(vol, vol[0], rtol=1e-8)
    shapes = np.linalg.eigvalsh(mats) / vol[:, None]
    if model[1] == "E":
        np.testing.assert_allclose(shapes, shapes[:1].repeat(3, 0), rtol=1e-6)


def test_stopping_rules_and_history_change_column(faithful):
    plain = GaussianMixture(3, covariance_type="EEE", random_state=0).fit(faithful)
    assert list(plain.history_.columns) == ["log_likelihood", "elbo", "change"]
    L = plain.history_["log_likelihood"].to_numpy() * faithful.shape[0]
    np.testing.assert_allclose(plain.history_["change"].to_numpy()[1:],
                               np.abs(np.diff(L)) / (1 + np.abs(L[1:])), rtol=1e-12)
    assert plain.history_["change"].iloc[-1] < 1e-8
    # scikit-learn's rule with its old tol stops on the plateau of the tied k=3 fit
    early = GaussianMixture(3, covariance_type="tied", random_state=0, tol=1e-3,
                            stopping="absolute").fit(faithful)
    aitken = GaussianMixture(3, covariance_type="tied", random_state=0,
                             stopping="aitken").fit(faithful)
    assert early.score(faithful) < plain.score(faithful) - 1e-3
    assert abs(aitken.score(faithful) - plain.score(faithful)) < 1e-6


@pytest.mark.parametrize("model", ["EEE", "VVV", "VEV", "EVE", "VVI"])
def test_squarem_reaches_the_same_optimum_in_fewer_iterations(faithful, model):
    plain = GaussianMixture(3, covariance_type=model, random_state=0, tol=1e-10).fit(faithful)
    fast = GaussianMixture(3, covariance_type=model, random_state=0, tol=1e-10,
                           acceleration="squarem").fit(faithful)
    assert fast.score(faithful) >= plain.score(faithful) - 1e-7
    assert fast._n_evaluations < plain.n_iter_
    ll = fast.history_["log_likelihood"].to_numpy()
    assert np.all(np.diff(ll) >= -1e-12 * np.abs(ll[1:]))


def _e_steps_to_reach(gm_kwargs, X, target):
    """E-steps until the recorded log-likelihood is within 1e-6 (relative) of ``target``."""
    from clusterlab.mixture import _em

    seen, record = [], _em.EMRun.record

    def spy(self, params, mix, stats, nk, ll, el):
        seen.append((self.res.n_evaluations, ll))
        return record(self, params, mix, stats, nk, ll, el)

    _em.EMRun.record = spy
    try:
        GaussianMixture(**gm_kwargs).fit(X)
    finally:
        _em.EMRun.record = record
    return next(e for e, ll in seen if ll >= target - 1e-6 * abs(target))


@pytest.mark.parametrize(("model", "seed", "ratio"), [("EEE", 1, 1 / 3), ("VVV", 0, 0.5)])
def test_squarem_e_steps_against_plain_em_on_faithful(faithful, model, seed, ratio):
    """Every E-step counted (SQUAREM's at extrapolated points too) until 1e-6 of plain
    EM's limit, from the same k-means start. EEE/3 from this start (the convergence
    benchmark's: plain EM 92 E-steps, SQUAREM 23) meets the issue's target of a
    third; where plain EM itself needs only ~100 E-steps (VVV/3: 97 vs 39) SQUAREM's
    ~7-cycle floor leaves it near 0.4-0.5."""
    kw = dict(n_components=3, covariance_type=model, random_state=seed, tol=1e-13,
              max_iter=5000, init_params="kmeans")
    limit = GaussianMixture(**kw).fit(faithful).score(faithful)
    plain = _e_steps_to_reach(kw, faithful, limit)
    fast = _e_steps_to_reach({**kw, "acceleration": "squarem"}, faithful, limit)
    assert fast <= ratio * plain, (fast, plain)


def test_squarem_accelerates_another_family():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.poisson([2, 9, 4], (300, 3)), rng.poisson([7, 2, 4], (300, 3)),
                   rng.poisson([4, 5, 9], (300, 3))]).astype(float)
    kw = dict(family="poisson", random_state=0, tol=1e-12, init_params="random")
    plain = MixtureModel(3, **kw).fit(X)
    fast = MixtureModel(3, acceleration="squarem", **kw).fit(X)
    assert fast.score(X) >= plain.score(X) - 1e-8
    assert fast._n_evaluations < plain.n_iter_
    assert np.all(np.diff(fast.history_["log_likelihood"]) >= -1e-12)


def test_hc_start_in_memory_subset_and_streamed(tmp_path, faithful):
    gm = GaussianMixture(3, covariance_type="EEE", init_params="hc").fit(faithful)
    assert abs(gm.score(faithful) * 272 - (-1126.3159)) < 1e-2
    big = np.random.default_rng(0).normal(size=(5000, 2)) + np.repeat([[0, 0], [6, 0]], 2500, 0)
    a = GaussianMixture(2, init_params="hc", random_state=1).fit(big)
    np.save(tmp_path / "big.npy", big)
    b = GaussianMixture(2, init_params="hc", random_state=1).fit(str(tmp_path / "big.npy"))
    assert sorted(np.round(a.means_[:, 0])) == sorted(np.round(b.means_[:, 0])) == [0, 6]


def test_degenerate_fits_are_flagged_under_every_model_and_never_selected():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(60, 2)), np.repeat([[5.0, 5.0]], 6, axis=0)])
    for model in MCLUST_MODELS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gm = GaussianMixture(2, covariance_type=model, random_state=0).fit(X)
        # a variable volume lets a component shrink onto the repeated point; an equal
        # volume bounds the likelihood (nothing to flag there)
        if model[0] == "V":
            assert gm.collapsed_components_.size > 0, model
    res = select_k(GaussianMixture(random_state=0), X, k=range(1, 4))
    row = res.table.iloc[res.best_index_]
    assert not row["degenerate"]
    assert res.table["degenerate"].any()


@pytest.mark.slow
@pytest.mark.parametrize("name,expected", [("faithful", ("EEE", 3)), ("iris", ("VEV", 2))])
def test_select_k_defaults_pick_mclusts_model(name, expected):
    X = np.asarray(load_faithful()) if name == "faithful" else load_iris()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = select_k(GaussianMixture(random_state=0), X)
    assert (res.best_params_["covariance_type"], res.best_params_["n_components"]) == expected


def test_select_k_starts_every_model_of_a_k_from_one_partition(faithful, monkeypatch):
    seen = {}
    original = GaussianMixture.initial_partition

    def spy(self, X, k):
        out = original(self, X, k)
        seen[k] = seen.get(k, 0) + 1
        return out

    monkeypatch.setattr(GaussianMixture, "initial_partition", spy)
    res = select_k(GaussianMixture(init_params="hc"), faithful, k=range(1, 4),
                   param_grid={"covariance_type": ["EEE", "VVV", "EII"]})
    assert seen == {1: 1, 2: 1, 3: 1}  # one partition per k, shared by the three models
    assert res.best_estimator_.init_params == "hc"
    # the same start as a plain fit of that model
    labels = GaussianMixture(init_params="hc").initial_partition(faithful, 3)
    ref = GaussianMixture(3, covariance_type="VVV",
                          init_params=lambda X, k, rng: labels).fit(faithful)
    row = res.table[(res.table.n_components == 3) & (res.table.covariance_type == "VVV")]
    np.testing.assert_allclose(row["bic"].iloc[0], ref.bic(faithful), rtol=1e-12)
