"""The patterns of a ruler (entity_ruler, span_ruler): one matching path for both.

A pattern is spaCy's: {"label": "ORG", "pattern": "Apple Inc."} (a phrase, tokenized by the pipeline and
compared on the phrase attribute) or {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]}
(a token pattern, see plait.core.matcher); "id" is kept with the pattern. `matches` finds every phrase match and
each token pattern's longest match at every start; the ruler decides which overlapping ones it keeps.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import srsly

from plait.core.doc import Doc
from plait.core.errors import ConfigError, DataError
from plait.core.matcher import compile_token_pattern, match_token_pattern, token_value

PHRASE_ATTRS = ("ORTH", "TEXT", "LOWER", "NORM")
MAX_PATTERN_FILE_BYTES = 1 << 30  # a patterns file is read whole: refuse one that could not fit


class RulePatterns:
    """Phrase and token patterns with their labels, in the order added."""

    def __init__(self, make_doc: Callable[[str], Doc], phrase_attr: str) -> None:
        if phrase_attr.upper() not in PHRASE_ATTRS:
            raise ValueError(f"phrase_matcher_attr must be ORTH, LOWER or NORM, not {phrase_attr!r}")
        self.make_doc, self.phrase_attr = make_doc, phrase_attr.upper()
        self.patterns: list[dict[str, Any]] = []
        self._phrases: dict[Any, list[tuple[tuple[Any, ...], str]]] = {}  # first token's value -> (phrase, label)
        self._token_patterns: list[tuple[list, str]] = []

    @property
    def labels(self) -> list[str]:
        return sorted({p["label"] for p in self.patterns})

    def add(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Add patterns; ValueError naming the first malformed one (by its position in `patterns`)."""
        for i, pattern in enumerate(patterns):
            try:
                self._add(pattern)
            except (ValueError, TypeError) as err:
                raise ValueError(f"pattern {i + 1}: {err}") from None

    def _add(self, pattern: Any) -> None:
        if not isinstance(pattern, dict) or not isinstance(pattern.get("label"), str) or not pattern["label"]:
            raise ValueError('a pattern is an object with a "label" string and a "pattern"')
        if "id" in pattern and not isinstance(pattern["id"], str):
            raise ValueError('a pattern\'s "id" is a string')
        body = pattern.get("pattern")
        if isinstance(body, str):
            values = tuple(token_value(t, self.phrase_attr) for t in self.make_doc(body))
            if not values:
                raise ValueError("the phrase has no tokens")
            self._phrases.setdefault(values[0], []).append((values, pattern["label"]))
        else:
            self._token_patterns.append((compile_token_pattern(body), pattern["label"]))
        self.patterns.append(dict(pattern))

    def add_jsonl(self, path: str | Path) -> None:
        """Add the patterns of a JSONL file, one per line; DataError("FILE:LINE: ...") for a bad line."""
        path = Path(path)
        try:
            if path.stat().st_size > MAX_PATTERN_FILE_BYTES:
                raise DataError(f"{path}:1: a patterns file of over {MAX_PATTERN_FILE_BYTES >> 20} MiB")
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise DataError(f"{path}:1: cannot read patterns ({err})") from None
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                self._add(srsly.json_loads(line))
            except (ValueError, TypeError) as err:
                raise DataError(f"{path}:{lineno}: {err}") from None

    def add_setting(self, patterns: str | Sequence[dict[str, Any]] | None, key: str) -> None:
        """`[initialize.components.NAME] patterns` (config key `key`): a JSONL file or a list of patterns."""
        if patterns is None:
            return
        if isinstance(patterns, str):
            self.add_jsonl(patterns)
            return
        if not isinstance(patterns, (list, tuple)):
            raise ConfigError(f"{key}: a JSONL file of patterns or a list of patterns, not {type(patterns).__name__}")
        try:
            self.add(patterns)
        except ValueError as err:
            raise ConfigError(f"{key}: {err}") from None

    def matches(self, doc: Doc) -> list[tuple[int, int, str]]:
        """(start, end, label) of every match, each once, in the order found: by start, phrases before token
        patterns, patterns in the order added."""
        found: dict[tuple[int, int, str], None] = {}
        values = [token_value(t, self.phrase_attr) for t in doc] if self._phrases else []
        for start in range(len(doc)):
            for phrase, label in self._phrases.get(values[start], ()) if values else ():
                end = start + len(phrase)
                if tuple(values[start:end]) == phrase:
                    found[(start, end, label)] = None
            for compiled, label in self._token_patterns:
                end = match_token_pattern(compiled, doc, start)
                if end is not None:
                    found[(start, end, label)] = None
        return list(found)


class PatternRuler:
    """What entity_ruler and span_ruler share: their `name`, their patterns (`rules`) and the ways to add them."""

    name: str
    rules: RulePatterns

    @property
    def patterns(self) -> list[dict[str, Any]]:
        return self.rules.patterns

    @property
    def labels(self) -> list[str]:
        return self.rules.labels

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Add patterns; ValueError naming the first malformed one (by its position in `patterns`)."""
        self.rules.add(patterns)

    def from_jsonl(self, path: str | Path) -> None:
        """Add the patterns of a JSONL file, one per line; DataError("FILE:LINE: ...") for a bad line."""
        self.rules.add_jsonl(path)

    def initialize(self, get_examples: Callable[[], Iterable[Any]], *,
                   patterns: str | Sequence[dict[str, Any]] | None = None, **_: Any) -> None:
        """`[initialize.components.NAME] patterns` is a JSONL file or a list of patterns."""
        self.rules.add_setting(patterns, f"initialize.components.{self.name}.patterns")
