"""sentencizer: sentence boundaries from punctuation, no model. A sentence ends at a token made of
sentence-final punctuation (plus any punctuation right after it, such as closing quotes or brackets)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from plait.core.components.declaration import ComponentKind, declare
from plait.core.doc import Doc
from plait.core.scorer import score_sents
from plait.core.registries import registry

# Sentence-final characters: Latin, Armenian, Arabic, Urdu, Devanagari, CJK (full and half width), ellipsis, ...
DEFAULT_PUNCT_CHARS = [".", "!", "?", "…", "‼", "⁇", "⁈", "⁉", "։", "؟", "۔", "।", "॥", "。", "！", "？", "｡",
                       "።", "᙮", "᠃", "᠉"]


class Sentencizer:
    """Sets SENT_START on every doc: 1 on the first token and after each sentence end, -1 elsewhere."""

    model = None
    score_key = "sents_f"

    def __init__(self, name: str, *, punct_chars: Sequence[str], overwrite: bool) -> None:
        self.name, self.punct_chars, self.overwrite = name, list(punct_chars), overwrite

    def _ends(self, words: list[str]) -> list[bool]:
        chars = set(self.punct_chars)
        return [bool(w) and all(c in chars for c in w) for w in words]

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc) or (doc.has_annotation("SENT_START") and not self.overwrite):
            return doc
        words = doc.words
        ends = self._ends(words)
        codes = np.full(len(doc), -1, dtype=np.int8)
        codes[0] = 1
        seen_end = False
        for i, is_end in enumerate(ends):
            if is_end:
                seen_end = True
            elif seen_end and not doc[i].is_punct:
                codes[i], seen_end = 1, False
        doc.columns["SENT_START"][:] = codes
        return doc

    def score(self, examples: Sequence[Any]) -> dict[str, Any]:
        return score_sents(examples)

    def get_state(self) -> dict[str, Any]:
        return {"punct_chars": self.punct_chars, "overwrite": self.overwrite}

    def set_state(self, state: dict[str, Any]) -> None:
        self.punct_chars, self.overwrite = list(state["punct_chars"]), state["overwrite"]


@registry.factories.register("sentencizer")
@declare(kind=ComponentKind.OTHER, score_weights={"sents_p": None, "sents_r": None, "sents_f": None})
def make_sentencizer(*, punct_chars: list[str] | None = None, overwrite: bool = False) -> Callable[[Any, str], Sentencizer]:
    """Factory `sentencizer`: rule-based sentence boundaries at `punct_chars` (null: a built-in list)."""
    chars = DEFAULT_PUNCT_CHARS if punct_chars is None else punct_chars
    return lambda nlp, name: Sentencizer(name, punct_chars=chars, overwrite=overwrite)
