"""MorphAnalysis: a token's morphological features (UD FEATS, e.g. "Number=Sing|Person=3") as an object."""
from __future__ import annotations

from typing import Iterator


class MorphAnalysis:
    """Read-only view of one FEATS string: `str()` gives it back, `.get(field)` the values of a field,
    `.to_dict()` {field: "v1,v2"}; `key` is its StringStore hash (0 when unset)."""

    __slots__ = ("key", "_features")

    def __init__(self, key: int, feats: str) -> None:
        self.key = key
        self._features: dict[str, list[str]] = {}
        for feature in feats.split("|") if feats and feats != "_" else ():
            field, _, values = feature.partition("=")
            self._features.setdefault(field, []).extend(v for v in values.split(",") if v)

    def get(self, field: str, default: list[str] | None = None) -> list[str]:
        """The values of `field` (e.g. ["Sing"] for "Number"); `default` (an empty list) when absent."""
        return list(self._features.get(field, [] if default is None else default))

    def to_dict(self) -> dict[str, str]:
        return {field: ",".join(values) for field, values in self._features.items()}

    def to_json(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return "|".join(f"{field}={','.join(values)}" for field, values in self._features.items())

    __repr__ = __str__

    def __iter__(self) -> Iterator[str]:
        """Each feature as "Field=Value"."""
        return (f"{field}={value}" for field, values in self._features.items() for value in values)

    def __len__(self) -> int:
        return sum(len(values) for values in self._features.values())

    def __contains__(self, feature: str) -> bool:
        field, _, value = feature.partition("=")
        return value in self._features.get(field, ())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MorphAnalysis):
            return self._features == other._features
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))
