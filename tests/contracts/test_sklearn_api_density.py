"""scikit-learn estimator contract for KernelDensity."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from clusterlab import KernelDensity

_RULE_WEIGHTS = (
    "data-scaled rules use Kish's effective sample size sum(w)^2 / sum(w^2) (as scipy's "
    "gaussian_kde), so integer weights and repeated rows give different "
    "bandwidths; with a fixed bandwidth weights equal repeated rows "
    "(tests/density/test_exact.py::test_weights_equal_repeated_rows)."
)


def _expected_failures(estimator):
    if isinstance(estimator.bandwidth, str) and estimator.bandwidth.endswith("_cov"):
        return {
            "check_sample_weight_equivalence_on_dense_data": _RULE_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _RULE_WEIGHTS,
        }
    return {}


@parametrize_with_checks(
    [
        KernelDensity(bandwidth=0.5),
        KernelDensity(bandwidth="scott"),
        KernelDensity(bandwidth="scott_cov"),
        KernelDensity(bandwidth=[0.5], kernel="epanechnikov", kernel_form="product",
                      bandwidth_meaning="std"),
        KernelDensity(bandwidth=0.8, kernel="linear", metric="manhattan", atol=1e-6),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
