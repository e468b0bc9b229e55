"""Binding the vocab's static vectors table to the StaticVectors modules inside a pipeline's models."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from plait.core.components.contract import model_of

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


def bind_static_vectors(nlp: Language, names: Iterable[str] | None = None, *, fingerprint: str | None = None
                        ) -> None:
    """Bind every StaticVectors module (of `names`, default all) to `nlp.vocab.vectors`: size its projection,
    keep the table's fingerprint. Reached through `Language.set_vectors` (and `add_pipe` for a new component).

    Models already bound to another table refuse it; so do all of them when `fingerprint` (the table the
    models were trained with, as a saved pipeline's meta.json records it) is not the table's. The embeds that
    could not run before (see `check_embeds`) are checked once sized.
    """
    found = static_vectors(nlp, names)
    table = nlp.vocab.vectors
    if found and table is None:
        raise ValueError(f"components.{found[0][0]}: the vocab has no static vectors table, but the model uses "
                         "static vectors: set [initialize] vectors, or call nlp.set_vectors(table) first")
    if found and fingerprint is not None and table.fingerprint() != fingerprint:
        raise ValueError(f"vectors {table.name or 'unnamed'!r} (fingerprint {table.fingerprint()}) are not the "
                         f"table the pipeline was saved with (meta.json fingerprint {fingerprint})")
    sized = set()
    for name, module in found:
        if module.fingerprint is not None:
            module.check_table(table)
        module.initialize(table)
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

