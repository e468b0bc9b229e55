"""Base noun phrases from a dependency parse with Universal Dependencies labels, as English uses them.

A chunk is a noun or pronoun in a nominal role (subject, object, oblique, nominal modifier, apposition, root, or a
conjunct of one of these) together with the modifiers on its left (determiners, adjectives, compounds, numbers,
possessors, which are part of the chunk they modify), never its prepositions or coordinating conjunctions, which UD attaches to the noun too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from plait.core.span import Span

if TYPE_CHECKING:
    from plait.core.doc import Doc

NOMINAL_ROLES = frozenset({"nsubj", "nsubj:pass", "obj", "iobj", "obl", "obl:npmod", "obl:tmod", "nmod",
                           "nmod:npmod", "nmod:tmod", "appos", "root", "expl", "vocative", "dislocated"})
LEFT_MODIFIERS = frozenset({"det", "det:predet", "det:poss", "amod", "compound", "nummod", "nmod:poss", "flat"})
NOMINAL_POS = frozenset({"NOUN", "PROPN", "PRON"})


def noun_chunks(doc: "Doc") -> Iterator[Span]:
    """The doc's base noun phrases in order, labelled "NP"; ValueError if the doc has no parse."""
    if not doc.has_annotation("HEAD") or not doc.has_annotation("DEP"):
        raise ValueError("noun_chunks needs a dependency parse (HEAD and DEP): add a parser to the pipeline")
    deps = doc.strings_of("DEP")
    pos = doc.strings_of("POS")
    heads = [t.head.i for t in doc]
    chunk_heads: set[int] = set()
    last_end = 0
    for i, dep in enumerate(deps):
        nominal = dep in NOMINAL_ROLES or (dep == "conj" and heads[i] in chunk_heads)
        if not nominal or (pos[i] and pos[i] not in NOMINAL_POS):
            continue
        chunk_heads.add(i)
        token = doc[i]
        start = min([c.left_edge.i for c in token.lefts if deps[c.i] in LEFT_MODIFIERS], default=i)
        if start < last_end:
            continue
        last_end = i + 1
        yield Span(doc, start, i + 1, "NP")
