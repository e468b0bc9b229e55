"""OnnxGraph: an exported ONNX graph run by onnxruntime, standing in for the PyTorch layers it was exported from.

The graph's bytes are kept, so a pipeline loaded from an export saves again without its source; the
onnxruntime session is made on first use with torch's current thread count (set by plait.runtime.threads for
each batch) and made again when that count, or the process (a forked worker), changes.
"""
from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

# ONNX files are protocol buffers, which cannot exceed 2 GiB without external data files (not supported here).
MAX_GRAPH_BYTES = 2 * 1024 ** 3 - 1


class OnnxGraph(nn.Module):
    """Named numpy inputs -> the graph's named outputs as CPU tensors. Has no parameters: the weights are inside
    the graph. `metadata` holds the string settings written into the graph at export."""

    def __init__(self, graph: bytes) -> None:
        super().__init__()
        self.graph = graph
        self._session: Any = None
        self._made_for: tuple[int, int] | None = None  # (process id, threads) of the session
        try:
            session = self.session()
        except Exception as err:  # onnxruntime's errors derive from Exception alone (InvalidProtobuf, Fail, ...)
            raise ValueError(f"onnxruntime cannot load the graph: {' '.join(str(err).split())[:200]}") from err
        self.output_names: list[str] = [o.name for o in session.get_outputs()]
        self.metadata: dict[str, str] = dict(session.get_modelmeta().custom_metadata_map)

    def session(self) -> Any:
        """The onnxruntime session for this process and torch's current thread count."""
        wanted = (os.getpid(), torch.get_num_threads())
        if self._made_for != wanted:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = wanted[1]
            options.inter_op_num_threads = 1
            self._session = onnxruntime.InferenceSession(self.graph, options, providers=["CPUExecutionProvider"])
            self._made_for = wanted
        return self._session

    def forward(self, **inputs: np.ndarray) -> dict[str, torch.Tensor]:
        values = self.session().run(None, inputs)
        return {name: torch.from_numpy(value) for name, value in zip(self.output_names, values)}

    def save(self, path: Path) -> None:
        path.write_bytes(self.graph)


def export_graph(module: nn.Module, args: tuple[torch.Tensor, ...], *, input_names: Sequence[str],
                 output_names: Sequence[str], dynamic_axes: dict[str, dict[int, str]],
                 metadata: dict[str, str] | None = None) -> bytes:
    """`module(*args)` traced into an ONNX graph (opset 17) whose `dynamic_axes` take any size; the graph's bytes.

    The module is traced in eval mode (no dropout) and left in the mode it was in.
    """
    import onnx

    training = module.training
    # parameters frozen while tracing: a layer whose state dict is computed from its parameters (PiecewiseLinear's
    # unit-by-unit order) has them traced as constants, which the tracer refuses for tensors that require grad
    frozen = [p for p in module.parameters() if p.requires_grad]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's warnings about Python values it records as constants
        path = Path(tmp) / "graph.onnx"
        try:
            for param in frozen:
                param.requires_grad_(False)
            torch.onnx.export(module.eval(), args, str(path), dynamo=False, input_names=list(input_names),
                              output_names=list(output_names), dynamic_axes=dynamic_axes, opset_version=17)
        finally:
            module.train(training)
            for param in frozen:
                param.requires_grad_(True)
        proto = onnx.load(str(path))
    onnx.helper.set_model_props(proto, dict(metadata or {}))
    data = proto.SerializeToString()
    if len(data) > MAX_GRAPH_BYTES:
        raise ValueError(f"the graph takes {len(data) / 1024 ** 3:.1f} GiB; ONNX files hold at most 2 GiB")
    return data


def quantize_graph(graph: bytes) -> bytes:
    """The graph with its MatMul/Gemm weights dynamically quantized to int8 (onnxruntime's quantize_dynamic):
    activations are quantized per batch at run time."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # onnxruntime advises pre-processing through a root-logger warning
    try:
        with tempfile.TemporaryDirectory() as tmp:
            source, target = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
            source.write_bytes(graph)
            quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)
            return target.read_bytes()
    finally:
        root.setLevel(level)
