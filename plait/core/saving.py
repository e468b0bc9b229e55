"""Saving a pipeline to a directory and loading it back: config, meta, strings, vectors, then each component."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import srsly

from plait.core import config as config_lib
from plait.core import fs
from plait.core.about import version
from plait.core.components.contract import FromPretrained
from plait.core.components.exported import exported_encoders
from plait.core.components.persistence import load_component, save_component
from plait.core.errors import ConfigError, ModelLoadError, UserError
from plait.core.gpu import chosen_device
from plait.core.vectors.binding import check_static_vectors, static_vectors
from plait.core.vectors.table import Vectors
from plait.core.vocab import Vocab

if TYPE_CHECKING:
    from plait.core.pipeline import Language

CONFIG_FILE, META_FILE, STRINGS_FILE = "config.cfg", "meta.json", "strings.json"
VECTORS_DIR = "vectors"
# The most each file may hold: far above what a real pipeline writes, far below what would exhaust memory.
READ_LIMITS = {CONFIG_FILE: 16 * fs.MiB, META_FILE: 64 * fs.MiB, STRINGS_FILE: 1024 * fs.MiB}


def to_disk(nlp: "Language", path: str | Path) -> None:
    """Write the pipeline to a directory, atomically: a failure leaves any previous copy intact."""
    path = Path(path)
    check_static_vectors(nlp)  # never save a model beside a table it was not trained with
    with fs.writing_dir(path) as tmp:
        nlp.config.to_disk(tmp / CONFIG_FILE)
        meta = {**nlp.meta, "lang": nlp.lang, "pipeline": nlp.component_names,
                "disabled": nlp.disabled, "plait_version": version()}
        meta.pop("vectors", None)
        meta.pop("sources", None)
        if sources := _sources(nlp, nlp.meta.get("sources")):
            meta["sources"] = sources
        if nlp.vocab.vectors is not None:
            table = nlp.vocab.vectors
            meta["vectors"] = {"name": table.name, "fingerprint": table.fingerprint(), "shape": list(table.shape)}
        srsly.write_json(tmp / META_FILE, meta)
        srsly.write_json(tmp / STRINGS_FILE, nlp.vocab.strings.to_list())
        if nlp.vocab.vectors is not None:
            nlp.vocab.vectors.to_disk(tmp / VECTORS_DIR)
        for name, component in nlp.components:
            save_component(component, fs.path_inside(tmp, name))


def _sources(nlp: "Language", sources: Any) -> list[Any]:
    """meta.json's `sources`: the user's own entries (a corpus, a licence), then where each component's
    pretrained weights came from (a transformer's hub name, revision and commit), as they are now."""
    kept = [s for s in sources if not (isinstance(s, dict) and "component" in s)] if isinstance(sources, list) else []
    for name, component in nlp.components:
        if isinstance(component, FromPretrained) and (origin := component.pretrained_source()):
            kept.append({"component": name, **origin})
    return kept


def from_disk(cls: type["Language"], path: str | Path, *, disable: Iterable[str] = (),
              enable: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> "Language":
    """Load a directory written by `to_disk`: config, strings, then each component's state and weights.

    `disable` loads components but does not run them; `enable` disables every component it does not name;
    `exclude` does not load them at all.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelLoadError(f"{path}: no such pipeline directory")
    try:  # every entry a regular file or folder inside: refused before anything (torch included) is loaded
        fs.check_files_inside(path)
    except UserError as err:
        raise ModelLoadError(str(err)) from None
    config_path = path / CONFIG_FILE
    saved = read_saved_config(path)
    try:
        config = config_lib.interpolate_config(saved, config_path)
    except Exception as err:  # a variable that does not resolve, of any of confection's error types
        raise ModelLoadError(f"{config_path}: corrupt pipeline config ({_excerpt(err)})") from err
    meta = _parse_json(path / META_FILE, _read_text(path, META_FILE), dict, "an object")
    strings = read_saved_strings(path)
    # only what loading builds: a custom reader or logger of the training run is not needed here
    missing = config_lib.unregistered_functions({k: config.get(k) or {} for k in ("nlp", "components")})
    if missing:
        raise ModelLoadError(f"{config_path}: this pipeline uses {missing[0]!r}, which is not registered; pass "
                             f"the file that registers it with --code")
    disable, exclude = list(disable), list(exclude)
    names = list((config.get("nlp") or {}).get("pipeline") or [])
    enable = None if enable is None else list(enable)
    unknown = [n for n in disable + exclude + (enable or []) if n not in names]
    if unknown:
        raise UserError(f"{path}: no component named {unknown[0]!r} to disable, enable or exclude "
                        f"(components: {', '.join(map(str, names))})")
    if enable is not None:
        both = [n for n in disable if n in enable]
        if both:
            raise UserError(f"{path}: component {both[0]!r} is both enabled and disabled")
        disable = [n for n in names if n not in enable and n not in exclude]
    if exclude:
        config["nlp"]["pipeline"] = [n for n in names if n not in exclude]
    try:
        nlp = cls.from_config(config, vocab=Vocab(strings), validate=False)
    except (ConfigError, KeyError, TypeError, ValueError, AttributeError) as err:  # an edited or cut file
        detail = f"no setting {err}" if isinstance(err, KeyError) else " ".join(str(err).split())
        raise ModelLoadError(f"{config_path}: the saved config does not build ({detail})") from err
    table = Vectors.from_disk(fs.path_inside(path, VECTORS_DIR)) if (path / VECTORS_DIR).is_dir() else None
    if table is None and static_vectors(nlp):
        raise ModelLoadError(f"{path}: the pipeline uses static vectors but has no {VECTORS_DIR}/ directory")
    try:  # the models were trained with the table meta.json names: refuse any other
        nlp.set_vectors(table, fingerprint=(meta.get("vectors") or {}).get("fingerprint"))
    except ValueError as err:
        raise ModelLoadError(f"{path / VECTORS_DIR}: {err}") from err
    exported = exported_encoders(meta, names, path / META_FILE)
    nlp.meta = meta
    saved_off = [n for n in meta.get("disabled", []) if enable is None or n not in enable]
    nlp.disabled = [n for n in names if n not in exclude and (n in disable or n in saved_off)]
    for name, component in nlp.components:
        load_component(component, fs.path_inside(path, name), exported=name in exported)
    if (device := chosen_device()) is not None:  # plait.require_gpu() / require_cpu(): the models loaded just now
        nlp.to(device)
    return nlp


def read_saved_config(folder: Path) -> config_lib.Config:
    """A saved pipeline's config.cfg, uninterpolated, read through the checked reader; ModelLoadError otherwise."""
    text = _read_text(folder, CONFIG_FILE)
    try:
        return config_lib.Config().from_str(text, interpolate=False)
    except Exception as err:  # confection raises several types for syntax errors
        raise ModelLoadError(f"{folder / CONFIG_FILE}: corrupt pipeline config ({_excerpt(err)})") from err


def read_saved_strings(folder: Path) -> list[str]:
    """A saved pipeline's strings.json, read through the checked reader; ModelLoadError otherwise."""
    strings = _parse_json(folder / STRINGS_FILE, _read_text(folder, STRINGS_FILE), list, "a list of strings")
    if not all(isinstance(s, str) for s in strings):
        raise ModelLoadError(f"{folder / STRINGS_FILE}: corrupt pipeline file (must hold a list of strings)")
    return strings


def _read_text(folder: Path, name: str) -> str:
    """A pipeline file as text, read through `fs.read_bytes_inside` (a regular file inside the folder, bounded)."""
    try:
        data = fs.read_bytes_inside(folder, name, limit=READ_LIMITS[name])
    except FileNotFoundError:
        raise ModelLoadError(f"{folder / name}: missing file in saved pipeline") from None
    except UserError as err:
        raise ModelLoadError(str(err)) from None
    try:
        return data.decode("utf8")
    except UnicodeDecodeError as err:
        raise ModelLoadError(f"{folder / name}: corrupt pipeline file (not UTF-8 text: {err.reason} at byte "
                             f"{err.start})") from None


def _excerpt(err: BaseException, limit: int = 160) -> str:
    """An error's message on one line, cut to `limit` characters: a parser may quote a whole line of the file."""
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _parse_json(path: Path, text: str, kind: type, what: str) -> Any:
    """A pipeline's JSON file, which must hold `kind`; ModelLoadError naming the file otherwise."""
    try:
        value = srsly.json_loads(text)
    except ValueError as err:
        raise ModelLoadError(f"{path}: corrupt pipeline file ({_excerpt(err)})") from err
    if not isinstance(value, kind):
        raise ModelLoadError(f"{path}: corrupt pipeline file (must hold {what}, found {type(value).__name__})")
    return value

