"""What a benchmark workload is: data, our runner and the peers' runners."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field


def scorer(fn):
    """Run a quality scorer with one BLAS thread.

    Scorers run in the measured process after each timed fit. A threaded BLAS
    call leaves its workers spinning for about 0.1 s after it returns, and
    they would take a core from the next timed run (of any library).
    """

    @functools.wraps(fn)
    def single_threaded(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return single_threaded


@dataclass
class Workload:
    """One benchmark workload.

    ``make_data()`` builds the inputs deterministically (it runs in each child
    process). Each runner takes that dict and returns ``{"quality": float}``
    plus optional ``"note"`` (str) and ``"seconds"`` (float, to time only a
    part of the call). The first runner is clusterlab's; the rest are peers.
    """

    name: str
    description: str
    make_data: Callable[[], dict]
    runners: dict[str, Callable[[dict], dict]]
    quality_name: str
    target: str = ""
    repeats: int = 3
    warmup: bool = True
    timeout_s: int = 900
    higher_quality_is_better: bool = False
    extra: dict = field(default_factory=dict)
