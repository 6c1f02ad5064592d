"""FuzzyCMeans against scikit-fuzzy's cmeans and its invariants."""

import numpy as np
import pytest
import skfuzzy
from sklearn.datasets import make_blobs

from clusterlab import FuzzyCMeans


def _data():
    return make_blobs(1500, centers=4, n_features=3, cluster_std=1.5, random_state=0)[0]


@pytest.mark.parametrize("m", [2.0, 1.6, 3.0])
@pytest.mark.parametrize("n_iter", [2, 25])
def test_matches_skfuzzy_from_same_memberships(m, n_iter, rng):
    X = _data()
    u0 = rng.uniform(size=(X.shape[0], 4))
    cntr, u, _, _, jm, p, fpc = skfuzzy.cmeans(X.T, 4, m, error=0.0, maxiter=n_iter,
                                               init=u0.T.copy())
    assert p == n_iter
    # skfuzzy's iteration p computes centres from the memberships of iteration p - 1,
    # so its p iterations are our p - 1 centre updates from the same memberships.
    ours = FuzzyCMeans(4, m=m, init=u0, max_iter=n_iter - 1, tol=0.0).fit(X)
    np.testing.assert_allclose(ours.predict_proba(X), u.T, atol=1e-6)
    np.testing.assert_allclose(ours.cluster_centers_, cntr, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.partition_coefficient_, fpc, rtol=1e-6)
    # skfuzzy's jm[t] is J(input memberships of step t, new centres); ours is
    # J(memberships of those centres, same centres): each alternating half-step
    # lowers J, so ours lies between skfuzzy's consecutive values.
    h = ours.history_["objective"].to_numpy()
    assert np.all(h <= jm[:-1] * (1 + 1e-12))
    assert np.all(jm[1:] <= h * (1 + 1e-12))


def test_probabilities_and_history():
    X = _data()
    fcm = FuzzyCMeans(4, random_state=0, tol=0.0, max_iter=60).fit(X)
    P = fcm.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(P >= 0)
    np.testing.assert_array_equal(P.argmax(axis=1), fcm.labels_)
    np.testing.assert_array_equal(fcm.transform(X).argmin(axis=1), fcm.labels_)
    assert list(fcm.history_.columns) == ["objective"]
    h = fcm.history_["objective"].to_numpy()
    assert h.shape == (fcm.n_iter_,) == (60,)
    assert np.all(np.diff(h) <= 1e-12 * h[0])
    assert 1 / 4 <= fcm.partition_coefficient_ <= 1
    np.testing.assert_allclose(fcm.partition_coefficient_, (P**2).sum() / len(X), rtol=1e-10)
    # the objective under the final centres, by brute force
    D = ((X[:, None, :] - fcm.cluster_centers_[None]) ** 2).sum(axis=2)
    np.testing.assert_allclose(fcm.objective_, (P**2 * D).sum(), rtol=1e-10)


def test_weights_equal_repeated_rows(rng):
    X = _data()[:300]
    reps = rng.integers(1, 4, X.shape[0])
    c0 = X[:4]
    a = FuzzyCMeans(4, init=c0, max_iter=20, tol=0.0).fit(X, sample_weight=reps)
    b = FuzzyCMeans(4, init=c0, max_iter=20, tol=0.0).fit(np.repeat(X, reps, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-10)
    np.testing.assert_allclose(a.objective_, b.objective_, rtol=1e-10)


def test_point_on_a_centre_and_other_m():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0]])
    fcm = FuzzyCMeans(2, m=1.5, init=np.array([[0.0, 0.0], [11.0, 0.0]]), max_iter=1).fit(X)
    P = FuzzyCMeans(2, m=1.5, init=fcm.cluster_centers_, max_iter=1).fit(X).predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    fcm2 = FuzzyCMeans(2, init=np.array([[0.0, 0.0], [11.0, 0.0]]), max_iter=1, tol=0.0)
    fcm2.fit(X)
    np.testing.assert_allclose(fcm2.predict_proba([[0.0, 0.0]])[0].sum(), 1.0)


def test_float32_input():
    X = _data().astype(np.float32)
    fcm = FuzzyCMeans(4, random_state=0).fit(X)
    assert fcm.cluster_centers_.dtype == np.float32
    ref = FuzzyCMeans(4, random_state=0).fit(X.astype(np.float64))
    np.testing.assert_allclose(fcm.cluster_centers_, ref.cluster_centers_, rtol=1e-4, atol=1e-4)
