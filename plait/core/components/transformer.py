"""transformer: a shared HuggingFace encoder component; heads read it through TransformerListener layers.

At inference each doc gets `doc._.trf_data` (its wordpieces, the model outputs and the alignment), and the
`set_extra_annotations` callback sees the docs with the batch output, for users' own attributes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from plait.core.components.declaration import ComponentKind, declare
from plait.core.components.encoder import EncoderComponent
from plait.core.components.persistence import WEIGHTS_FILE, weight_shapes
from plait.core.doc import Doc
from plait.core.errors import ConfigError, DataError
from plait.core.registries import registry
from plait.models.listener import OutputKind
from plait.models.transformer.model import (
    DEFAULT_MAX_BATCH_ITEMS,
    TransformerModel,
    TransformerOutput,
    TransformerSettingError,
    fit_transformer_config,
    model_config_of,
)
from plait.models.transformer.data import split_by_doc
from plait.models.transformer.onnx import export_transformer, load_graph
from plait.models.transformer.wordpieces import OverlongSpanError

# Where the model config and tokenizer files go inside the component's directory of a saved pipeline.
HF_DIR = "hf"

if not Doc.has_extension("trf_data"):
    Doc.set_extension("trf_data", default=None)

AnnotationSetter = Callable[[Sequence[Doc], TransformerOutput], None]

class TransformerComponent(EncoderComponent):
    """Runs the transformer once per batch, hands the output to its listeners and sets `doc._.trf_data`."""

    output_kind = OutputKind.WORDPIECES  # what its listeners read: a TransformerOutput

    def __init__(self, name: str, model: TransformerModel, *, max_batch_items: int,
                 set_extra_annotations: AnnotationSetter) -> None:
        if max_batch_items < 1:
            raise ConfigError(f"components.{name}.max_batch_items: must be at least 1")
        super().__init__(name, model)
        self.model.max_batch_items = max_batch_items
        self.set_extra_annotations = set_extra_annotations

    def _loaded(self) -> TransformerModel:
        """The model, loaded from its `name` first if neither initialize nor a saved pipeline has loaded it."""
        if not self.model.is_loaded:
            try:
                self.model.load_pretrained()
            except TransformerSettingError as err:
                raise ConfigError(f"components.{self.name}.model.transformer_config: {err}") from err
            except (FileNotFoundError, ValueError) as err:
                raise ConfigError(f"components.{self.name}.model.name: {err}") from err
        return self.model

    def check_settings(self) -> None:
        """Read the model's config.json (not its weights) and check transformer_config against it."""
        if self.model.is_loaded:
            return
        try:
            fit_transformer_config(model_config_of(self.model.name), self.model.transformer_config)
        except TransformerSettingError as err:
            raise ConfigError(f"components.{self.name}.model.transformer_config: {err}") from err
        except FileNotFoundError as err:
            raise ConfigError(f"components.{self.name}.model.name: {err}") from err

    def run_model(self, docs: Sequence[Doc]) -> TransformerOutput:
        try:
            return self._loaded()(docs)
        except OverlongSpanError as err:
            raise DataError(f"components.{self.name}: {err}") from err

    def store(self, docs: Sequence[Doc], output: TransformerOutput) -> None:
        output.doc_data = split_by_doc(output, self.model.tokenizer)
        for doc, data in zip(docs, output.doc_data):
            doc._.trf_data = data
        self.set_extra_annotations(docs, output)

    def initialize(self, get_examples: Callable[[], Iterable[Any]], **_: Any) -> None:
        """Load the pretrained tokenizer and weights named in the config."""
        self._loaded()

    def save_files(self, directory: Path) -> None:
        """The model config and tokenizer files, so a saved pipeline loads without the original model directory."""
        self._loaded().save_files(directory / HF_DIR)

    def load_files(self, directory: Path) -> None:
        self.model.load_files(directory / HF_DIR, weight_shapes(directory / WEIGHTS_FILE))

    def unexportable(self) -> str | None:
        return None

    def export_onnx(self, *, int8: bool) -> None:
        export_transformer(self._loaded(), int8=int8)

    def load_onnx(self, directory: Path, graph: bytes) -> None:
        load_graph(self.model, directory / HF_DIR, graph)


@registry.factories.register("transformer")
@declare(kind=ComponentKind.ENCODER)  # its default block, for fine-tuning, is init-config's (`--gpu`)
def make_transformer(*, model: TransformerModel, max_batch_items: int = DEFAULT_MAX_BATCH_ITEMS,
                     set_extra_annotations: AnnotationSetter | None = None
                     ) -> Callable[[Any, str], TransformerComponent]:
    """Factory `transformer`: a shared HuggingFace encoder; heads use `plait.TransformerListener.v1` to read it.

    `max_batch_items` caps the padded wordpieces of one forward pass (memory); `set_extra_annotations`
    is called with each batch of docs and the batch output.
    """
    setter = set_extra_annotations or null_annotation_setter
    return lambda nlp, name: TransformerComponent(name, model, max_batch_items=max_batch_items,
                                         set_extra_annotations=setter)

def null_annotation_setter(docs: Sequence[Doc], output: TransformerOutput) -> None:
    """Sets nothing beyond `doc._.trf_data`."""

def create_null_annotation_setter() -> AnnotationSetter:
    """`plait.null_annotation_setter.v1`: the default, sets nothing beyond `doc._.trf_data`."""
    return null_annotation_setter
