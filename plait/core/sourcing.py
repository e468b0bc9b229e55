"""Reusing trained components: `nlp.add_pipe(name, source=other_nlp)` and `[components.x] source = "path"`.

A sourced component is rebuilt from its pipeline's config block and given its trained state and weights;
training leaves its labels alone (it is not initialized again).
"""
from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confection import Config

from plait.core import fs
from plait.core.components.persistence import load_component, save_component
from plait.core.errors import ConfigError, UserError
from plait.core.names import check_component_name
from plait.core.saving import read_saved_config, read_saved_strings

if TYPE_CHECKING:
    from plait.core.pipeline import Language
    from plait.core.vocab import Vocab


def sourced_block(source: "Language", source_name: str, vocab: Vocab) -> dict:
    """A copy of the config block `source` built its component `source_name` from, to build the copy with;
    `source`'s strings are added to `vocab` (the trained labels are among them)."""
    if not source.has_pipe(source_name):
        raise ValueError(f"the source pipeline has no component {source_name!r}; it has {source.component_names}")
    for text in source.vocab.strings:
        vocab.strings.add(text)
    return copy.deepcopy(dict(source.config["components"][source_name]))


def copy_trained_state(trained: Any, component: Any) -> None:
    """Give `component` (built from the same block) `trained`'s state and weights, through a save and load."""
    with tempfile.TemporaryDirectory(prefix="plait-source-") as tmp:
        save_component(trained, Path(tmp))
        load_component(component, Path(tmp))


def expand_sources(config: Config) -> tuple[Config, dict[str, Path]]:
    """The config with each `source = "path"` component block replaced by the block it names in the saved
    pipeline at that path (optionally `component = "other name"`); also {name: directory of its weights}."""
    sources: dict[str, Path] = {}
    components = config.get("components", {})
    if not any(isinstance(b, dict) and "source" in b for b in components.values()):
        return config, sources
    config = Config(copy.deepcopy(dict(config)), is_interpolated=config.is_interpolated)
    for name, block in config["components"].items():
        if not isinstance(block, dict) or "source" not in block:
            continue
        path = Path(str(block["source"]))
        source_name = block.get("component", name)
        extra = sorted(set(block) - {"source", "component"})
        if extra:
            raise ConfigError(f"components.{name}.{extra[0]}: a sourced component takes only source and component")
        try:
            source_config = read_saved_config(path)
        except (UserError, OSError) as err:
            raise ConfigError(f"components.{name}.source: {path} is not a saved plait pipeline ({err})") from err
        if source_name not in source_config.get("components", {}):
            raise ConfigError(f"components.{name}.component: the pipeline at {path} has no component "
                              f"{source_name!r}")
        check_component_name(source_name, f"components.{name}.component")
        config["components"][name] = copy.deepcopy(dict(source_config["components"][source_name]))
        sources[name] = path / source_name
    return config, sources


def load_sources(nlp: "Language", sources: dict[str, Path]) -> None:
    """Give each sourced component the state and weights saved in its source pipeline."""
    for name, directory in sources.items():
        try:
            for text in read_saved_strings(directory.parent):
                nlp.vocab.strings.add(text)
            load_component(nlp.get_pipe(name), fs.path_inside(directory.parent, directory.name))
        except (UserError, ValueError) as err:
            raise ConfigError(f"components.{name}.source: {err}") from err
        nlp.sourced.add(name)
