"""Encoders exported to ONNX (`plait export --onnx`) inside a saved pipeline: meta.json's record of them, and
loading each one's graph in place of its PyTorch weights."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from plait.core import fs
from plait.core.components.contract import Exportable
from plait.core.errors import ModelLoadError, UserError

GRAPH_FILE = "model.onnx"
EXPORT_KEY = "export"  # meta.json: {"format": "onnx", "int8": bool, "encoders": [component names]}
INSTALL_HINT = "pip install 'plait[onnx]'"


def exported_encoders(meta: dict[str, Any], pipeline: list[str], where: Path) -> list[str]:
    """The components that meta.json records as exported (none for a pipeline `plait export` did not write);
    ModelLoadError naming `where` for a record that does not fit the pipeline."""
    record = meta.get(EXPORT_KEY)
    if record is None:
        return []
    names = record.get("encoders") if isinstance(record, dict) else None
    if not isinstance(names, list) or record.get("format") != "onnx" \
            or not all(isinstance(n, str) and n in pipeline for n in names):
        raise ModelLoadError(f"{where}: corrupt \"{EXPORT_KEY}\" record (must name the exported format \"onnx\" "
                             "and components of the pipeline)")
    return names


def require_onnxruntime(what: str) -> None:
    """UserError saying what needs onnxruntime and how to install it, if it is missing."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        raise UserError(f"{what} needs onnxruntime, which is not installed: {INSTALL_HINT}") from None


def load_exported(component: Any, directory: Path) -> None:
    """Run the component's saved ONNX graph in place of its PyTorch encoder; ModelLoadError naming the file if
    the graph is missing or corrupt."""
    from plait.models.onnx_graph import MAX_GRAPH_BYTES

    try:
        require_onnxruntime(f"{directory}: this exported pipeline")
    except UserError as err:
        raise ModelLoadError(str(err)) from None
    path = directory / GRAPH_FILE
    try:
        graph = fs.read_bytes_inside(directory, GRAPH_FILE, limit=MAX_GRAPH_BYTES)
    except FileNotFoundError:
        raise ModelLoadError(f"{path}: missing exported graph") from None
    except UserError as err:
        raise ModelLoadError(str(err)) from None
    if not isinstance(component, Exportable):
        raise ModelLoadError(f"{directory}: a {type(component).__name__} cannot be exported, only tok2vec and "
                             "transformer components")
    try:
        component.load_onnx(directory, graph)
    except (RuntimeError, OSError, ValueError, KeyError) as err:  # onnxruntime's errors are RuntimeErrors
        raise ModelLoadError(f"{path}: corrupt exported graph ({' '.join(str(err).split())[:200]})") from err


def exported_graph(model: Any) -> Any:
    """The OnnxGraph inside a component's model (an exported encoder's), else None."""
    from plait.models.onnx_graph import OnnxGraph

    return next((m for m in model.modules() if isinstance(m, OnnxGraph)), None)
