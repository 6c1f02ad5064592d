"""scikit-learn's estimator checks for the k-means family."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from clusterlab import FuzzyCMeans, KMeans, MiniBatchKMeans, SphericalKMeans

ESTIMATORS = [
    KMeans(n_clusters=3, n_init=2, max_iter=20, random_state=0),
    MiniBatchKMeans(n_clusters=3, batch_size=20, max_iter=5, random_state=0),
    FuzzyCMeans(n_clusters=3, max_iter=30, random_state=0),
    SphericalKMeans(n_clusters=3, max_iter=20, random_state=0),
]

# The random draws (seeding; mini-batches) for weights differ from those for
# repeated rows, so the *initial* centres differ; from equal initial centres the
# fit is equivalent, which tests/cluster/test_kmeans.py and test_fuzzy.py check.
_SEEDING = (
    "random draws for weights differ from those for repeated rows; equivalence from the "
    "same initial centres is tested in tests/cluster"
)


def _expected_failed(estimator):
    return {"check_sample_weight_equivalence_on_dense_data": _SEEDING,
            "check_sample_weight_equivalence_on_sparse_data": _SEEDING}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)
