"""One contract table over every family: built-in and a user-defined example.

For each family: log_prob equals a scipy.stats oracle; statistics of two halves
combined equal those of the whole; integer weights equal repeated rows; the
parameters are recovered from a large sample; EM never lowers the likelihood.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats as st

from clusterlab import MixtureModel
from clusterlab.mixture.families import Bernoulli, Categorical, Family, Gaussian, Poisson


class Exponential(Family):
    """The user-defined example of the protocol docstring: exponential components."""

    name = "exponential"
    public_params = ("rate",)

    def check_X(self, X):
        if np.any(X < 0):
            raise ValueError("Exponential components need X >= 0.")

    def log_prob(self, X, params):
        rate = params["rate"]
        return np.log(rate).sum(axis=1) - X @ rate.T

    def statistics(self, X, resp, weights):
        wr = resp * weights[:, None]
        return {"n": wr.sum(axis=0), "sum": wr.T @ X}

    def m_step(self, stats):
        return {"rate": stats["n"][:, None] / np.maximum(stats["sum"], 1e-300)}

    def n_parameters(self, n_components, n_features):
        return n_components * n_features

    def sample(self, params, counts, rng):
        return np.vstack([rng.exponential(1 / r, size=(c, r.size))
                          for r, c in zip(params["rate"], counts, strict=True)])


@dataclass
class Case:
    name: str
    family: Family
    params: Callable  # rng -> params for k=2, d=3, well separated
    oracle: Callable  # (X, params) -> (n, k) log-densities from scipy.stats
    sampler: Callable | None = None  # (params, counts, rng) -> X; default family.sample
    key: str = ""  # parameter compared in the recovery test

    def draw(self, params, counts, rng):
        sampler = self.sampler or self.family.sample
        return sampler(params, counts, rng)


def _gauss_params(kind):
    fam = Gaussian(kind)

    def make(rng):
        means = np.array([[0.0, 0.0, 0.0], [8.0, -6.0, 5.0]]) + rng.normal(0, 0.1, (2, 3))
        a = rng.normal(size=(3, 3))
        base = a @ a.T + 3 * np.eye(3)
        if kind == "full":
            prec = np.linalg.inv(np.stack([base, 0.5 * base + np.eye(3)]))
        elif kind == "tied":
            prec = np.linalg.inv(base)
        elif kind == "diag":
            prec = 1 / rng.uniform(0.5, 2.0, (2, 3))
        else:
            prec = 1 / rng.uniform(0.5, 2.0, 2)
        return fam.params_from_precisions(means, prec)

    def oracle(X, p):
        cov = p["covariances"]
        cols = []
        for j, m in enumerate(p["means"]):
            if kind == "full":
                c = cov[j]
            elif kind == "tied":
                c = cov
            else:
                c = cov[j] * np.eye(3)  # diag: (3,) on the diagonal; spherical: scalar
            cols.append(st.multivariate_normal(m, c).logpdf(X))
        return np.column_stack(cols)

    return Case(f"gaussian-{kind}", fam, make, oracle, key="means")


def _cat_sampler(params, counts, rng):
    return np.vstack([rng.multinomial(20, p, size=c).astype(float)
                      for p, c in zip(params["probs"], counts, strict=True)])


CASES = [
    _gauss_params("full"),
    _gauss_params("tied"),
    _gauss_params("diag"),
    _gauss_params("spherical"),
    Case("bernoulli", Bernoulli(),
         lambda rng: {"probs": np.array([[0.1, 0.8, 0.2], [0.9, 0.15, 0.7]])},
         lambda X, p: np.column_stack([st.bernoulli(q).logpmf(X).sum(1) for q in p["probs"]]),
         key="probs"),
    Case("categorical", Categorical(),
         lambda rng: {"probs": np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])},
         lambda X, p: np.column_stack([st.multinomial(X.sum(1).astype(int), q).logpmf(X)
                                       for q in p["probs"]]),
         sampler=_cat_sampler, key="probs"),
    Case("poisson", Poisson(),
         lambda rng: {"rates": np.array([[1.0, 4.0, 0.5], [12.0, 0.7, 6.0]])},
         lambda X, p: np.column_stack([st.poisson(r).logpmf(X).sum(1) for r in p["rates"]]),
         key="rates"),
    Case("exponential (user-defined)", Exponential(),
         lambda rng: {"rate": np.array([[0.2, 5.0, 1.0], [6.0, 0.3, 0.1]])},
         lambda X, p: np.column_stack([st.expon(scale=1 / r).logpdf(X).sum(1)
                                       for r in p["rate"]]),
         key="rate"),
]
IDS = [c.name for c in CASES]
WEIGHTS = np.array([0.3, 0.7])


def _data(case, n, seed=0):
    rng = np.random.default_rng(seed)
    params = case.params(rng)
    counts = rng.multinomial(n, WEIGHTS)
    return case.draw(params, counts, rng), params, np.repeat([0, 1], counts)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_log_prob_matches_scipy(case):
    X, params, _ = _data(case, 200)
    assert_allclose(case.family.log_prob(X, params), case.oracle(X, params), rtol=1e-10,
                    atol=1e-10)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_statistics_of_halves_combine_to_whole(case):
    X, _, _ = _data(case, 301)
    rng = np.random.default_rng(1)
    resp = rng.dirichlet([1.0, 1.0], size=X.shape[0])
    w = rng.uniform(0.5, 2.0, X.shape[0])
    fam = case.family
    whole = fam.statistics(X, resp, w)
    parts = fam.combine(fam.statistics(X[:120], resp[:120], w[:120]),
                        fam.statistics(X[120:], resp[120:], w[120:]))
    assert whole.keys() == parts.keys()
    for key in whole:
        assert_allclose(parts[key], whole[key], rtol=1e-10, atol=1e-10, err_msg=key)


def _deterministic_init(X, k, rng):
    # split at the midrange of feature 0: the same labels for weights and for repeats
    x = X[:, 0]
    return (x > (x.min() + x.max()) / 2).astype(np.intp) * (k - 1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_integer_weights_equal_repeated_rows(case):
    X, _, _ = _data(case, 120)
    w = np.random.default_rng(2).integers(0, 4, X.shape[0])
    fam = case.family
    resp = np.random.default_rng(3).dirichlet([1.0, 1.0], size=X.shape[0])
    a = fam.m_step(fam.statistics(X, resp, w.astype(float)))
    rep = np.repeat(np.arange(X.shape[0]), w)
    b = fam.m_step(fam.statistics(X[rep], resp[rep], np.ones(rep.size)))
    for key in a:
        assert_allclose(a[key], b[key], rtol=1e-9, atol=1e-12, err_msg=key)
    # and through the whole EM engine, from the same deterministic initial labels
    model = MixtureModel(2, family=fam, init_params=_deterministic_init, max_iter=15, tol=0)
    fit_w = model.fit(X[w > 0], sample_weight=w[w > 0])
    fit_r = MixtureModel(2, family=fam, init_params=_deterministic_init, max_iter=15,
                         tol=0).fit(X[rep])
    assert_allclose(fit_w.weights_, fit_r.weights_, rtol=1e-7)
    assert_allclose(fit_w.history_["log_likelihood"], fit_r.history_["log_likelihood"],
                    rtol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parameters_recovered_from_large_sample(case):
    X, params, _ = _data(case, 20_000)
    model = MixtureModel(2, family=case.family, n_init=2, random_state=0, tol=1e-8,
                         max_iter=300).fit(X)
    order = np.argsort(model.weights_)
    assert_allclose(model.weights_[order], WEIGHTS, atol=0.02)
    got = model.params_[case.key][order]
    assert_allclose(got, params[case.key], rtol=0.08, atol=0.08)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::clusterlab.mixture._base.CollapsedComponentWarning")
@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("algorithm", ["soft", "hard"])
def test_em_never_lowers_the_objective(case, algorithm):
    X, _, _ = _data(case, 600, seed=4)
    model = MixtureModel(3, family=case.family, init_params="random", max_iter=40, tol=0,
                         algorithm=algorithm, random_state=0)
    model.fit(X)
    objective = model.history_["log_likelihood" if algorithm == "soft" else "elbo"].to_numpy()
    assert objective.size == 40
    steps = np.diff(objective)
    assert np.all(steps >= -1e-9 * np.abs(objective[1:])), steps.min()
    assert objective[-1] > objective[0]

