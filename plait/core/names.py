"""Component names are names, not paths: each becomes a folder of the saved pipeline, so one check, where a
name enters (a config's [nlp] pipeline and [components], `add_pipe`, a loaded pipeline's config), keeps every
name a single plain path segment inside that folder."""
from __future__ import annotations

import unicodedata
from pathlib import PureWindowsPath

from plait.core.errors import ConfigError


def name_problem(name: object) -> str | None:
    """What makes `name` unfit to name a component (and its folder), or None."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if "/" in name or "\\" in name or PureWindowsPath(name).drive:
        return "must not hold a path separator or drive: it names a folder inside the pipeline's folder"
    if name.startswith("."):
        return "must not start with '.' ('.', '..' and hidden names are not component folders)"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "must not hold control characters"
    return None


def check_component_name(name: object, key: str = "nlp.pipeline") -> None:
    """Refuse a component name that could reach outside the pipeline's folder, naming the config key."""
    problem = name_problem(name)
    if problem is not None:
        raise ConfigError(f"{key}: component name {name!r} {problem}")
