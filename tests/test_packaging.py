"""Packaging: every data file inside the package is listed in pyproject's package-data, so that a
non-editable install (a wheel) has the default configs and the viewer's assets too."""
import fnmatch
import subprocess
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]


def test_every_packaged_data_file_is_in_package_data():
    try:
        listed = subprocess.run(["git", "ls-files", "plait"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    data = [Path(p) for p in listed.stdout.splitlines() if not p.endswith(".py")]
    assert any(p.suffix == ".cfg" for p in data)  # the defaults init-config and fill-config read
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))["tool"]["setuptools"]["package-data"]
    missing = [str(p) for p in data if not any(
        ".".join(p.parent.parts) == package and any(fnmatch.fnmatch(p.name, g) for g in patterns)
        for package, patterns in globs.items())]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
