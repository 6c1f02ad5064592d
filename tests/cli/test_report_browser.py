"""The HTML report in headless Chromium: every image loads, no console errors.

Debian's ``chromium`` is installed by .ci/run and ``make test`` (where the
machine lets them); the test is skipped, with the reason printed, only where
it is absent. The screenshot goes to ``$CLUSTERLAB_ARTIFACTS`` when set
(else the test's temporary directory) and its path is printed.
"""

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from clusterlab.cli.main import run

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run"]

# runs before anything in the page: records console errors and failed loads, then
# after the load event writes image status and errors into the DOM for --dump-dom
_PROBE = """<script>
window.__errors = [];
const _error = console.error;
console.error = function (...args) { window.__errors.push(args.join(' ')); _error(...args); };
window.addEventListener('error', e => window.__errors.push('error: ' + (e.message ||
  (e.target && (e.target.src || e.target.href)) || 'resource')), true);
window.addEventListener('load', () => {
  const images = Array.from(document.images).map(img => ({
    alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
    inline: img.src.startsWith('data:image/png;base64,')}));
  const out = document.createElement('pre');
  out.id = '__probe';
  out.textContent = JSON.stringify({images, errors: window.__errors});
  document.body.appendChild(out);
});
</script>"""


def _chromium():
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    # a browser is a Debian package, not a pip dependency; CI installs it (.ci/run)
    reason = ("Debian's chromium is not installed (.ci/run and make test install it with "
              "apt-get; this machine could not)")
    print(f"SKIP: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    code = run(["fit", "--method", "gmm", "--k", "1-3", "--seed", "0", "--out", str(out),
                "--quiet"], out=Console(file=io.StringIO()))
    assert code == 0
    return out / "report.html"


def _browse(chromium, page, profile, *extra):
    return subprocess.run([chromium, *_FLAGS, f"--user-data-dir={profile}", *extra,
                           page.as_uri()], capture_output=True, text=True, timeout=120)


def test_report_is_self_contained(report):
    text = report.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text)
    for section in ("Data", "Choice of k", "Model", "Cluster profiles", "Plots", "Convergence",
                    "Warnings", "Repeat this run"):
        assert f"<h2>{section}</h2>" in text
    assert "clusterlab fit" in text and "scikit-learn" in text


def test_report_opens_in_headless_chromium(report, tmp_path):
    chromium = _chromium()
    probed = tmp_path / "probed.html"
    probed.write_text(report.read_text().replace("<head>", "<head>" + _PROBE, 1))
    proc = _browse(chromium, probed, tmp_path / "profile", "--virtual-time-budget=10000",
                   "--dump-dom")
    match = re.search(r'<pre id="__probe">(.*?)</pre>', proc.stdout, re.S)
    assert match, f"no probe in the DOM; chromium said: {proc.stderr[-2000:]}"
    state = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert state["errors"] == []
    assert len(state["images"]) >= 7
    for img in state["images"]:
        assert img["complete"] and img["width"] > 100 and img["height"] > 100, img
        assert img["inline"], img

    shots = Path(os.environ.get("CLUSTERLAB_ARTIFACTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / "report-screenshot.png"
    proc = _browse(chromium, report, tmp_path / "profile2", f"--screenshot={shot}",
                   "--window-size=1200,4000", "--hide-scrollbars")
    assert shot.exists(), proc.stderr[-2000:]
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 50_000
    print(f"report screenshot: {shot}")
