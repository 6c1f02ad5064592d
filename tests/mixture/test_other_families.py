"""MixtureModel with Bernoulli, categorical and Poisson components.

Oracle: a brute-force EM written here with scipy.stats and dense numpy (no
chunks, no engine), started from the same initial responsibilities.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats as st
from scipy.special import logsumexp

from clusterlab import GaussianMixture, MixtureModel
from clusterlab.datasets import load_mnist_test
from clusterlab.mixture import CollapsedComponentWarning
from clusterlab.mixture.families import Family, Poisson

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
ALPHA = 1e-9  # the families' default pseudo-count


def _mstep(name, X, resp):
    nk = resp.sum(axis=0)
    if name == "bernoulli":
        return {"p": (resp.T @ X + ALPHA) / (nk[:, None] + 2 * ALPHA)}
    if name == "poisson":
        return {"rate": (resp.T @ X + ALPHA) / (nk[:, None] + ALPHA)}
    counts = resp.T @ X + ALPHA
    return {"p": counts / counts.sum(axis=1, keepdims=True)}


def _logpdf(name, X, params):
    if name == "bernoulli":
        return np.column_stack([st.bernoulli(p).logpmf(X).sum(1) for p in params["p"]])
    if name == "poisson":
        return np.column_stack([st.poisson(r).logpmf(X).sum(1) for r in params["rate"]])
    n_trials = X.sum(1).astype(int)
    return np.column_stack([st.multinomial(n_trials, p).logpmf(X) for p in params["p"]])


def brute_force_em(name, X, resp, n_iter):
    """Textbook EM: M-step from ``resp``, then (E, M) ``n_iter`` times."""
    params, weights = _mstep(name, X, resp), resp.sum(0) + 10 * np.finfo(float).eps
    weights = weights / weights.sum()
    history = []
    for _ in range(n_iter):
        joint = _logpdf(name, X, params) + np.log(weights)
        norm = logsumexp(joint, axis=1)
        history.append(norm.mean())
        resp = np.exp(joint - norm[:, None])
        params = _mstep(name, X, resp)
        weights = resp.sum(0) + 10 * np.finfo(float).eps
        weights = weights / weights.sum()
    return np.array(history), params, weights


@pytest.fixture(scope="module")
def digits():
    images, labels = load_mnist_test()
    X = (images[:600].reshape(600, -1) > 127).astype(np.float64)
    return X[:, X.std(axis=0) > 0], labels[:600]


def _counts(name, rng):
    if name == "poisson":
        rates = np.array([[1.0, 6.0, 0.5, 3.0], [8.0, 0.5, 4.0, 1.0], [3.0, 3.0, 3.0, 3.0]])
        lab = rng.integers(0, 3, 400)
        return rng.poisson(rates[lab]).astype(float)
    probs = np.array([[0.6, 0.2, 0.1, 0.05, 0.05], [0.05, 0.1, 0.2, 0.3, 0.35]])
    lab = rng.integers(0, 2, 300)
    sizes = rng.integers(5, 40, 300)
    return np.vstack([rng.multinomial(s, probs[j]) for s, j in zip(sizes, lab, strict=True)])


@pytest.mark.parametrize("name", ["bernoulli", "poisson", "categorical"])
def test_em_equals_brute_force(name, digits):
    rng = np.random.default_rng(0)
    X = digits[0][:300] if name == "bernoulli" else _counts(name, rng).astype(float)
    k = 3
    resp0 = rng.dirichlet(np.ones(k), size=X.shape[0])
    model = MixtureModel(k, family=name, init_params=lambda X_, k_, rng_: resp0, max_iter=8,
                         tol=0, chunk_size=64).fit(X)
    history, params, weights = brute_force_em(name, X, resp0, 8)
    assert_allclose(model.history_["log_likelihood"], history, rtol=1e-9)
    assert_allclose(model.weights_, weights, rtol=1e-8, atol=1e-12)
    key = {"bernoulli": ("probs", "p"), "poisson": ("rates", "rate"),
           "categorical": ("probs", "p")}[name]
    assert_allclose(getattr(model, key[0] + "_"), params[key[1]], rtol=1e-7, atol=1e-12)


def test_bernoulli_mixture_on_binarised_digits(digits):
    X, y = digits
    model = MixtureModel(10, family="bernoulli", n_init=2, max_iter=60, random_state=0).fit(X)
    assert np.all(np.diff(model.history_["log_likelihood"]) > -1e-9)
    labels = model.predict(X)
    # components are digit-like: most of each component is one digit (purity), far from chance
    purity = sum(np.bincount(y[labels == j]).max() for j in np.unique(labels)) / y.size
    assert purity > 0.5
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert model.n_parameters_ == 10 * X.shape[1] + 9
    assert np.isfinite(model.bic(X)) and model.icl(X) >= model.bic(X)
    S, comp = model.sample(50, random_state=0)
    assert set(np.unique(S)) <= {0.0, 1.0} and comp.shape == (50,)


@pytest.mark.parametrize("name", ["poisson", "categorical"])
def test_count_families_methods_and_weights(name):
    rng = np.random.default_rng(1)
    X = _counts(name, rng).astype(float)
    k = 3 if name == "poisson" else 2
    w = rng.integers(0, 3, X.shape[0]).astype(float)
    cut = np.median(X[:, 0])

    def init(X_, k_, rng_):  # fixed threshold: the same labels for weights and repeats
        return (X_[:, 0] > cut).astype(np.intp)

    a = MixtureModel(k, family=name, init_params=init, max_iter=30, tol=0).fit(
        X, sample_weight=w)
    b = MixtureModel(k, family=name, init_params=init, max_iter=30, tol=0).fit(
        np.repeat(X, w.astype(int), axis=0))
    assert_allclose(a.weights_, b.weights_, rtol=1e-8)
    assert_allclose(a.score(X), b.score(X), rtol=1e-10)
    S, _ = a.sample(20, random_state=0)
    assert np.all(S >= 0) and np.all(S == np.round(S))


def test_partial_fit_with_a_count_family():
    rng = np.random.default_rng(2)
    X = _counts("poisson", rng)
    X = np.vstack([X, _counts("poisson", rng), _counts("poisson", rng)])
    online = MixtureModel(3, family="poisson", random_state=0)
    for batch in np.array_split(X, 12):
        online.partial_fit(batch)
    full = MixtureModel(3, family="poisson", random_state=0, n_init=3).fit(X)
    assert online.score(X) > full.score(X) - 0.05


def test_given_initial_parameters_for_any_family():
    rng = np.random.default_rng(3)
    X = _counts("poisson", rng)
    rates = np.array([[1.0, 6.0, 0.5, 3.0], [8.0, 0.5, 4.0, 1.0], [3.0, 3.0, 3.0, 3.0]])
    model = MixtureModel(3, family="poisson", params_init={"rates": rates},
                         weights_init=np.full(3, 1 / 3), max_iter=1).fit(X)
    # one E-step from the given parameters, then one M-step: compare with a hand E-step
    joint = np.column_stack([st.poisson(r).logpmf(X).sum(1) for r in rates]) + np.log(1 / 3)
    assert_allclose(model.history_["log_likelihood"][0], logsumexp(joint, axis=1).mean())
    with pytest.raises(ValueError, match="unknown key 'rate'"):
        MixtureModel(3, family="poisson", params_init={"rate": rates}).fit(X)
    with pytest.raises(ValueError, match=r"params_init\['rates'\] must have shape"):
        MixtureModel(3, family="poisson", params_init={"rates": rates[:2]}).fit(X)


def test_the_protocol_defaults_live_on_the_base_class():
    optional = ["check_X", "combine", "scale", "collapsed", "collapse_remedies", "attributes",
                "fused_estep", "row_bytes"]
    assert all(name in vars(Family) for name in optional)
    base = Family()
    assert base.fused_estep(None, None, None, None, False) is None
    assert base.collapsed({}, {}) == [] and base.row_bytes(3, 2) > 0


def test_collapse_advice_comes_from_the_family():
    class AlwaysCollapsed(Poisson):
        def collapsed(self, params, stats):
            return [(0, "flagged by the test")]

    X = np.random.default_rng(0).poisson([[2.0, 9.0]] * 50 + [[8.0, 1.0]] * 50).astype(float)
    with pytest.warns(CollapsedComponentWarning) as record:
        MixtureModel(2, family=AlwaysCollapsed(), random_state=0).fit(X)
    message = str(record[0].message)
    assert "fewer components or more data" in message and "tied" not in message
    repeated = np.repeat(np.array([[0.0, 1.0], [3.0, 3.0], [6.0, -1.0]]), 20, axis=0)
    with pytest.warns(CollapsedComponentWarning, match="'tied' or 'spherical'"):
        GaussianMixture(3, covariance_type="diag", random_state=0).fit(repeated)
