"""Ranged setting types for builder signatures: config validation checks a value against them before building."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from plait.models.attr_names import FLAG_ATTRS, STRING_ATTRS

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Rate = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]  # dropout, decay factors: [0, 1)
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]  # shares and thresholds: [0, 1]
# Upper bounds where a setting has a natural one: far above any useful value, far below what exhausts memory
# (the memory estimate of core/model_memory.py catches what these cannot, such as a width).
Pieces = Annotated[int, Field(ge=2, le=16)]  # a maxout window encoder's pieces (with 1 it would be the mish encoder)
MaxoutPieces = Annotated[int, Field(ge=1, le=16)]  # candidates per unit of a maxout layer
Depth = Annotated[int, Field(ge=1, le=100)]  # stacked layers of an encoder
WindowSize = Annotated[int, Field(ge=0, le=32)]  # tokens either side that a window layer concatenates
SpanWidth = Annotated[int, Field(ge=1, le=512)]  # tokens in one span a span model tells apart by width
HashRows = Annotated[int, Field(ge=1, le=2**32)]  # rows of one hash table: no vocabulary fills 4 billion


def _lexical_attr(name: str) -> str:
    if name.upper() not in STRING_ATTRS + FLAG_ATTRS:
        raise ValueError(f"unknown lexical attribute {name!r}; known: {', '.join(STRING_ATTRS + FLAG_ATTRS)}")
    return name


LexicalAttr = Annotated[str, AfterValidator(_lexical_attr)]
