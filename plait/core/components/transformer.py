"""transformer: a shared HuggingFace encoder component; heads read it through TransformerListener layers.

At inference each doc gets `doc._.trf_data` (its wordpieces, the model outputs and the alignment), and the
`set_extra_annotations` callback sees the docs with the batch output, for users' own attributes.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

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
)
from plait.models.transformer.adapter import AdapterError
from plait.models.transformer.hub import HubError, RevisionError
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
            with self._naming_the_setting():
                self.model.load_pretrained()
        return self.model

    def check_settings(self) -> None:
        """Find (or fetch) the pretrained model and check transformer_config against its config.json (not its
        weights), before any data is read."""
        if self.model.is_loaded:
            return
        with self._naming_the_setting():
            fit_transformer_config(self.model.model_config(), self.model.transformer_config)
            self.model.check_adapter()

    @contextlib.contextmanager
    def _naming_the_setting(self) -> Iterator[None]:
        """A model that cannot be found, fetched or loaded is a ConfigError naming the setting at fault."""
        key = f"components.{self.name}.model"
        try:
            yield
        except AdapterError as err:
            raise ConfigError(f"{key}.adapter.{err.key}: {err}") from err
        except TransformerSettingError as err:
            raise ConfigError(f"{key}.transformer_config: {err}") from err
        except RevisionError as err:
            raise ConfigError(f"{key}.revision: {err}") from err
        except (FileNotFoundError, HubError, ValueError) as err:
            raise ConfigError(f"{key}.name: {err}") from err

    def pretrained_source(self) -> dict[str, str] | None:
        """Where its pretrained weights came from (hub name, revision and commit, or a directory)."""
        return self.model.origin

    def get_state(self) -> dict[str, Any]:
        """Where the pretrained weights came from: recorded in meta.json, and the base model that LoRA adapters
        saved apart need."""
        return {"pretrained": self.model.origin}

    def set_state(self, state: dict[str, Any]) -> None:
        origin = state.get("pretrained")  # absent from pipelines saved before it was recorded
        if origin is not None and not (isinstance(origin, dict)
                                       and all(isinstance(v, str) for v in [*origin, *origin.values()])):
            raise ValueError("'pretrained' must be an object of strings (name, revision, commit, hub)")
        self.model.origin = origin

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
