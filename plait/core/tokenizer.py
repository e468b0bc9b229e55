"""Rule-based tokenizer: split on whitespace, then cut each chunk by special cases, affixes and infixes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from plait.core.doc import Doc
from plait.core.vocab import Vocab

_WHITESPACE = re.compile(r"(\s+)")
_CACHE_LIMIT = 200_000  # distinct chunks remembered before the cache starts over, to bound memory
_SUFFIX_WINDOW = 50  # suffixes are looked for in a chunk's last characters only, so long chunks stay linear


@dataclass
class TokenizerRules:
    """A language's tokenization rules: regex alternatives (as source strings) and exact special cases.

    `prefixes` / `suffixes` are cut from the start / end of a chunk one at a time; `infixes` split what
    is left. `exceptions` maps an exact string to its tokens (they must concatenate back to it). A
    string matching `token_match` is never cut further; a string matching `url_match` once its
    prefixes and suffixes are gone is kept whole (so "(http://x.org)." still loses its brackets).
    """

    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()
    exceptions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    token_match: tuple[str, ...] = ()
    url_match: tuple[str, ...] = ()


def _alternation(patterns: tuple[str, ...], template: str) -> re.Pattern | None:
    return re.compile(template.format("|".join(patterns))) if patterns else None


def _detach_final_period(words: list[str], spaces: list[bool]) -> None:
    """Split the period off a text-final abbreviation ("... etc." -> etc .): it also ends the sentence."""
    i = len(words) - 1
    while i >= 0 and words[i].isspace():
        i -= 1
    word = words[i] if i >= 0 else ""
    if len(word) > 1 and word[-1] == "." and word[-2] != ".":
        words[i:i + 1] = [word[:-1], "."]
        spaces[i:i + 1] = [False, spaces[i]]


class Tokenizer:
    """Turns text into a Doc whose `text` is exactly the input; each distinct chunk is split once, then cached."""

    def __init__(self, vocab: Vocab, rules: TokenizerRules) -> None:
        self.vocab = vocab
        self.rules = rules
        for key, pieces in rules.exceptions.items():
            if "".join(pieces) != key or not all(pieces) or _WHITESPACE.search(key):
                raise ValueError(f"tokenizer exception {key!r} -> {pieces!r}: pieces must be non-empty, "
                                 "free of whitespace and join back to the key")
        self._special = {key: tuple(pieces) for key, pieces in rules.exceptions.items()}
        self._prefix = _alternation(rules.prefixes, "^(?:{})")
        self._suffix = _alternation(rules.suffixes, "(?:{})$")
        self._infix = _alternation(rules.infixes, "{}")
        self._token_match = _alternation(rules.token_match, "(?:{})")
        self._url_match = _alternation(rules.url_match, "(?:{})")
        self._cache: dict[str, tuple[tuple[str, ...], tuple[bool, ...], tuple[bool, ...]]] = {}

    def __call__(self, text: str) -> Doc:
        if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
            words, spaces = self._split_on_single_spaces(text)
        else:
            words, spaces = self._split_on_any_whitespace(text)
        _detach_final_period(words, spaces)
        return Doc(self.vocab, words, spaces)

    def _split_on_single_spaces(self, text: str) -> tuple[list[str], list[bool]]:
        """Fast path for the usual text: chunks separated by exactly one space, no other whitespace."""
        words: list[str] = []
        spaces: list[bool] = []
        if text:
            get = self._cache.get
            for chunk in text.split(" "):
                hit = get(chunk) or self._split_and_cache(chunk)
                words += hit[0]
                spaces += hit[2]
            spaces[-1] = False
        return words, spaces

    def _split_on_any_whitespace(self, text: str) -> tuple[list[str], list[bool]]:
        """General path: a single space after a token is its flag; other whitespace becomes tokens."""
        words: list[str] = []
        spaces: list[bool] = []
        parts = _WHITESPACE.split(text)
        parts.append("")
        for i in range(0, len(parts) - 1, 2):
            chunk, gap = parts[i], parts[i + 1]
            if chunk:
                hit = self._cache.get(chunk) or self._split_and_cache(chunk)
                words += hit[0]
                if gap[:1] == " ":
                    spaces += hit[2]
                    gap = gap[1:]
                else:
                    spaces += hit[1]
            if gap:
                words.append(gap)
                spaces.append(False)
        return words, spaces

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        """Tokenize a stream of texts; `batch_size` is accepted for symmetry with pipeline components."""
        for text in texts:
            yield self(text)

    def split(self, chunk: str) -> tuple[str, ...]:
        """The tokens of one whitespace-free chunk (uncached)."""
        special = self._special
        if chunk in special:
            return special[chunk]
        prefixes: list[str] = []
        suffixes: list[str] = []
        rest = chunk
        while rest and rest not in special and not self._matches(self._token_match, rest):
            pre = self._prefix.match(rest) if self._prefix else None
            suf = self._suffix.search(rest, max(0, len(rest) - _SUFFIX_WINDOW)) if self._suffix else None
            n_pre = pre.end() if pre else 0
            n_suf = len(rest) - suf.start() if suf else 0
            if n_pre and rest[n_pre:] in special:
                prefixes.append(rest[:n_pre])
                rest = rest[n_pre:]
            elif n_suf and rest[:-n_suf] in special:
                suffixes.append(rest[-n_suf:])
                rest = rest[:-n_suf]
            elif n_pre and n_suf and n_pre + n_suf <= len(rest):
                prefixes.append(rest[:n_pre])
                suffixes.append(rest[-n_suf:])
                rest = rest[n_pre:-n_suf]
            elif n_pre:
                prefixes.append(rest[:n_pre])
                rest = rest[n_pre:]
            elif n_suf:
                suffixes.append(rest[-n_suf:])
                rest = rest[:-n_suf]
            else:
                break
        tokens = prefixes
        if rest in special:
            tokens += special[rest]
        elif rest:
            if self._matches(self._token_match, rest) or self._matches(self._url_match, rest):
                tokens.append(rest)
            else:
                tokens += self._split_infixes(rest)
        tokens += reversed(suffixes)
        return tuple(tokens)

    @staticmethod
    def _matches(pattern: re.Pattern | None, text: str) -> bool:
        return pattern is not None and pattern.fullmatch(text) is not None

    def _split_infixes(self, text: str) -> list[str]:
        """Split at infixes; the pieces between them are tokenized again ("$4-$6" -> $ 4 - $ 6)."""
        if self._infix is None:
            return [text]
        pieces: list[str] = []
        start = 0
        for match in self._infix.finditer(text):
            if match.start() > start:
                pieces += self.split(text[start:match.start()])
            if match.end() > match.start():
                pieces.append(match.group())
            start = max(start, match.end())
        if start == 0:  # no infix (or only empty matches at the very start)
            return [text]
        if start < len(text):
            pieces += self.split(text[start:])
        return pieces

    def _split_and_cache(self, chunk: str) -> tuple[tuple[str, ...], tuple[bool, ...], tuple[bool, ...]]:
        """Split a chunk and remember its tokens with their space flags, without and with a trailing space."""
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        tokens = self.split(chunk)
        flags = (False,) * len(tokens)
        hit = self._cache[chunk] = (tokens, flags, flags[:-1] + (True,))
        return hit
