"""UD scores of a system CoNLL-U file against the gold one, as the CoNLL 2018 shared task defines them.

Tokens and sentences are scored as character spans (both files hold the same characters, spaces aside). Words are
aligned before anything about them is scored: outside multi-word tokens a system word matches the gold word with
the same span; where either side has a multi-word token, the stretch of text the overlapping tokens cover is
aligned by the longest common subsequence of the words' lowercased forms. Tags, features, lemmas and arcs count as
correct on aligned words only; an arc is correct when the system head is aligned to the gold head (or both are
the root). Every score is precision, recall and F1 over the gold and system counts.
"""
from __future__ import annotations

from dataclasses import dataclass

from plait.core.errors import DataError
from plait.core.ud_read import UDFile, Word

METRICS = ("tokens", "sentences", "words", "upos", "xpos", "ufeats", "lemmas", "uas", "las")


@dataclass(frozen=True, slots=True)
class Score:
    """`correct` items out of `gold` in the gold file and `system` in the system file."""

    correct: int
    gold: int
    system: int

    @property
    def p(self) -> float:
        return self.correct / self.system if self.system else 0.0

    @property
    def r(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f(self) -> float:
        return 2 * self.correct / (self.gold + self.system) if self.gold + self.system else 0.0


def ud_scores(gold: UDFile, system: UDFile) -> dict[str, Score]:
    """Each metric of METRICS; DataError when the two files' characters differ (naming where)."""
    _check_same_text(gold, system)
    pairs = align_words(gold.words, system.words)

    def words_where(same) -> Score:
        correct = sum(same(gold.words[g], system.words[s]) for s, g in pairs.items())
        return Score(correct, len(gold.words), len(system.words))

    def same_head(g: Word, s: Word) -> bool:
        return g.head == (-1 if s.head < 0 else pairs.get(s.head, -2))

    return {
        "tokens": _same_spans(gold.tokens, system.tokens),
        "sentences": _same_spans([(x.start, x.end) for x in gold.sentences],
                                 [(x.start, x.end) for x in system.sentences]),
        "words": Score(len(pairs), len(gold.words), len(system.words)),
        "upos": words_where(lambda g, s: g.upos == s.upos),
        "xpos": words_where(lambda g, s: g.xpos == s.xpos),
        "ufeats": words_where(lambda g, s: g.feats == s.feats),
        "lemmas": words_where(lambda g, s: g.lemma == "_" or g.lemma == s.lemma),  # "_" in gold: not annotated
        "uas": words_where(same_head),
        "las": words_where(lambda g, s: same_head(g, s) and g.deprel == s.deprel),
    }


def _same_spans(gold: list[tuple[int, int]], system: list[tuple[int, int]]) -> Score:
    return Score(len(set(gold) & set(system)), len(gold), len(system))


def _check_same_text(gold: UDFile, system: UDFile) -> None:
    if gold.chars == system.chars:
        return
    at = next((i for i, (a, b) in enumerate(zip(gold.chars, system.chars)) if a != b),
              min(len(gold.chars), len(system.chars)))

    def line_of(ud: UDFile) -> int:
        return next((line for (_, end), line in zip(ud.tokens, ud.token_lines) if end > at),
                    ud.token_lines[-1] if ud.token_lines else 1)

    raise DataError(f"{gold.name}:{line_of(gold)}: the gold text differs from the system's at "
                    f"{system.name}:{line_of(system)}: {''.join(gold.chars[at:at + 20])!r} against "
                    f"{''.join(system.chars[at:at + 20])!r}")


def align_words(gold: list[Word], system: list[Word]) -> dict[int, int]:
    """The aligned words: system word index -> gold word index."""
    pairs: dict[int, int] = {}
    g = s = 0
    while g < len(gold) and s < len(system):
        if gold[g].in_mwt or system[s].in_mwt:
            g0, s0, g, s = _multiword_stretch(gold, system, g, s)
            pairs.update(_common_forms(gold[g0:g], system[s0:s], g0, s0))
        elif (gold[g].start, gold[g].end) == (system[s].start, system[s].end):
            pairs[s] = g
            g, s = g + 1, s + 1
        elif gold[g].start <= system[s].start:
            g += 1
        else:
            s += 1
    return pairs


def _multiword_stretch(gold: list[Word], system: list[Word], g: int, s: int) -> tuple[int, int, int, int]:
    """The words from (g, s) on that the multi-word token at g or s overlaps, growing the stretch's end over
    every further multi-word token it takes in: (first gold, first system, gold end, system end)."""
    if gold[g].in_mwt:
        end = gold[g].end
        s += not system[s].in_mwt and system[s].start < gold[g].start  # a plain word begun before: left out
    else:
        end = system[s].end
        g += not gold[g].in_mwt and gold[g].start < system[s].start
    g0, s0 = g, s
    while _within(gold, g, end) or _within(system, s, end):
        take_gold = g < len(gold) and (s >= len(system) or gold[g].start <= system[s].start)
        word = gold[g] if take_gold else system[s]
        if word.in_mwt:
            end = max(end, word.end)
        g, s = (g + 1, s) if take_gold else (g, s + 1)
    return g0, s0, g, s


def _within(words: list[Word], i: int, end: int) -> bool:
    """Whether word i belongs to a stretch ending at `end`: a multi-word token's word when it starts before the
    end, any other when it ends by it."""
    if i >= len(words):
        return False
    return words[i].start < end if words[i].in_mwt else words[i].end <= end


def _common_forms(gold: list[Word], system: list[Word], g0: int, s0: int) -> dict[int, int]:
    """Pairs of a longest common subsequence of the lowercased forms, taking a match as soon as one is found."""
    a = [w.form.lower() for w in gold]
    b = [w.form.lower() for w in system]
    # longest[i][j]: the longest common subsequence of a[i:] and b[j:]
    longest = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            longest[i][j] = longest[i + 1][j + 1] + 1 if a[i] == b[j] else max(longest[i + 1][j], longest[i][j + 1])
    pairs, i, j = {}, 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            pairs[s0 + j] = g0 + i
            i, j = i + 1, j + 1
        elif longest[i][j] == longest[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs
