"""MiniBatchKMeans.partial_fit on a source (each chunk one mini-batch) and callable
initialisers on data that is not in memory."""

import numpy as np
import pytest

import clusterlab
from clusterlab import GaussianMixture, KMeans, MiniBatchKMeans, MixtureModel

CHUNK = 500


@pytest.fixture
def X(rng):
    return np.vstack([rng.normal(c, 1.0, (1000, 3)) for c in (0.0, 6.0, 12.0)])[
        rng.permutation(3000)]


@pytest.fixture
def path(tmp_path, X):
    np.save(tmp_path / "x.npy", X)
    return tmp_path / "x.npy"


def test_partial_fit_on_a_source_equals_partial_fit_per_chunk(path, X, rng):
    w = rng.uniform(0.5, 2.0, size=X.shape[0])
    np.save(path.parent / "w.npy", w)
    ref = MiniBatchKMeans(3, random_state=0)
    for s in range(0, 3000, CHUNK):
        ref.partial_fit(X[s:s + CHUNK], sample_weight=w[s:s + CHUNK])
    with clusterlab.config(source_chunk_bytes=3 * 8 * CHUNK):
        mbk = MiniBatchKMeans(3, random_state=0).partial_fit(path,
                                                             sample_weight=path.parent / "w.npy")
        assert mbk.n_steps_ == 6
        # a second call continues from the first
        mbk.partial_fit(path)
    for s in range(0, 3000, CHUNK):
        ref.partial_fit(X[s:s + CHUNK])
    np.testing.assert_array_equal(mbk.cluster_centers_, ref.cluster_centers_)
    np.testing.assert_array_equal(mbk.counts_, ref.counts_)
    assert mbk.n_steps_ == ref.n_steps_ == 12
    np.testing.assert_array_equal(mbk.labels_, mbk.predict(X))
    assert mbk.inertia_ == pytest.approx(-mbk.score(X), rel=1e-10)
    assert mbk.inertia_ <= 1.05 * KMeans(3, random_state=0).fit(X).inertia_


def test_partial_fit_on_a_source_checks_the_features(path, X):
    mbk = MiniBatchKMeans(3, random_state=0).partial_fit(X[:, :2])
    with pytest.raises(ValueError, match="3 features.*expecting 2"):
        mbk.partial_fit(path)


def test_callable_init_on_a_file(path, X):
    seen = []

    def init(sample, k, rng):
        seen.append(sample.shape)
        # the k rows of the sample nearest to fixed points, one per cluster
        targets = np.array([[0.0] * 3, [6.0] * 3, [12.0] * 3])
        return sample[((sample[:, None] - targets) ** 2).sum(-1).argmin(0)]

    with clusterlab.config(source_chunk_bytes=3 * 8 * CHUNK):
        km = KMeans(3, init=init, n_init=1, random_state=0).fit(path)
        mbk = MiniBatchKMeans(3, init=init, n_init=1, random_state=0, init_size=300).fit(path)
    assert seen == [(CHUNK, 3), (300, 3)]
    ref = KMeans(3, random_state=0).fit(X)
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-8)
    assert mbk.inertia_ <= 1.05 * ref.inertia_
    with pytest.raises(ValueError, match="init should have shape"):
        with clusterlab.config(source_chunk_bytes=3 * 8 * CHUNK):
            KMeans(3, init=lambda s, k, r: s[:2], n_init=1).fit(path)


def test_callable_init_params_on_a_file_is_called_per_chunk(path, X):
    calls = []

    def by_first_feature(chunk, k, rng):
        calls.append(chunk.shape[0])
        return np.digitize(chunk[:, 0], [3.0, 9.0])  # labels 0, 1, 2

    with clusterlab.config(source_chunk_bytes=3 * 8 * CHUNK):
        gm = GaussianMixture(3, init_params=by_first_feature, random_state=0).fit(path)
    ref = GaussianMixture(3, init_params=by_first_feature, random_state=0).fit(X)
    assert calls == [CHUNK] * 6 + [3000]
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-8)
    assert gm.lower_bound_ == pytest.approx(ref.lower_bound_, rel=1e-8)
    # responsibilities (not labels), for a count family, on a file of counts
    counts = np.abs(X).round()
    np.save(path.parent / "counts.npy", counts)

    def soft(chunk, k, rng):
        return (1.0 / k + np.eye(k)[np.digitize(chunk[:, 0], [3.0, 9.0])]) / 2.0

    ref = MixtureModel(3, family="poisson", init_params=soft, random_state=0).fit(counts)
    with clusterlab.config(source_chunk_bytes=3 * 8 * CHUNK):
        mm = MixtureModel(3, family="poisson", init_params=soft,
                          random_state=0).fit(path.parent / "counts.npy")
    np.testing.assert_allclose(mm.params_["rates"], ref.params_["rates"], rtol=1e-8)
