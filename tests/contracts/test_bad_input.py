"""One bad-input contract, run over every public estimator (issues 11 and 12).

Each row of ``SPECS`` says how to build, fit and apply one estimator; every
case in ``CASES`` is then checked against every row: the exact exception type
(``ValueError`` for a bad value, ``TypeError`` for a bad type) and a message
naming the input or parameter. Estimator-specific checks follow the table.
"""

from dataclasses import dataclass, field

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from clusterlab import (
    AgglomerativeClustering,
    FuzzyCMeans,
    GaussianMixture,
    KernelDensity,
    KMeans,
    MiniBatchKMeans,
    MixtureModel,
    linkage,
    select_k,
)

rng = np.random.default_rng(0)
REAL = np.vstack([rng.normal(size=(10, 3)), rng.normal(size=(10, 3)) + 5.0])
COUNTS = rng.poisson(3.0, size=(20, 3)).astype(float)
BINARY = (COUNTS > 2).astype(float)


@dataclass
class Spec:
    make: object  # (**params) -> estimator; for functions a stand-in with .fit
    data: np.ndarray = field(default_factory=lambda: REAL)
    k_param: str | None = "n_clusters"  # the parameter n_samples must reach
    predict: str | None = "predict"  # method checked for the fitted width
    bad_type: tuple = ("n_clusters", "2")  # (parameter, wrongly typed value)
    bad_value: tuple = ("n_clusters", 0)  # (parameter, out-of-range value)
    min_rows: int = 1  # a one-row X is refused below this (hierarchical needs 2)


class _Function:
    """Gives a function the estimator shape the table expects."""

    def __init__(self, fn, **params):
        self.fn, self.params = fn, params

    def fit(self, X):
        self.result_ = self.fn(X=X, **self.params)
        return self


def _torch_spec(cls_name, **kw):
    def make(**params):
        deep = pytest.importorskip("clusterlab.deep", exc_type=ImportError)
        return getattr(deep, cls_name)(**{**kw, **params})
    return make


SPECS = {
    "KMeans": Spec(lambda **p: KMeans(**{"n_clusters": 2, "random_state": 0, **p})),
    "MiniBatchKMeans": Spec(lambda **p: MiniBatchKMeans(**{"n_clusters": 2, "random_state": 0,
                                                           **p})),
    "FuzzyCMeans": Spec(lambda **p: FuzzyCMeans(**{"n_clusters": 2, "random_state": 0, **p}),
                        bad_type=("m", "2"), bad_value=("m", 1.0)),
    "AgglomerativeClustering": Spec(
        lambda **p: AgglomerativeClustering(**{"n_clusters": 2, **p}), predict=None,
        bad_type=("linkage", 3), bad_value=("linkage", "wards"), min_rows=2),
    "linkage": Spec(lambda **p: _Function(linkage, **{"method": "ward", **p}), k_param=None,
                    predict=None, bad_type=None, bad_value=("method", "wards"), min_rows=2),
    "GaussianMixture": Spec(
        lambda **p: GaussianMixture(**{"n_components": 2, "random_state": 0, **p}),
        k_param="n_components", bad_type=("reg_covar", "1e-6"), bad_value=("reg_covar", -1.0)),
    **{
        f"MixtureModel-{family}": Spec(
            lambda family=family, **p: MixtureModel(
                **{"n_components": 2, "family": family, "random_state": 0, **p}),
            data=data, k_param="n_components", bad_type=("tol", [1e-3]),
            bad_value=("tol", float("nan")))
        for family, data in [("gaussian", REAL), ("bernoulli", BINARY), ("poisson", COUNTS),
                             ("categorical", COUNTS)]
    },
    "KernelDensity": Spec(lambda **p: KernelDensity(**p), k_param=None, predict="score_samples",
                          bad_type=("kernel", 1), bad_value=("bandwidth", float("nan"))),
    "VAE": Spec(_torch_spec("VAE", latent_dim=2, hidden_dim=4, epochs=1, likelihood="gaussian",
                            random_state=0),
                k_param=None, predict="transform", bad_type=("epochs", 1.5),
                bad_value=("epochs", 0)),
    "DeepClustering": Spec(
        _torch_spec("DeepClustering", n_clusters=2, latent_dim=2, hidden_dim=4,
                    pretrain_epochs=1, epochs=1, likelihood="gaussian", random_state=0),
        bad_type=("latent_dim", "2")),
    "select_k": Spec(lambda **p: _Function(
        select_k, **{"estimator": KMeans(random_state=0), "k": [2], "criterion": "silhouette",
                     "n_jobs": 1, **p}),
        k_param=None, predict=None, bad_type=None, bad_value=("criterion", "best")),
}


def _fit(spec, X, **params):
    return spec.make(**params).fit(X)


