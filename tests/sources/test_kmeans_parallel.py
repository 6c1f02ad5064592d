"""k-means|| (Bahmani et al. 2012): candidates reclustered with their weights."""

import numpy as np
import pytest

import clusterlab
from clusterlab import KMeans
from clusterlab.cluster import kmeans_parallel


def test_candidate_weights_keep_a_centre_on_the_dense_mass(rng):
    # 20,000 rows in a tight blob and 300 scattered far away: d^2 sampling draws mostly
    # the scattered rows, so only the candidates' weights keep a centre on the blob
    X = np.vstack([rng.normal(0.0, 0.01, (20_000, 2)), rng.uniform(-100, 100, (300, 2))])
    with clusterlab.config(source_chunk_bytes=2 * 8 * 4096):
        C = kmeans_parallel(X, 3, random_state=0)
    assert np.min(np.linalg.norm(C, axis=1)) < 0.5


@pytest.mark.parametrize("weighted", [False, True])
def test_initial_inertia_close_to_kmeans_plusplus(rng, weighted):
    centres = rng.normal(0, 6, (8, 4))
    X = centres[rng.integers(0, 8, 8000)] + rng.normal(size=(8000, 4))
    w = rng.uniform(0.5, 2.0, 8000) if weighted else None
    C = kmeans_parallel(X, 8, sample_weight=w, random_state=0)
    ref = KMeans(8, random_state=0).fit(X, sample_weight=w).inertia_
    start = KMeans(8, init=C, max_iter=1).fit(X, sample_weight=w)
    assert start.inertia_ <= 1.5 * ref


def test_bad_n_clusters():
    with pytest.raises(ValueError, match="n_clusters must be an int"):
        kmeans_parallel(np.zeros((3, 2)), 5)
