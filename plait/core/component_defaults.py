"""The defaults factories declare (`components/declaration.py`), read by name: the shared tok2vec's block, a
component's model with its own encoder (`add_pipe`, fill-config) and the scores a pipeline reports."""
from __future__ import annotations

from typing import Any, Iterable

from plait.core.components.declaration import (
    NOTHING_DECLARED,
    SHARED_WIDTH,
    TOK2VEC_LISTENER,
    Declaration,
    declaration_of,
)
from plait.core.registry import ensure_registered, registry

# The shared encoder init-config writes for a pipeline of tok2vec listeners.
SHARED_ENCODER = "tok2vec"
# The shared tok2vec's width at efficiency when a parser listens to it: 128 rather than 96 scored higher on
# ud-en-ewt dev at little cost (BENCHMARKS.md, "Parsing and lemmas against spaCy").
_PARSER_EFFICIENCY_WIDTH = 128


def declaration(factory: str) -> Declaration:
    """What the factory registered as `factory` declares (NOTHING_DECLARED if it declares nothing or is unknown)."""
    ensure_registered()
    if factory not in registry.factories:
        return NOTHING_DECLARED
    return declaration_of(registry.factories.get(factory))


def shared_tok2vec(optimize: str, factories: Iterable[str]) -> dict[str, Any]:
    """The shared tok2vec's model block for a pipeline of `factories`: wider at efficiency for a parser."""
    block = declaration(SHARED_ENCODER).default_model(optimize)
    if optimize == "efficiency" and "parser" in factories:
        block["encode"]["width"] = _PARSER_EFFICIENCY_WIDTH
    return block


def standalone_model(factory: str, optimize: str = "efficiency") -> dict[str, Any] | None:
    """The model block init-config writes for `factory`, with its own encoder in place of each listener
    (what `nlp.add_pipe(factory)` builds when no model is given); None for a factory that takes no model."""
    default_model = declaration(factory).default_model
    if default_model is None:
        return None
    encoder = shared_tok2vec(optimize, [factory])
    width = encoder["encode"]["width"]

    def own(block: Any) -> Any:
        if block == SHARED_WIDTH:
            return width
        if not isinstance(block, dict):
            return block
        if block.get("@architectures") == TOK2VEC_LISTENER:
            return own(encoder)
        return {key: own(value) for key, value in block.items()}

    return own(default_model(optimize))


def with_default_model(block: Any) -> Any:
    """A component block with its factory's standalone model added when it names none, and each other declared
    block it leaves out (fill-config, add_pipe)."""
    if not isinstance(block, dict) or not isinstance(block.get("factory"), str):
        return block
    extra = {key: write("efficiency") for key, write in declaration(block["factory"]).default_blocks.items()
             if key not in block}
    model = None if "model" in block else standalone_model(block["factory"])
    return {**block, **extra} if model is None else {**block, **extra, "model": model}


def reported_scores(factories: Iterable[str]) -> list[str]:
    """Every score the factories declare, in pipeline order, each once (what `plait evaluate` shows)."""
    keys: dict[str, None] = {}
    for factory in factories:
        keys.update(dict.fromkeys(declaration(factory).score_weights))
    return list(keys)
