"""What a model may declare about itself: the optional attributes plait reads from a model or one of its modules,
written down once (`ModelTraits`) and read only through the functions below, each giving what absence means.

A module declares the ones that apply to it as plain attributes or properties, e.g. an embed:

    class MyEmbed(nn.Module):
        tokenwise = True  # each token's row depends on that token alone

        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width
"""
from __future__ import annotations

from typing import Any, Protocol


class ModelTraits(Protocol):
    """Every optional attribute plait reads from a module; none is required, each has a function of its name."""

    width: int | None  # width of the vectors it outputs (a tok2vec, embed, encode layer, listener or transformer)
    tokenwise: bool  # an embed whose row for a token depends on that token alone (Tok2Vec may then chunk long docs)
    receptive_field: int | None  # an encode layer's tokens either side that one token's output depends on
    keeps_own_dropout: bool  # `[training] dropout` leaves the modules inside it alone (a pretrained transformer)
    mixed_precision: bool  # it runs under autocast itself: fp16 training on a GPU then needs loss scaling
    grad_scaler_config: dict[str, Any]  # the settings of torch's GradScaler for that loss scaling
    exclusive_classes: bool | None  # a text classifier trained for softmax (True) or sigmoid (False) outputs


def width(module: object) -> int | None:
    """The width of the vectors `module` outputs; None when it declares none."""
    return getattr(module, "width", None)


def tokenwise(module: object) -> bool:
    """Whether `module` (an embed) makes each token's row from that token alone; False when undeclared."""
    return bool(getattr(module, "tokenwise", False))


def receptive_field(module: object) -> int | None:
    """Tokens either side that one token's output of `module` depends on; None when unbounded or undeclared."""
    return getattr(module, "receptive_field", None)


def keeps_own_dropout(module: object) -> bool:
    """Whether `[training] dropout` must leave the modules inside `module` alone; False when undeclared."""
    return bool(getattr(module, "keeps_own_dropout", False))


def mixed_precision(module: object) -> bool:
    """Whether `module` runs under autocast itself; False when undeclared."""
    return bool(getattr(module, "mixed_precision", False))


def grad_scaler_config(module: object) -> dict[str, Any]:
    """The GradScaler settings `module` asks for when it trains in fp16; none when undeclared."""
    return dict(getattr(module, "grad_scaler_config", {}))


def exclusive_classes(module: object) -> bool | None:
    """Whether a text classifier's weights are for softmax (True) or sigmoid (False) outputs; None when undeclared."""
    return getattr(module, "exclusive_classes", None)
