"""clusterlab's build backend: setuptools, plus compiled kernels in the wheel.

A wheel (``pip install .``, ``pip wheel .``) runs ``build_py`` as usual, then
``python -m clusterlab._precompile`` on the copied package, which fits every
public estimator on small data so that numba writes each kernel's machine code
into ``clusterlab/_numba_cache`` inside the build (issue 18: a first fit loads
it instead of compiling for 10-20 s). That needs the runtime dependencies in
the build environment, so they are added to the wheel's build requirements
(pip's build isolation installs them). An editable install (``pip install -e``,
``make setup``) skips this step; ``make setup`` runs the same module on the
source tree instead.

The step never fails the build: if it cannot run (``CLUSTERLAB_PRECOMPILE=0``,
no numba in a ``--no-build-isolation`` build), it warns, and the installed
package compiles each kernel on its first use, as before. The compiled code is
valid for the CPU, numba version and Python version it was built with; numba
recompiles (once, saved beside it where writable) on any other.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - the PEP 517/660 hooks we do not change
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent.parent


def _enabled():
    return os.environ.get("CLUSTERLAB_PRECOMPILE", "1") != "0"


def get_requires_for_build_wheel(config_settings=None):
    """setuptools' requirements plus the runtime dependencies the precompile step imports."""
    requires = _setuptools.get_requires_for_build_wheel(config_settings)
    if _enabled():
        with open(HERE / "pyproject.toml", "rb") as fh:
            requires += tomllib.load(fh)["project"]["dependencies"]
    return requires


class BuildPy(build_py):
    """``build_py``, then the kernels compiled into the built package."""

    @staticmethod
    def _seed(cache):
        """Start from the source tree's cache (``make setup``'s), if any: its
        entries for unchanged kernels are reused, the rest pruned afterwards."""
        src = HERE / "src" / "clusterlab" / "_numba_cache"
        if src.is_dir() and not cache.exists():
            shutil.copytree(src, cache)

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False) or not _enabled():
            return
        target = Path(self.build_lib).resolve()
        self._seed(target / "clusterlab" / "_numba_cache")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), env.get("PYTHONPATH")]))
        env.pop("NUMBA_CACHE_DIR", None)  # the cache must land in the package
        print("clusterlab: compiling the numba kernels into the wheel (a few minutes; "
              "CLUSTERLAB_PRECOMPILE=0 skips it)", flush=True)
        cmd = [sys.executable, "-m", "clusterlab._precompile", "--quiet",
               "--expect-package", str(target / "clusterlab")]
        proc = subprocess.run(cmd, env=env, cwd=target, check=False,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            print("WARNING: clusterlab: kernels not precompiled; the first fit of each "
                  "estimator will compile them (10-20 s). " + " | ".join(tail), flush=True)
