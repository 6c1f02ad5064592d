"""Run scikit-learn's and scipy's own test files against clusterlab.

Each suite in ``suites/`` imports a peer test file as installed in
site-packages and binds its estimator names to clusterlab's (``_bind.py``).
The suite runs in a subprocess (the peer's own conftest supplies its fixtures;
``_plugin.py`` applies ``not_applicable.py`` and tallies outcomes), and this
test prints the counts and asserts that at least 95% of the applicable tests
pass.  Applicable = collected, minus the tests the peer skips itself, minus
the reviewed not-applicable list.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.peer._plugin import match
from tests.peer.not_applicable import NOT_APPLICABLE

ROOT = Path(__file__).resolve().parents[2]
SUITES = {
    "k_means": "sklearn.conftest",
    "gaussian_mixture": "sklearn.conftest",
    "kde": "sklearn.conftest",
    "hierarchy": "scipy.conftest",
}
THRESHOLD = 0.95


def run_suite(suite, report):
    env = dict(os.environ, PEER_REPORT=str(report))
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT)] + env.get("PYTHONPATH", "").split(os.pathsep))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest",
           "-o", "python_files=peer_*.py", "-o", "addopts=", "-p", SUITES[suite],
           "-p", "tests.peer._plugin", "-W", "ignore::DeprecationWarning",
           str(ROOT / "tests" / "peer" / "suites" / f"peer_{suite}.py")]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if not report.exists():
        raise AssertionError(f"peer suite {suite} did not run:\n{proc.stdout[-3000:]}"
                             f"\n{proc.stderr[-3000:]}")
    return json.loads(report.read_text())


def tally(outcomes):
    counts = {k: 0 for k in ("passed", "failed", "skipped", "not_applicable")}
    for outcome in outcomes.values():
        counts[outcome] += 1
    counts["applicable"] = counts["passed"] + counts["failed"]
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("suite", list(SUITES))
def test_peer_suite_pass_rate(suite, tmp_path):
    result = run_suite(suite, tmp_path / "report.json")
    counts = tally(result["outcomes"])
    failures = [f"  {nid.split('::', 1)[1]}: {result['reasons'].get(nid, '')}"
                for nid, o in sorted(result["outcomes"].items()) if o == "failed"]
    print(f"\npeer suite {suite}: {counts['passed']} / {counts['applicable']} applicable "
          f"tests pass ({counts['not_applicable']} not applicable, {counts['skipped']} "
          f"skipped by the peer)")
    print("\n".join(failures))
    # every reviewed entry still names a test (the list cannot silently rot)
    names = [nid.split("::", 1)[1] for nid in result["outcomes"]]
    unused = [p for p in NOT_APPLICABLE.get(suite, {})
              if not any(match(suite, n) and match(suite, n)[0] == p for n in names)]
    assert not unused, f"not-applicable entries that match no test: {unused}"
    assert counts["applicable"] > 0
    assert counts["passed"] >= THRESHOLD * counts["applicable"], "\n".join(failures)
