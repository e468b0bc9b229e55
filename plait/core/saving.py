"""Saving a pipeline to a directory and loading it back: config, meta, strings, vectors, then each component."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import srsly

from plait.core import config as config_lib
from plait.core import fs
from plait.core.about import version
from plait.core.components.persistence import load_component, save_component
from plait.core.errors import ConfigError, ModelLoadError, UserError
from plait.core.vectors.binding import check_static_vectors, static_vectors
from plait.core.vectors.table import Vectors
from plait.core.vocab import Vocab

if TYPE_CHECKING:
    from plait.core.pipeline import Language

CONFIG_FILE, META_FILE, STRINGS_FILE = "config.cfg", "meta.json", "strings.json"
VECTORS_DIR = "vectors"


def to_disk(nlp: "Language", path: str | Path) -> None:
    """Write the pipeline to a directory, atomically: a failure leaves any previous copy intact."""
    path = Path(path)
    check_static_vectors(nlp)  # never save a model beside a table it was not trained with
    with fs.writing_dir(path) as tmp:
        nlp.config.to_disk(tmp / CONFIG_FILE)
        meta = {**nlp.meta, "lang": nlp.lang, "pipeline": nlp.component_names,
                "disabled": nlp.disabled, "plait_version": version()}
        meta.pop("vectors", None)
        if nlp.vocab.vectors is not None:
            table = nlp.vocab.vectors
            meta["vectors"] = {"name": table.name, "fingerprint": table.fingerprint(), "shape": list(table.shape)}
        srsly.write_json(tmp / META_FILE, meta)
        srsly.write_json(tmp / STRINGS_FILE, nlp.vocab.strings.to_list())
        if nlp.vocab.vectors is not None:
            nlp.vocab.vectors.to_disk(tmp / VECTORS_DIR)
        for name, component in nlp.components:
            save_component(component, tmp / name)


def from_disk(cls: type["Language"], path: str | Path, *, disable: Iterable[str] = (),
              exclude: Iterable[str] = ()) -> "Language":
    """Load a directory written by `to_disk`: config, strings, then each component's state and weights.

    `disable` loads components but does not run them; `exclude` does not load them at all.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelLoadError(f"{path}: no such pipeline directory")
    config_path, meta_path, strings_path = path / CONFIG_FILE, path / META_FILE, path / STRINGS_FILE
    for required in (config_path, meta_path, strings_path):
        if not required.exists():
            raise ModelLoadError(f"{required}: missing file in saved pipeline")
    try:
        config = config_lib.load_config(config_path, interpolate=True)
    except ConfigError as err:
        raise ModelLoadError(f"{config_path}: corrupt pipeline config ({' '.join(str(err).split())})") from err
    meta = _read_json(meta_path, dict, "an object")
    strings = _read_json(strings_path, list, "a list of strings")
    if not all(isinstance(s, str) for s in strings):
        raise ModelLoadError(f"{strings_path}: corrupt pipeline file (must hold a list of strings)")
    # only what loading builds: a custom reader or logger of the training run is not needed here
    missing = config_lib.unregistered_functions({k: config.get(k) or {} for k in ("nlp", "components")})
    if missing:
        raise ModelLoadError(f"{config_path}: this pipeline uses {missing[0]!r}, which is not registered; pass "
                             f"the file that registers it with --code")
    disable, exclude = list(disable), list(exclude)
    names = list((config.get("nlp") or {}).get("pipeline") or [])
    unknown = [n for n in disable + exclude if n not in names]
    if unknown:
        raise UserError(f"{path}: no component named {unknown[0]!r} to disable or exclude "
                        f"(components: {', '.join(map(str, names))})")
    if exclude:
        config["nlp"]["pipeline"] = [n for n in names if n not in exclude]
    try:
        nlp = cls.from_config(config, vocab=Vocab(strings), validate=False)
    except (ConfigError, KeyError, TypeError, ValueError, AttributeError) as err:  # an edited or cut file
        detail = f"no setting {err}" if isinstance(err, KeyError) else " ".join(str(err).split())
        raise ModelLoadError(f"{config_path}: the saved config does not build ({detail})") from err
    table = Vectors.from_disk(path / VECTORS_DIR) if (path / VECTORS_DIR).is_dir() else None
    if table is None and static_vectors(nlp):
        raise ModelLoadError(f"{path}: the pipeline uses static vectors but has no {VECTORS_DIR}/ directory")
    try:  # the models were trained with the table meta.json names: refuse any other
        nlp.set_vectors(table, fingerprint=(meta.get("vectors") or {}).get("fingerprint"))
    except ValueError as err:
        raise ModelLoadError(f"{path / VECTORS_DIR}: {err}") from err
    nlp.meta = meta
    nlp.disabled = [n for n in meta.get("disabled", []) if n not in exclude] + disable
    for name, component in nlp.components:
        load_component(component, path / name)
    return nlp


def _read_json(path: Path, kind: type, what: str) -> Any:
    """A pipeline's JSON file, which must hold `kind`; ModelLoadError naming the file otherwise."""
    try:
        value = srsly.read_json(path)
    except ValueError as err:
        raise ModelLoadError(f"{path}: corrupt pipeline file ({' '.join(str(err).split())})") from err
    if not isinstance(value, kind):
        raise ModelLoadError(f"{path}: corrupt pipeline file (must hold {what}, found {type(value).__name__})")
    return value

