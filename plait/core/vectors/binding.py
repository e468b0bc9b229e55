"""Binding the vocab's static vectors table to the StaticVectors modules inside a pipeline's models."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from plait.core.components.contract import model_of
from plait.core.errors import ModelLoadError
from plait.core.vectors.table import Vectors

if TYPE_CHECKING:
    from plait.core.pipeline import Language
    from plait.models.static_vectors import StaticVectors  # imports torch: only pipelines with models need it


def static_vectors(nlp: Language, names: Iterable[str] | None = None) -> list[tuple[str, StaticVectors]]:
    """Every StaticVectors module inside the components' models (of `names`, default all), with its owner."""
    wanted = None if names is None else set(names)
    found = []
    for name, component in nlp.components:
        model = model_of(component)
        if model is not None and (wanted is None or name in wanted):
            from plait.models.static_vectors import StaticVectors

            found.extend((name, m) for m in model.modules() if isinstance(m, StaticVectors))
    return found


def bind_static_vectors(nlp: Language, names: Iterable[str] | None = None) -> None:
    """Bind every StaticVectors module to `nlp.vocab.vectors`: size its projection, keep the table's fingerprint.

    Run by init_nlp and Language.from_disk before weights are initialized or loaded (add_pipe runs it too
    when the vocab already has a table). Models already bound to another table refuse it. The embeds that
    could not run before (see `check_embeds`) are checked once sized.
    """
    sized = set()
    for name, module in static_vectors(nlp, names):
        if nlp.vocab.vectors is None:
            raise ValueError(f"components.{name}: the vocab has no static vectors table, but the model uses "
                             "static vectors: set [initialize] vectors, or assign nlp.vocab.vectors first")
        if module.fingerprint is not None:
            module.check_table(nlp.vocab.vectors)
        module.initialize(nlp.vocab.vectors)
        sized.add(name)
    for name in sized:
        block = nlp.config["components"].get(name, {})
        from plait.core.embed_check import check_embeds

        check_embeds(name, nlp.get_pipe(name).model, block, nlp.vocab)


def check_static_vectors(nlp: Language) -> None:
    """Raise ValueError unless every StaticVectors module is initialized with the vocab's current table."""
    for name, module in static_vectors(nlp):
        try:
            module.check_table(nlp.vocab.vectors)
        except ValueError as err:
            raise ValueError(f"components.{name}: {err}") from err


def check_saved_fingerprint(path: Path, table: Vectors, meta: dict) -> None:
    """Raise ModelLoadError unless the table at `path` is the one meta.json's fingerprint names."""
    expected = (meta.get("vectors") or {}).get("fingerprint")
    found = table.fingerprint()
    if expected is not None and expected != found:
        raise ModelLoadError(f"{path}: vectors {table.name or 'unnamed'!r} (fingerprint {found}) are "
                             f"not the table the pipeline was saved with (meta.json fingerprint {expected})")
