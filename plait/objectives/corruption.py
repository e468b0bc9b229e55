"""Input corruption for pretraining: some tokens are masked or swapped before the encoder sees them."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

MASK = "<plait-mask>"  # the stand-in word of a masked token; its hashed features are what "masked" looks like


def corrupt(docs: Sequence[Any], rng: np.random.Generator, *, mask_rate: float, replace_rate: float) -> list[Any]:
    """Copies of `docs` in which about `mask_rate` of the tokens are replaced by the MASK word and about
    `replace_rate` by a word drawn from the batch's own tokens (so by frequency). The docs are not changed.

    Only the lexeme ids differ in the copies, which is all an embedding reads.
    """
    if not docs:
        return []
    lex = np.concatenate([doc.lex for doc in docs])
    draw = rng.random(len(lex))
    masked = draw < mask_rate
    replaced = (draw >= mask_rate) & (draw < mask_rate + replace_rate)
    new = lex.copy()
    new[masked] = docs[0].vocab.lex_id(MASK)
    new[replaced] = rng.choice(lex, int(replaced.sum()))
    out = []
    for doc, rows in zip(docs, np.split(new, np.cumsum([len(doc) for doc in docs[:-1]]))):
        copy = doc.copy_tokens()
        copy.lex = rows
        out.append(copy)
    return out
