"""pytest plugin for the peer suites: not-applicable marks and an outcome tally.

Loaded with ``-p tests.peer._plugin`` by ``test_peer_suites.py``.  Tests that
match an entry of ``not_applicable.py`` are skipped with the entry's reason;
``PEER_REPORT`` names a JSON file that receives, per test id, its outcome
(``passed``, ``failed``, ``skipped`` by the peer itself, or ``not_applicable``)
and, for failures, the last line of the error.
"""

import fnmatch
import json
import os

import pytest

from tests.peer.not_applicable import NOT_APPLICABLE

_OUTCOMES = {}
_REASONS = {}


def _suite(item):
    return os.path.basename(str(item.fspath))[len("peer_"):-len(".py")]


def _test_name(nodeid):
    """``Class::test[params]`` or ``test[params]``: the id without the file."""
    return nodeid.split("::", 1)[1]


def match(suite, name):
    """The not-applicable entry of ``suite`` matching test ``name``, or None."""
    base = name.split("[", 1)[0]  # an entry without brackets covers every parameter set
    for pattern, reason in NOT_APPLICABLE.get(suite, {}).items():
        if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(base, pattern):
            return pattern, reason
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        hit = match(_suite(item), _test_name(item.nodeid))
        if hit is not None:
            # a peer test of a private helper or exact message text: not applicable, with the
            # reviewed reason from not_applicable.py (counted and reported, never silent)
            item.add_marker(pytest.mark.skip(reason=f"not applicable: {hit[1]}"))
            _OUTCOMES[item.nodeid] = "not_applicable"
            _REASONS[item.nodeid] = hit[0]


def pytest_runtest_logreport(report):
    if _OUTCOMES.get(report.nodeid) == "not_applicable":
        return
    if report.failed:
        _OUTCOMES[report.nodeid] = "failed"
        _REASONS[report.nodeid] = str(report.longrepr).strip().splitlines()[-1][:300]
    elif report.skipped and report.when == "setup":
        _OUTCOMES[report.nodeid] = "skipped"
    elif report.when == "call" and report.passed and not hasattr(report, "wasxfail"):
        _OUTCOMES.setdefault(report.nodeid, "passed")
    elif report.skipped:  # xfail / skip inside the test: the peer's own choice
        _OUTCOMES[report.nodeid] = "skipped"


def pytest_sessionfinish(session):
    path = os.environ.get("PEER_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump({"outcomes": _OUTCOMES, "reasons": _REASONS}, f, indent=1)
