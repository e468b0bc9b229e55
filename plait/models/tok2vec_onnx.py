"""A Tok2Vec of hashed embeddings and a window encoder as an ONNX graph: the hash ids and window indices are
computed in Python as before, the embedding tables, the mixing layer and the encoder blocks by onnxruntime."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from plait.models.batch import TokenBatch, window_index
from plait.models.embed import N_SEEDS, MultiHashEmbed
from plait.models.encoders import WindowEncoder
from plait.models.onnx_graph import OnnxGraph, export_graph, quantize_graph
from plait.models.tok2vec import Tok2Vec


def unexportable(model: nn.Module) -> str | None:
    """Why `model` cannot be exported (None when it can): only hashed embeddings (no static vectors) followed by
    window encoder blocks are, the layers of init-config's tok2vec."""
    if not isinstance(model, Tok2Vec):
        return f"it is a {type(model).__name__}, not a plait.Tok2Vec.v1"
    if type(model.embed) is not MultiHashEmbed or model.embed.static_vectors is not None:
        return "its embed is not a plait.MultiHashEmbed.v1 without static vectors"
    if type(model.encode) is not WindowEncoder or not len(model.encode.blocks):
        return "its encode is not a window encoder (plait.MaxoutWindowEncoder.v1, plait.MishWindowEncoder.v1)"
    return None


class _Tensors(nn.Module):
    """The tensor part of the Tok2Vec: hash ids (tokens, attrs, N_SEEDS) and each token's neighbour rows
    (tokens, 2 * window_size + 1) -> vectors (tokens, width). Embeddings are gathered and summed (the model's
    embedding_bag, in operators ONNX has)."""

    def __init__(self, tok2vec: Tok2Vec) -> None:
        super().__init__()
        self.embed, self.encode = tok2vec.embed, tok2vec.encode

    def forward(self, ids: torch.Tensor, windows: torch.Tensor) -> torch.Tensor:
        parts = [nn.functional.embedding(ids[:, i], hashed.table.weight).sum(dim=1)  # (tokens, width)
                 for i, hashed in enumerate(self.embed.embeds)]
        flat = self.embed.norm(self.embed.mix(torch.cat(parts, dim=-1)))
        return self.encode(TokenBatch(flat, [], windows={_window_size(self.encode): windows})).flat


def _window_size(encode: WindowEncoder) -> int:
    return encode.blocks[0].window_size


class OnnxTok2Vec(nn.Module):
    """docs -> TokenBatch like the Tok2Vec it was exported from, the tensors computed by onnxruntime. Keeps the
    Tok2Vec's hash functions (Python objects, no weights): the tables are inside the graph."""

    def __init__(self, tok2vec: Tok2Vec, graph: OnnxGraph) -> None:
        super().__init__()
        self.graph = graph
        self.features = [hashed.ids for hashed in tok2vec.embed.embeds]
        self.window_size = _window_size(tok2vec.encode)
        self.width = tok2vec.width

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        if torch.is_grad_enabled():
            raise RuntimeError("an exported (ONNX) tok2vec runs inference only; train the original pipeline")
        lengths = [len(doc) for doc in docs]
        if not sum(lengths):
            return TokenBatch(torch.zeros((0, self.width)), lengths)
        ids = np.stack([feature.gather(docs) for feature in self.features], axis=1)  # (tokens, attrs, N_SEEDS)
        rows = self.graph(ids=ids, windows=window_index(lengths, self.window_size))["vectors"]
        return TokenBatch(rows, lengths)


def export_tok2vec(model: Tok2Vec, *, int8: bool) -> OnnxTok2Vec:
    """`model` as an OnnxTok2Vec (its weights quantized to int8 with `int8`); see `unexportable` for which can be."""
    reason = unexportable(model)
    if reason:
        raise ValueError(reason)
    lengths = [3, 2]  # a sample batch, for the tracer's shapes
    rows = min(hashed.table.num_embeddings for hashed in model.embed.embeds)
    ids = torch.arange(sum(lengths) * len(model.embed.embeds) * N_SEEDS).remainder(rows)
    ids = ids.view(sum(lengths), len(model.embed.embeds), N_SEEDS)
    windows = torch.from_numpy(window_index(lengths, _window_size(model.encode)))
    axes = {"ids": {0: "tokens"}, "windows": {0: "tokens"}, "vectors": {0: "tokens"}}
    graph = export_graph(_Tensors(model), (ids, windows), input_names=["ids", "windows"], output_names=["vectors"],
                         dynamic_axes=axes)
    return OnnxTok2Vec(model, OnnxGraph(quantize_graph(graph) if int8 else graph))
