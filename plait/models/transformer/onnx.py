"""The HuggingFace encoder of a TransformerModel as an ONNX graph: exported once, then run by onnxruntime in the
HuggingFace model's place (same inputs, same outputs), for inference on a CPU."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from plait.models.onnx_graph import OnnxGraph, export_graph, quantize_graph
from plait.models.transformer.model import TransformerModel, model_outputs

# Graph metadata: the wordpieces a window may hold (the tokenizer alone may not say, see model._max_length).
MAX_LENGTH_KEY = "plait.max_length"


class _Outputs(nn.Module):
    """The HuggingFace model as a function of (input_ids, attention_mask) returning its outputs as a tuple, in the
    order `model_outputs` gives them: what the ONNX tracer can follow."""

    def __init__(self, transformer: nn.Module) -> None:
        super().__init__()
        self.transformer = transformer

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        out = self.transformer(input_ids=input_ids, attention_mask=attention_mask)
        return tuple(value for _, value in model_outputs(out))


class GraphOutput(dict):
    """The graph's outputs by name, last hidden state first, read as TransformerModel reads a HuggingFace output."""

    @property
    def last_hidden_state(self) -> torch.Tensor:
        return self["last_hidden_state"]


class OnnxTransformer(nn.Module):
    """Stands in for the HuggingFace model inside a TransformerModel at inference: (input_ids, attention_mask) ->
    its outputs, computed by onnxruntime. `config` is the HuggingFace model's (hidden size, attention kernel)."""

    def __init__(self, graph: OnnxGraph, config: Any) -> None:
        super().__init__()
        self.graph, self.config = graph, config

    @property
    def max_length(self) -> int:
        return int(self.graph.metadata[MAX_LENGTH_KEY])

    def forward(self, *, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> GraphOutput:
        if torch.is_grad_enabled():
            raise RuntimeError("an exported (ONNX) transformer runs inference only; train the original pipeline")
        outputs = self.graph(input_ids=input_ids.cpu().numpy().astype(np.int64),
                             attention_mask=attention_mask.cpu().numpy().astype(np.int64))
        return GraphOutput(outputs)

    def get_input_embeddings(self) -> nn.Module:
        raise RuntimeError("an exported (ONNX) transformer runs inference only; train the original pipeline")


def load_graph(model: TransformerModel, directory: Path, graph: bytes) -> None:
    """Run the exported `graph` in place of `model`'s HuggingFace model, with the tokenizer and model config saved in
    `directory` (a saved pipeline's hf/ folder)."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(str(directory), local_files_only=True)
    model.load_exported(directory, OnnxTransformer(OnnxGraph(graph), config))


def export_transformer(model: TransformerModel, *, int8: bool) -> None:
    """Replace the loaded HuggingFace model of `model` by its ONNX graph (batch and sequence axes dynamic; weights
    quantized to int8 with `int8`), which then computes the same outputs through onnxruntime."""
    transformer = model.transformer
    if transformer is None or isinstance(transformer, OnnxTransformer):
        raise ValueError("the transformer is not loaded, or is already exported")
    wrapper = _Outputs(transformer)
    # a sample batch of two windows, the second padded: shapes for the tracer (the values do not matter)
    sample = model.tokenizer("a sample text to trace the model with")["input_ids"]
    ids = torch.tensor([(sample * 8)[:8]] * 2, dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    mask[1, 5:] = 0
    with torch.no_grad():
        transformer.eval()
        names = [key for key, _ in model_outputs(transformer(input_ids=ids, attention_mask=mask))]
        values = wrapper(ids, mask)
    axes = {"input_ids": {0: "windows", 1: "wordpieces"}, "attention_mask": {0: "windows", 1: "wordpieces"}}
    for name, value in zip(names, values):
        axes[name] = {0: "windows", 1: "wordpieces"} if value.dim() == 3 else {0: "windows"}
    graph = export_graph(wrapper, (ids, mask), input_names=["input_ids", "attention_mask"], output_names=names,
                         dynamic_axes=axes, metadata={MAX_LENGTH_KEY: str(model.max_length)})
    model.transformer = OnnxTransformer(OnnxGraph(quantize_graph(graph) if int8 else graph), transformer.config)