def _nan(spec):
    probe = spec.make()
    if hasattr(probe, "__sklearn_tags__") and probe.__sklearn_tags__().input_tags.allow_nan:
        # GaussianMixture models missing values (tests/mixture/test_missing_values.py);
        # a row with nothing observed is its bad input
        X = spec.data.copy()
        X[1, :] = np.nan
        return X
    X = spec.data.copy()
    X[1, 0] = np.nan
    return X


def _inf(spec):
    X = spec.data.copy()
    X[2, 1] = np.inf
    return X


CASES = {
    "nan": (lambda s: _fit(s, _nan(s)), ValueError, "NaN|every entry missing"),
    "inf": (lambda s: _fit(s, _inf(s)), ValueError, "(?i)inf"),
    "empty": (lambda s: _fit(s, s.data[:0]), ValueError, "(?i)0 sample|at least|empty|n_samples"),
    "1-D": (lambda s: _fit(s, np.arange(5.0)), ValueError, "(?i)2-D|condensed|1-D"),
    "3-D": (lambda s: _fit(s, np.zeros((4, 2, 2))), ValueError, "(?i)2-D|dim"),
    "strings": (lambda s: _fit(s, np.array([["a", "b"], ["c", "d"], ["e", "f"]])), TypeError,
                "(?i)number|numeric|string"),
    "object-strings": (lambda s: _fit(s, np.array([[1.0, "x"], [2.0, "y"], [3, 4]],
                                                  dtype=object)), TypeError, "(?i)number|numeric"),
    "sparse": (lambda s: _fit(s, sp.csr_matrix(s.data)), TypeError, "(?i)sparse|dense"),
}


def _params(name):
    return [pytest.param(name, case, id=f"{name}-{case}") for case in CASES]


@pytest.mark.parametrize("name, case", [p for name in SPECS for p in _params(name)])
def test_bad_data(name, case):
    run, error, match = CASES[case]
    with pytest.raises(error, match=match) as info:
        run(SPECS[name])
    assert type(info.value) is error or issubclass(type(info.value), error)


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.bad_type])
def test_bad_hyperparameter_type_is_type_error(name):
    spec = SPECS[name]
    param, value = spec.bad_type
    with pytest.raises(TypeError, match=rf"'{param}' parameter"):
        _fit(spec, spec.data, **{param: value})


@pytest.mark.parametrize("name", sorted(SPECS))
def test_bad_hyperparameter_value_is_value_error(name):
    spec = SPECS[name]
    param, value = spec.bad_value
    with pytest.raises(ValueError, match=rf"{param}") as info:
        _fit(spec, spec.data, **{param: value})
    assert not isinstance(info.value, TypeError)


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.k_param])
def test_fewer_samples_than_clusters(name):
    spec = SPECS[name]
    with pytest.raises(ValueError, match=rf"n_samples=\d+ should be >= {spec.k_param}=30|"
                                         rf"{spec.k_param}"):
        _fit(spec, spec.data, **{spec.k_param: 30})


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.min_rows > 1])
def test_one_row_for_hierarchical(name):
    with pytest.raises(ValueError, match="(?i)1 sample.*minimum of 2"):
        _fit(SPECS[name], REAL[:1])


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.predict])
def test_wrong_width_when_applying(name):
    spec = SPECS[name]
    model = _fit(spec, spec.data)
    with pytest.raises(ValueError, match="features"):
        getattr(model, spec.predict)(np.zeros((2, spec.data.shape[1] + 1)))


@pytest.mark.parametrize("method", ["average", "single"])
def test_cosine_all_zero_rows_with_and_without_connectivity(method):
    from sklearn.neighbors import kneighbors_graph

    X = REAL.copy()
    X[4] = 0.0
    graph = kneighbors_graph(X, 4, include_self=False)
    for connectivity in [None, graph]:
        with pytest.raises(ValueError, match="metric='cosine' is undefined for all-zero rows"):
            AgglomerativeClustering(2, metric="cosine", linkage=method,
                                    connectivity=connectivity).fit(X)
    with pytest.raises(ValueError, match="all-zero rows"):
        linkage(X, method, metric="cosine")


# ---- estimator-specific bad input (absorbed from test_bad_input_kmeans.py and
# test_bad_input_mixture.py) ---------------------------------------------------------

X4 = np.array([[0.0, 1.0], [1.0, 0.0], [5.0, 5.0], [6.0, 5.0]])
X20 = np.random.default_rng(0).normal(size=(20, 2))


@pytest.mark.parametrize("make", [s.make for n, s in SPECS.items() if n in (
    "KMeans", "MiniBatchKMeans", "FuzzyCMeans")])
def test_negative_weights(make):
    with pytest.raises(ValueError, match="Negative values in sample_weight"):
        make().fit(X4, sample_weight=np.array([1.0, -1.0, 1.0, 1.0]))


def test_kmeans_bad_init_shape():
    with pytest.raises(ValueError, match=r"init should have shape .* = \(2, 2\); got \(3, 2\)"):
        KMeans(2, init=np.zeros((3, 2))).fit(X4)


