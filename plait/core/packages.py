"""Pipelines as Python packages: `plait package` builds a wheel holding a saved pipeline, and `plait.load(NAME)`
finds an installed one through the `plait_pipelines` entry point group (read from the installed metadata; the
package's code is never imported)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import srsly

from plait.core import fs
from plait.core.about import version as plait_version
from plait.core.errors import UserError
from plait.core.saving import read_saved_config

ENTRY_POINTS = "plait_pipelines"
PIPELINE_DIR = "pipeline"
# PEP 508 distribution names; the import name is the name with - and . as _ (so it must start with a letter)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]$|^[A-Za-z]$")
_META_FIELDS = {"description": str, "license": str, "author": str, "sources": list, "scores": dict}


def check_name(name: str) -> str:
    """The import name of distribution `name`; UserError naming --name when it is not a valid one."""
    if not _NAME.match(name):
        raise UserError(f"--name: {name!r} is not a valid distribution name (letters, digits, '.', '-' and '_', "
                        "starting with a letter and ending with a letter or digit)")
    return re.sub(r"[-.]+", "_", name).lower()


def check_version(value: str) -> str:
    """`value` if it is a PEP 440 version; UserError naming --version otherwise."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(value))
    except InvalidVersion:
        raise UserError(f"--version: {value!r} is not a valid version (PEP 440, e.g. 1.0.0)") from None


def read_extra_meta(path: Path) -> dict[str, Any]:
    """The --meta JSON file: description, license, author, sources (list), scores (dict); UserError naming the
    file and field when it holds anything else."""
    try:
        data = srsly.read_json(path)
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: not a JSON file ({err})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: must hold a JSON object")
    for key, value in data.items():
        if key not in _META_FIELDS:
            raise UserError(f"{path}: unknown field {key!r}; fields: {', '.join(_META_FIELDS)}")
        if not isinstance(value, _META_FIELDS[key]):
            raise UserError(f"{path}: {key} must be a {_META_FIELDS[key].__name__}")
    return data


def build_wheel(model: Path, out_dir: Path, *, name: str, version: str, extra_meta: dict[str, Any]) -> Path:
    """Build `NAME-VERSION-py3-none-any.whl` in `out_dir` from the saved pipeline `model`; returns its path."""
    module = check_name(name)
    version = check_version(version)
    read_saved_config(model)  # a saved pipeline, or a UserError naming what is wrong with it
    fs.check_files_inside(model)  # regular files and folders only: no link takes a file from elsewhere
    meta = {**srsly.read_json(model / "meta.json"), **extra_meta, "name": name, "version": version,
            "requires_plait": _requirement()}
    with tempfile.TemporaryDirectory(prefix="plait-package-") as tmp:
        src = Path(tmp) / "src"
        package = src / module
        shutil.copytree(model, package / PIPELINE_DIR)
        srsly.write_json(package / PIPELINE_DIR / "meta.json", meta)
        (package / "__init__.py").write_text(f'"""The plait pipeline {name} {version}: `plait.load("{name}")`."""\n',
                                             encoding="utf8")
        (src / "pyproject.toml").write_text(_pyproject(name, module, version, meta), encoding="utf8")
        done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                               str(Path(tmp) / "dist"), str(src)], capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise UserError(f"building the wheel failed: {tail[0]}")
        (wheel,) = (Path(tmp) / "dist").glob("*.whl")
        target = out_dir / wheel.name
        fs.copy_file_atomic(wheel, target)
    return target


def _requirement() -> str:
    """The plait versions a packaged pipeline loads with: this one up to the next minor release."""
    major, minor = (int(part) for part in plait_version().split(".")[:2])
    return f"plait>={plait_version()},<{major}.{minor + 1}"


def _pyproject(name: str, module: str, version: str, meta: dict[str, Any]) -> str:
    description = str(meta.get("description") or f"plait pipeline: {', '.join(meta.get('pipeline', []))}")
    license_line = f"license = {{ text = {srsly.json_dumps(meta['license'])} }}\n" if meta.get("license") else ""
    return (f'[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "{name}"\nversion = "{version}"\ndescription = {srsly.json_dumps(description)}\n'
            f'{license_line}requires-python = ">=3.10"\ndependencies = ["{meta["requires_plait"]}"]\n\n'
            f'[project.entry-points.{ENTRY_POINTS}]\n"{name}" = "{module}"\n\n'
            f'[tool.setuptools]\npackages = ["{module}"]\ninclude-package-data = true\n\n'
            f'[tool.setuptools.package-data]\n"{module}" = ["{PIPELINE_DIR}/**/*"]\n')


def installed_pipeline(name: str) -> Path | None:
    """The pipeline folder of the installed package registered as `name`, or None."""
    for entry in metadata.entry_points(group=ENTRY_POINTS):
        if _normal(entry.name) == _normal(name):
            files = entry.dist.locate_file(entry.value.replace(".", "/")) if entry.dist else None
            if files is not None and Path(files, PIPELINE_DIR).is_dir():
                return Path(files, PIPELINE_DIR)
    return None


def _normal(name: str) -> str:
    """A distribution name as pip compares them (PEP 503: runs of -, _ and . alike, case ignored)."""
    return re.sub(r"[-._]+", "-", name).lower()
