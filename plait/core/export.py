"""`plait export --onnx`: a copy of a saved pipeline whose encoders (tok2vec, transformer) run as ONNX graphs
through onnxruntime, for fast inference on a CPU. The heads stay PyTorch; `plait.load` of the copy gives the same
API and needs neither the original pipeline nor the original model."""
from __future__ import annotations

from pathlib import Path

from plait.core import fs
from plait.core.components.contract import Encoder, Exportable
from plait.core.components.exported import EXPORT_KEY, INSTALL_HINT, require_onnxruntime
from plait.core.errors import UserError
from plait.core.saving import CONFIG_FILE, from_disk


def export_pipeline(source: Path, output: Path, *, int8: bool = False, force: bool = False) -> list[str]:
    """Write to `output` a copy of the pipeline in `source` with every encoder exported to ONNX (weights quantized
    to int8 with `int8`); returns the names of the exported encoders. The copy is written atomically: a failure or
    a kill leaves nothing at `output`, or what was there before."""
    require_onnxruntime("plait export --onnx")
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise UserError(f"plait export --onnx needs onnx, which is not installed: {INSTALL_HINT}") from None
    if source.resolve() == output.resolve() or source.resolve() in output.resolve().parents:
        raise UserError(f"{output}: would replace or go inside the pipeline being exported; choose another folder")
    fs.check_output_dir(output, replace=force)
    from plait.core.pipeline import Language

    nlp = from_disk(Language, source)
    if nlp.meta.get(EXPORT_KEY):
        raise UserError(f"{source}: already exported; export the original pipeline")
    encoders = [(name, c) for name, c in nlp.components if isinstance(c, Encoder)]
    if not encoders:
        raise UserError(f"{source}: no tok2vec or transformer component to export")
    for name, component in encoders:  # every encoder checked before any is exported
        reason = component.unexportable() if isinstance(component, Exportable) else \
            f"a {type(component).__name__} has no ONNX export"
        if reason:
            raise UserError(f"{source / CONFIG_FILE}: components.{name}.model: cannot export it to ONNX: {reason}")
    for _, component in encoders:
        component.export_onnx(int8=int8)
    nlp.meta[EXPORT_KEY] = {"format": "onnx", "int8": int8, "encoders": [name for name, _ in encoders]}
    nlp.to_disk(output)
    return [name for name, _ in encoders]
