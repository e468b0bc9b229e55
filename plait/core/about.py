"""plait's version: the one pyproject.toml gives, read from the installed package's metadata."""
from __future__ import annotations

from functools import cache


@cache
def version() -> str:
    """The installed plait's version ("0.0.0" in a source tree that was never installed); read on first use,
    since importlib.metadata is slow to import."""
    from importlib.metadata import PackageNotFoundError, version as installed_version

    try:
        return installed_version("plait")
    except PackageNotFoundError:
        return "0.0.0"
