"""CoNLL-U read for UD scoring: tokens and syntactic words placed on the text's characters.

The CoNLL 2018 shared task scores a system file against a gold file whose texts differ only in tokenization, so
both are read into the same coordinates: the characters of the FORMs with spaces (Unicode class Zs) dropped,
concatenated. A token (a plain word or an `N-M` multi-word token) is a span of those characters; a word inside a
multi-word token takes its token's span. Also kept per sentence, for rebuilding the raw text: its `# text`, whether
a `# newdoc` precedes it, and its surface tokens with their spacing (`SpaceAfter=No`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from plait.core.errors import DataError

# the features the evaluation compares (UFeats): UD's universal features; others (language-specific) are ignored
UNIVERSAL_FEATURES = frozenset((
    "PronType", "NumType", "Poss", "Reflex", "Foreign", "Abbr", "Gender", "Animacy", "Number", "Case", "Definite",
    "Degree", "VerbForm", "Mood", "Tense", "Aspect", "Voice", "Evident", "Polarity", "Person", "Polite"))


@dataclass(slots=True)
class Word:
    """A syntactic word: its token's character span, whether that token is a multi-word token, the compared
    columns (FEATS reduced to sorted universal features, DEPREL to its universal part) and its head as an index
    into the file's words (-1: the root)."""

    start: int
    end: int
    in_mwt: bool
    form: str
    lemma: str
    upos: str
    xpos: str
    feats: str
    deprel: str
    head: int


@dataclass(slots=True)
class Sentence:
    """A sentence's character span and what rebuilds its raw text."""

    newdoc: bool
    text: str | None
    text_line: int = 0  # the line of `# text`
    start: int = 0
    end: int = 0
    surface: list[tuple[str, bool]] = field(default_factory=list)  # (token form, space after)

    def raw_text(self) -> str:
        """`# text`, else the surface tokens joined as `SpaceAfter` says."""
        if self.text is not None:
            return self.text
        return "".join(form + (" " if space else "") for form, space in self.surface).strip()


@dataclass(slots=True)
class UDFile:
    """A whole CoNLL-U file in character coordinates."""

    name: str
    chars: list[str] = field(default_factory=list)
    tokens: list[tuple[int, int]] = field(default_factory=list)
    token_lines: list[int] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)


def no_spaces(text: str) -> str:
    """`text` without its space characters (class Zs, and tabs or line breaks where a raw text has them)."""
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c) == "Zs"))


def read_ud(lines: Iterable[tuple[int, str]], name: str) -> UDFile:
    """Read numbered lines of CoNLL-U; anything the evaluation cannot score raises DataError("NAME:LINE: ...")."""
    ud = UDFile(name)
    pending: list[tuple[int, list[str]]] = []
    newdoc, text, text_line = False, None, 0
    for lineno, raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith("#") and not pending:
            key, _, value = line[1:].partition("=")
            newdoc |= key.split()[:1] == ["newdoc"]  # "# newdoc" or "# newdoc id = ..."
            if key.strip() == "text":
                text, text_line = value.strip(), lineno
        elif line.strip():
            pending.append((lineno, line.split("\t")))
        elif pending:
            _add_sentence(ud, pending, Sentence(newdoc, text, text_line))
            pending, newdoc, text = [], False, None
    if pending:
        _add_sentence(ud, pending, Sentence(newdoc, text, text_line))
    return ud


def _add_sentence(ud: UDFile, rows: list[tuple[int, list[str]]], sent: Sentence) -> None:
    sent.start = len(ud.chars)
    first_word = len(ud.words)
    heads: list[tuple[int, str]] = []
    mwt_last = 0
    for lineno, cols in rows:
        where = f"{ud.name}:{lineno}"
        if len(cols) != 10:
            raise DataError(f"{where}: expected 10 tab-separated columns, found {len(cols)}")
        tid = cols[0]
        if "." in tid:  # an empty node: no token, no word
            continue
        first, dash, last = tid.partition("-")
        if not (first.isascii() and first.isdigit() and (not dash or last.isascii() and last.isdigit())):
            raise DataError(f"{where}: bad token ID {tid!r}")
        if dash and int(last) < int(first):
            raise DataError(f"{where}: multi-word token {tid} ends before it starts")
        n = int(first)
        expected = len(ud.words) - first_word + 1
        if dash and n <= mwt_last:
            raise DataError(f"{where}: multi-word token {tid} overlaps the one before it")
        if n != expected:
            raise DataError(f"{where}: token ID {tid} out of order (expected {expected})")
        if dash or n > mwt_last:
            form = no_spaces(cols[1])
            if not form:
                raise DataError(f"{where}: empty FORM")
            ud.tokens.append((len(ud.chars), len(ud.chars) + len(form)))
            ud.token_lines.append(lineno)
            ud.chars.extend(form)
            sent.surface.append((cols[1], "SpaceAfter=No" not in cols[9].split("|")))
        if dash:
            mwt_last = int(last)
            continue
        start, end = ud.tokens[-1]
        feats = "|".join(sorted(f for f in cols[5].split("|") if f.partition("=")[0] in UNIVERSAL_FEATURES))
        ud.words.append(Word(start, end, n <= mwt_last, cols[1], cols[2], cols[3], cols[4], feats,
                             cols[7].partition(":")[0], -1))
        heads.append((lineno, cols[6]))
    if len(ud.words) == first_word:
        raise DataError(f"{ud.name}:{rows[0][0]}: a sentence with no words")
    if mwt_last > len(ud.words) - first_word:
        raise DataError(f"{ud.name}:{rows[-1][0]}: a multi-word token runs past the sentence's last word")
    _set_heads(ud, first_word, heads)
    sent.end = len(ud.chars)
    ud.sentences.append(sent)


def _set_heads(ud: UDFile, first_word: int, heads: list[tuple[int, str]]) -> None:
    """Heads as word indices; a sentence must be one tree (one root, no cycle) for its arcs to be scored."""
    n = len(heads)
    for k, (lineno, head) in enumerate(heads):
        if not (head.isascii() and head.isdigit()) or int(head) > n:
            raise DataError(f"{ud.name}:{lineno}: HEAD {head!r} is not a word of its {n}-word sentence")
        ud.words[first_word + k].head = first_word + int(head) - 1 if head != "0" else -1
    roots = [lineno for (lineno, head) in heads if head == "0"]
    if len(roots) != 1:
        raise DataError(f"{ud.name}:{heads[0][0]}: a sentence needs one root (HEAD 0), found {len(roots)}")
    rooted: set[int] = set()  # words whose chain of heads is known to reach the root
    for k, (lineno, _) in enumerate(heads):
        chain, j = set(), first_word + k
        while j >= 0 and j not in rooted:
            if j in chain:
                raise DataError(f"{ud.name}:{lineno}: the heads from this word run in a cycle")
            chain.add(j)
            j = ud.words[j].head
        rooted |= chain
