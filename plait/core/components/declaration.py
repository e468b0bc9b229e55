"""What a component factory declares beside itself: its kind, its default model block and its scores.

Built-in factories carry it with `@declare(...)`, users' factories through `@plait.factory(...)`; init-config,
`nlp.add_pipe`, fill-config, `plait evaluate` and the visualizer read it (`core/component_defaults.py`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Mapping, TypeVar

# The --optimize goals of init-config; a ModelBlock writes a component's default model block for one of them.
OPTIMIZE = ("efficiency", "accuracy")
ModelBlock = Callable[[str], dict[str, Any]]
Factory = TypeVar("Factory", bound=Callable[..., Any])

# The listener that reads the shared tok2vec, and the shared width every listener and the embedding refer to.
TOK2VEC_LISTENER = "plait.Tok2VecListener.v1"
SHARED_WIDTH = "${components.tok2vec.model.encode.width}"


class ComponentKind(Enum):
    """What the pipeline does with a component before building it."""

    ENCODER = "encoder"  # feeds listeners (tok2vec, transformer): init-config writes one, shared by the heads
    HEAD = "head"  # trainable: a model, a loss, labels
    OTHER = "other"  # nothing to train: rules, functions


@dataclass(frozen=True)
class Declaration:
    """A factory's defaults.

    `default_model(optimize)`: its model block, each encoder written as a listener to the shared tok2vec
    (`tok2vec_listener()`), or None for a factory that takes no model. `score_weights`: the single-number
    and per-label scores it reports, in display order, each with its relative weight in the combined score
    (None: reported, not weighed). `default_blocks`: the other settings that are registered-function blocks, each
    written for an `optimize` (spancat's `suggester`), so that init-config and `nlp.add_pipe` write them.
    """

    kind: ComponentKind = ComponentKind.OTHER
    default_model: ModelBlock | None = None
    score_weights: Mapping[str, float | None] = field(default_factory=dict)
    default_blocks: Mapping[str, ModelBlock] = field(default_factory=dict)


NOTHING_DECLARED = Declaration()
_DECLARED: dict[Callable[..., Any], Declaration] = {}


def declare(*, kind: ComponentKind = ComponentKind.OTHER, default_model: ModelBlock | None = None,
            score_weights: Mapping[str, float | None] | None = None,
            default_blocks: Mapping[str, ModelBlock] | None = None) -> Callable[[Factory], Factory]:
    """Attach a Declaration to a factory function; registering the function registers it too."""
    declaration = Declaration(kind, default_model, dict(score_weights or {}), dict(default_blocks or {}))

    def attach(factory: Factory) -> Factory:
        _DECLARED[factory] = declaration
        return factory

    return attach


def declaration_of(factory: Callable[..., Any]) -> Declaration:
    """The declaration attached to a factory function (NOTHING_DECLARED for one registered without)."""
    return _DECLARED.get(factory, NOTHING_DECLARED)


def tok2vec_listener() -> dict[str, Any]:
    """A listener to the pipeline's shared tok2vec, as a model block's `tok2vec` sub-block."""
    return {"@architectures": TOK2VEC_LISTENER, "width": SHARED_WIDTH, "upstream": "*"}
