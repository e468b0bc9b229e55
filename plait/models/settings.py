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
Pieces = Annotated[int, Field(ge=2)]  # a maxout window encoder's pieces (with 1 it would be the mish encoder)


def _lexical_attr(name: str) -> str:
    if name.upper() not in STRING_ATTRS + FLAG_ATTRS:
        raise ValueError(f"unknown lexical attribute {name!r}; known: {', '.join(STRING_ATTRS + FLAG_ATTRS)}")
    return name


LexicalAttr = Annotated[str, AfterValidator(_lexical_attr)]
