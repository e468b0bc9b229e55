"""Initializing a built pipeline, shared by `init_nlp`, `init_pretraining` and `nlp.initialize`: the static
vectors of `[initialize] vectors`, then what each component learns from the training data (its labels).

Nothing here imports the pipeline module, so `Language.initialize` reaches it without an import cycle.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import srsly

from plait.core.components.contract import Initializable
from plait.core.errors import ConfigError, ModelLoadError
from plait.core.vectors.table import Vectors

if TYPE_CHECKING:
    from plait.core.pipeline import Language


def load_vectors(path: Path) -> Vectors:
    """The vectors table of a saved pipeline (`path/vectors/`) or a table directory (`vectors.npy` + `keys.json`)."""
    table_dir = path / "vectors" if (path / "vectors").is_dir() else path
    if not path.exists():
        raise ConfigError(f"initialize.vectors: {path} does not exist")
    try:
        return Vectors.from_disk(table_dir)
    except ModelLoadError as err:
        raise ConfigError(f"initialize.vectors: {path} is not a pipeline or vectors table ({err})") from err


def set_initial_vectors(nlp: Language, init: dict[str, Any]) -> None:
    """Give the pipeline the table `[initialize] vectors` names (when it names none, the vocab's own, if any),
    bound to every model that reads static vectors; ConfigError naming `initialize.vectors` otherwise."""
    table = load_vectors(Path(init["vectors"])) if init.get("vectors") else nlp.vocab.vectors
    try:
        nlp.set_vectors(table)
    except ValueError as err:
        raise ConfigError(f"initialize.vectors: {err}") from err


def initialize_components(nlp: Language, get_examples: Callable[[], Iterable[Any]], *,
                          skip: Iterable[str] = (), settings: dict[str, Any] | None = None) -> None:
    """Let every component that learns from data (Initializable) see `get_examples()`, with its settings from
    `[initialize.components.NAME]` (`labels` may name a JSON file); sourced components and those in `skip`
    (frozen) keep what they have."""
    skip = set(skip)
    for name, component in nlp.components:
        if isinstance(component, Initializable) and name not in skip and name not in nlp.sourced:
            own = dict((settings or {}).get(name, {}) or {})
            if isinstance(own.get("labels"), str):
                own["labels"] = _read_labels(own["labels"], name)
            component.initialize(get_examples, **own)


def _read_labels(path: str, name: str) -> list[str]:
    try:
        labels = srsly.read_json(path)
    except (OSError, ValueError) as err:
        raise ConfigError(f"initialize.components.{name}.labels: cannot read {path} ({err})") from err
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ConfigError(f"initialize.components.{name}.labels: {path} must hold a JSON list of strings")
    return labels
