"""tok2vec: a shared encoder component that runs once per batch and feeds every listener linked to it."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from torch import nn

from plait.core.components.declaration import SHARED_WIDTH, ComponentKind, declare
from plait.core.components.encoder import EncoderComponent
from plait.core.doc import Doc
from plait.core.registries import registry
from plait.models.batch import TokenBatch
from plait.models.listener import OutputKind
from plait.models.onnx_graph import OnnxGraph
from plait.models.tok2vec_onnx import OnnxTok2Vec, export_tok2vec, unexportable


class Tok2VecComponent(EncoderComponent):
    """Encodes docs into per-token vectors; heads read them through Listener layers.

    At inference the vectors are also stored on each doc as `doc.tensor` (tokens, width), which is what a
    listener reads when it is called on a batch other than the one just encoded.
    """

    output_kind = OutputKind.TOKENS  # what its listeners read: a TokenBatch

    def store(self, docs: Sequence[Doc], output: TokenBatch) -> None:
        for doc, rows in zip(docs, output.per_doc()):
            doc.tensor = rows

    def unexportable(self) -> str | None:
        return unexportable(self.model)

    def export_onnx(self, *, int8: bool) -> None:
        self.model = export_tok2vec(self.model, int8=int8)

    def load_onnx(self, directory: Path, graph: bytes) -> None:
        self.model = OnnxTok2Vec(self.model, OnnxGraph(graph))


# The shared tok2vec's size for each --optimize goal.
_SIZES = {
    "efficiency": {"width": 96, "depth": 4, "rows": [5000, 1000, 2500, 2500]},
    "accuracy": {"width": 256, "depth": 8, "rows": [20000, 2500, 5000, 5000]},
}


def default_model(optimize: str) -> dict[str, Any]:
    """Hashed embeddings of four attributes and a CNN, its size by `optimize`; the embedding's width refers to
    the encoder's (written once, where listeners read it)."""
    size = _SIZES[optimize]
    return {
        "@architectures": "plait.Tok2Vec.v1",
        "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": SHARED_WIDTH,
                  "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": list(size["rows"]),
                  "include_static_vectors": False},
        "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": size["width"], "depth": size["depth"],
                   "window_size": 1, "maxout_pieces": 3},
    }


@registry.factories.register("tok2vec")
@declare(kind=ComponentKind.ENCODER, default_model=default_model)
def make_tok2vec(*, model: nn.Module) -> Callable[[Any, str], Tok2VecComponent]:
    """Factory `tok2vec`: a shared encoder; heads use `plait.Tok2VecListener.v1` to read its output."""
    return lambda nlp, name: Tok2VecComponent(name, model)
