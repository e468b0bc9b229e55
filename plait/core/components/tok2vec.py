"""tok2vec: a shared encoder component that runs once per batch and feeds every listener linked to it."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from torch import nn

from plait.core.components.encoder import EncoderComponent
from plait.core.doc import Doc
from plait.models.batch import TokenBatch
from plait.models.listener import OutputKind


class Tok2VecComponent(EncoderComponent):
    """Encodes docs into per-token vectors; heads read them through Listener layers.

    At inference the vectors are also stored on each doc as `doc.tensor` (tokens, width), which is what a
    listener reads when it is called on a batch other than the one just encoded.
    """

    output_kind = OutputKind.TOKENS  # what its listeners read: a TokenBatch

    def store(self, docs: Sequence[Doc], output: TokenBatch) -> None:
        for doc, rows in zip(docs, output.per_doc()):
            doc.tensor = rows


def make_tok2vec(*, model: nn.Module) -> Callable[[Any, str], Tok2VecComponent]:
    """Factory `tok2vec`: a shared encoder; heads use `plait.Tok2VecListener.v1` to read its output."""
    return lambda nlp, name: Tok2VecComponent(name, model)
