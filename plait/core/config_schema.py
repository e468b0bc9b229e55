"""Typed, ranged schemas of the fixed config sections, checked (with pydantic) before anything is built or read.

Names are checked by `config.validate_config`; these schemas check the values. Blocks that name a
registered function (`@batchers = ...`) are only required to be sections here: their settings are
checked against the function's own annotated signature.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from plait.core.names import name_problem
from plait.models.settings import FiniteFloat, NonNegativeInt, PositiveInt, Rate

Block = dict[str, Any]  # a sub-section; what is inside is checked elsewhere


def _exists(path: str) -> str:
    if not Path(path).exists():
        raise ValueError("does not exist: no such file or folder")
    return path


ExistingPath = Annotated[str, AfterValidator(_exists)]  # a file read before training starts
Seed = Annotated[int, Field(ge=0, lt=2**32)]  # numpy's random seeds are 32-bit


class _Section(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class SystemSchema(_Section):
    seed: Seed
    threads: NonNegativeInt = 0
    gpu_allocator: Literal["pytorch"] | None = None  # spaCy's setting: torch's allocator is plait's only one


class NlpSchema(_Section):
    lang: str = Field(min_length=1)
    pipeline: list[str]
    batch_size: PositiveInt
    disabled: list[str]
    tokenizer: Block

    @field_validator("pipeline")
    @classmethod
    def _unique(cls, names: list[str]) -> list[str]:
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"component {repeated[0]!r} is listed twice")
        return names


class TrainingSchema(_Section):
    seed: Seed
    dropout: Rate
    accumulate_gradient: PositiveInt
    patience: NonNegativeInt
    max_epochs: NonNegativeInt
    max_steps: NonNegativeInt
    eval_frequency: PositiveInt
    checkpoint_every: NonNegativeInt
    frozen_components: list[str]
    annotating_components: list[str]
    dev_corpus: str
    train_corpus: str
    mixed_precision: bool
    score_weights: dict[str, Optional[FiniteFloat]]
    batcher: Block
    optimizer: Block


class InitializeSchema(_Section):
    init_tok2vec: Optional[ExistingPath]
    vectors: Optional[ExistingPath]
    components: dict[str, Block]


class PretrainingSchema(_Section):
    max_epochs: NonNegativeInt
    dropout: Rate
    n_save_every: NonNegativeInt
    n_save_epoch: NonNegativeInt
    component: str = Field(min_length=1)
    layer: str
    corpus: str
    batcher: Block
    optimizer: Block
    objective: Block


SCHEMAS: dict[str, type[_Section]] = {
    "system": SystemSchema, "nlp": NlpSchema, "training": TrainingSchema, "initialize": InitializeSchema,
    "pretraining": PretrainingSchema,
}
_PATH = TypeAdapter(Optional[str])


def section_problems(config: dict[str, Any]) -> list[str]:
    """`dotted.key: what is wrong` for every value of a fixed section, [paths] and the pipeline's names."""
    errors: list[str] = []
    for section, schema in SCHEMAS.items():
        block = config.get(section)
        if isinstance(block, dict):
            errors.extend(problems(section, schema, block))
    for key, value in (config.get("paths") or {}).items():
        try:
            _PATH.validate_python(value, strict=True)
        except ValidationError:
            errors.append(f"paths.{key}: must be a file path (a string) or null, got {value!r}")
    nlp = config.get("nlp") or {}
    names = nlp.get("pipeline") if isinstance(nlp.get("pipeline"), list) else []
    named = [("nlp.pipeline", n) for n in names] + [("components", n) for n in config.get("components") or {}
                                                     if n not in names]
    errors.extend(f"{key}: component name {name!r} {name_problem(name)}" for key, name in named if name_problem(name))
    for key, where in (("disabled", nlp), ("frozen_components", config.get("training") or {}),
                       ("annotating_components", config.get("training") or {})):
        section = "nlp" if where is nlp else "training"
        listed = where.get(key) if isinstance(where, dict) else None
        for name in listed if isinstance(listed, list) else []:  # other types are reported by the schema
            if isinstance(name, str) and name not in names:
                errors.append(f"{section}.{key}: no component named {name!r} in nlp.pipeline {names}")
    return errors


def problems(path: str, schema: type[BaseModel], block: dict[str, Any]) -> list[str]:
    """pydantic's findings for one section, each as `path.key: message (got value)`."""
    try:
        schema.model_validate(dict(block))
    except ValidationError as err:
        return [_describe(path, error) for error in err.errors() if error["type"] != "missing"]
    return []


def _describe(path: str, error: dict[str, Any]) -> str:
    where = ".".join([path, *(str(part) for part in error["loc"])])
    return f"{where}: {_message(error)} (got {error['input']!r})"


def _message(error: dict[str, Any]) -> str:
    """pydantic's message in plait's voice: lower case, without the "Value error, " of a validator's own text."""
    text = error["msg"].removeprefix("Value error, ")
    return text[0].lower() + text[1:]


def value_problem(value: Any, annotation: Any) -> tuple[str | None, Any]:
    """(what is wrong or None, the value as the annotation types it: int 0 for a float is 0.0) for one setting.

    Annotations pydantic cannot build a schema for (torch modules, iterators) are (None, value): trusted.
    """
    try:
        adapter = TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))
    except Exception:
        return None, value
    try:
        checked = adapter.validate_python(value, strict=True)
    except ValidationError as err:
        return f"{_message(err.errors()[0])} (got {value!r})", value
    return None, checked if type(checked) in (int, float) and isinstance(value, (int, float)) else value