def test_kmeans_bad_algorithm():
    with pytest.raises(ValueError, match="'algorithm' parameter"):
        KMeans(2, algorithm="fast").fit(X4)


def test_minibatch_partial_fit_too_few_points_first():
    with pytest.raises(ValueError, match="n_samples=1 should be >= n_clusters=2"):
        MiniBatchKMeans(2).partial_fit(X4[:1])


def test_minibatch_partial_fit_width_changes():
    est = MiniBatchKMeans(2, random_state=0).partial_fit(X4)
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(np.zeros((4, 3)))


@pytest.mark.parametrize("m", [1.0, 0.5])
def test_fuzzy_m_must_exceed_one(m):
    with pytest.raises(ValueError, match="'m' parameter"):
        FuzzyCMeans(2, m=m).fit(X4)


def test_fuzzy_bad_membership_init():
    u0 = np.ones((4, 2))
    u0[0] = 0.0
    with pytest.raises(ValueError, match="every row needs a positive entry"):
        FuzzyCMeans(2, init=u0).fit(X4)


@pytest.mark.parametrize("bad", [-0.5, np.nan, np.inf])
def test_fuzzy_membership_init_must_be_finite_and_non_negative(bad):
    u0 = np.ones((4, 2))
    u0[2, 1] = bad
    with pytest.raises(ValueError, match="finite and non-negative"):
        FuzzyCMeans(2, init=u0).fit(X4)


def test_fuzzy_membership_init_needs_every_cluster():
    u0 = np.zeros((4, 2))
    u0[:, 0] = 1.0
    with pytest.raises(ValueError, match="every cluster needs a positive membership"):
        FuzzyCMeans(2, init=u0).fit(X4)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": 0}, "n_components"),
        ({"covariance_type": "banana"}, "covariance_type"),
        ({"reg_covar": -1.0}, "reg_covar"),
        ({"tol": -1.0}, "tol"),
        ({"max_iter": 0}, "max_iter"),
        ({"n_init": 0}, "n_init"),
        ({"init_params": "bogus"}, "init_params"),
        ({"algorithm": "fuzzy"}, "algorithm"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"weights_init": [0.5, 0.6]}, "sum to 1"),
        ({"weights_init": [1.0]}, "weights_init must have shape"),
        ({"means_init": np.zeros((3, 2))}, "means_init must have shape"),
        ({"precisions_init": np.ones((2, 3, 3))}, "precisions_init must have shape"),
        ({"precisions_init": np.array([[[1.0, 2], [2, 1]]] * 2)}, "positive definite"),
        ({"covariance_type": "diag", "precisions_init": -np.ones((2, 2))}, "positive"),
    ],
)
def test_bad_gaussian_parameters(params, match):
    params = {"n_components": 2, **params}
    with pytest.raises(ValueError, match=match):
        GaussianMixture(**params).fit(X20)


def test_bad_family():
    with pytest.raises(ValueError, match="family"):
        MixtureModel(2, family="cauchy").fit(X20)


@pytest.mark.parametrize("family", ["poisson", "categorical", "multinomial"])
@pytest.mark.parametrize("value, what", [(-1.0, "-1"), (1.5, "1.5")])
def test_counts_must_be_non_negative_integers(family, value, what):
    X = COUNTS.copy()
    X[4, 1] = value
    with pytest.raises(ValueError, match=rf"non-negative integer counts.*found {what} at row 4"):
        MixtureModel(2, family=family).fit(X)


@pytest.mark.parametrize("value", [2.0, -1.0, 0.5])
def test_bernoulli_needs_binary_values(value):
    X = (COUNTS > 2).astype(float)
    X[3, 0] = value
    with pytest.raises(ValueError, match=r"binary values \(0 or 1\)"):
        MixtureModel(2, family="bernoulli").fit(X)


def test_family_check_also_applies_when_predicting():
    model = MixtureModel(2, family="poisson", random_state=0).fit(COUNTS)
    with pytest.raises(ValueError, match="non-negative integer counts"):
        model.predict(-COUNTS)


@pytest.mark.parametrize("weights, match", [
    (-np.ones(20), "Negative"), (np.ones(19), "shape"), (np.zeros(20), "sums to zero"),
])
def test_bad_sample_weight(weights, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(2).fit(X20, sample_weight=weights)


def test_use_before_fit_and_wrong_width():
    with pytest.raises(NotFittedError):
        GaussianMixture(2).predict(X20)
    model = GaussianMixture(2, random_state=0).fit(X20)
    with pytest.raises(ValueError, match="features"):
        model.predict(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(0)


def test_bad_callable_initialiser():
    with pytest.raises(ValueError, match="init_params callable must return"):
        GaussianMixture(2, init_params=lambda X, k, rng: np.zeros(3)).fit(X20)
