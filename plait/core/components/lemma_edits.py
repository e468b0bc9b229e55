"""Lemma edits: the prefix and suffix rewrite that turns a word form into its lemma, learned from training pairs.

An edit keeps the longest substring form and lemma share (the stem) and rewrites what is around it:
"running" -> "run" cuts the suffix "ning"; "The" -> "the" swaps the prefix "T" for "t". A pair with nothing in
common ("went" -> "go") gives a whole-word edit that applies to that form only. One edit serves every word
with the same affixes, so a classifier over a few hundred edits lemmatizes words never seen in training.
"""
from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple


class Edit(NamedTuple):
    """Cut `old_prefix` and `old_suffix` off the form, put `new_prefix` and `new_suffix` on; `whole`: the form
    is exactly old_prefix (no stem is kept)."""

    old_prefix: str
    new_prefix: str
    old_suffix: str
    new_suffix: str
    whole: bool


@lru_cache(maxsize=1 << 16)  # called for every training token at every step; a corpus has far fewer pairs
def edit_of(form: str, lemma: str) -> Edit:
    """The edit rewriting `form` into `lemma` around their longest common substring (the first, if tied)."""
    match = SequenceMatcher(None, form, lemma, autojunk=False).find_longest_match(0, len(form), 0, len(lemma))
    if match.size == 0:
        return Edit(form, lemma, "", "", True)
    i, j, k = match.a, match.b, match.size
    return Edit(form[:i], lemma[:j], form[i + k:], lemma[j + k:], False)


def apply_edit(edit: Edit, form: str) -> str | None:
    """The lemma the edit makes of `form`, or None where it does not apply (the affixes it cuts are not there)."""
    cut = len(edit.old_prefix) + len(edit.old_suffix)
    fits = len(form) == cut if edit.whole else len(form) > cut
    if not (fits and form.startswith(edit.old_prefix) and form.endswith(edit.old_suffix)):
        return None
    stem = form[len(edit.old_prefix):len(form) - len(edit.old_suffix)]
    return edit.new_prefix + stem + edit.new_suffix
