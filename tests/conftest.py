"""Shared fixtures: one fast default seed, a wider sweep on request.

Set ``CLUSTERLAB_SEEDS=all`` (or a comma list) to run seeded tests over more seeds.

Tests that read ``../shared/data`` skip, printing why, when it is absent (a fresh
clone); ``CLUSTERLAB_REQUIRE_SHARED_DATA=1`` (set by CI, which has it) makes its
absence a failure instead. Data the suite needs to pass lives in ``tests/data``.
"""

import os
import signal
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

# the repository's own test data (see tests/data/SOURCES.md)
TEST_DATA = Path(__file__).resolve().parent / "data"
# ../shared/data beside the checkout; CLUSTERLAB_SHARED_DATA overrides it
SHARED_DATA = Path(
    os.environ.get(
        "CLUSTERLAB_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


def _seeds():
    spec = os.environ.get("CLUSTERLAB_SEEDS", "0")
    if spec == "all":
        return list(range(10))
    return [int(s) for s in spec.split(",")]


@pytest.fixture(params=_seeds())
def global_random_seed(request):
    """The seed for a seeded test (default 0; CLUSTERLAB_SEEDS widens it)."""
    return request.param


@pytest.fixture
def rng(global_random_seed):
    return np.random.default_rng(global_random_seed)


@pytest.fixture(scope="session")
def shared_data():
    """Path of ../shared/data (tests may read it; the library never does)."""
    if not SHARED_DATA.is_dir():
        reason = (f"shared data not found at {SHARED_DATA} (a clone without ../shared "
                  "beside it; set CLUSTERLAB_SHARED_DATA to its path)")
        if os.environ.get("CLUSTERLAB_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return SHARED_DATA


@contextmanager
def _time_limit(seconds):
    """Raise ``TimeoutError`` in the main thread after ``seconds`` (a hang guard).

    SIGALRM interrupts Python code between bytecodes; a compiled kernel that
    never returns to Python would still hang, so the guarded code paths are
    Python-level loops (the jitter search, the EM loop).
    """

    def _raise(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def time_limit():
    """``with time_limit(s): ...`` fails the test with TimeoutError instead of hanging."""
    return _time_limit
