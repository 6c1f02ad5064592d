"""Hypothesis profiles of the fuzz suites (tests/fuzz here, tests/io for model files).

``CLUSTERLAB_FUZZ=long`` selects the long local profile; the default ``ci``
profile is derandomized (a fixed seed: the same examples on every run) and
sized so the whole fuzz suite takes a few minutes on two cores. Hypothesis'
own deadline is off: a hang is caught by the per-example ``time_limit`` in
the tests (a wall-clock alarm), not by timing statistics.
"""

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much,
                           # time_limit is a stateless context-manager factory
                           HealthCheck.function_scoped_fixture],
)
settings.register_profile("ci", max_examples=150, **_COMMON)
settings.register_profile("long", max_examples=1000, **{**_COMMON, "derandomize": False})
settings.load_profile("long" if os.environ.get("CLUSTERLAB_FUZZ") == "long" else "ci")

#: examples for the deep estimators (torch), kept few and tiny in CI
DEEP_EXAMPLES = 200 if os.environ.get("CLUSTERLAB_FUZZ") == "long" else 8
