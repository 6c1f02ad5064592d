"""After ``make docs``: every example's gallery page shows at least one figure that exists.

Run: ``python docs/check_gallery.py [docs/_build/html]``; exits non-zero naming
the pages without figures.
"""

import re
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def missing_figures(html_root):
    """Example pages (by script name) whose HTML shows no existing figure."""
    bad = []
    for script in sorted(EXAMPLES.glob("[0-9][0-9]_*.py")):
        page = html_root / "auto_examples" / f"{script.stem}.html"
        if not page.exists():
            bad.append(f"{script.name}: no page")
            continue
        images = re.findall(r'src="([^"]*sphx_glr_[^"]*\.png)"', page.read_text())
        found = [i for i in images if "thumb" not in i and (page.parent / i).resolve().is_file()
                 and (page.parent / i).resolve().stat().st_size > 0]
        if not found:
            bad.append(f"{script.name}: no figure on {page.name}")
    return bad


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "_build" / "html")
    problems = missing_figures(root)
    for p in problems:
        print(p)
    print(f"{'FAIL' if problems else 'ok'}: gallery figures checked under {root}")
    sys.exit(1 if problems else 0)
