"""Language: a tokenizer plus an ordered list of components, built from a config and saved to a directory."""
from __future__ import annotations

import contextlib
import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

import srsly
from confection import Config

import plait
from plait.core import config as config_lib
from plait.core import fs
from plait.core.components.persistence import Component, load_component, save_component
from plait.core.doc import Doc
from plait.core.errors import ConfigError, ModelLoadError, UserError
from plait.core.init_config import standalone_model
from plait.core.sourcing import add_sourced
from plait.core.static_vectors import (
    check_saved_fingerprint,
    check_static_vectors,
    size_static_vectors,
    static_vectors,
)
from plait.core.threads import use_threads
from plait.core.vectors import Vectors
from plait.core.vocab import Vocab

if TYPE_CHECKING:  # models import torch, which a pipeline of tables alone does not need
    from plait.models.listener import Listener

CONFIG_FILE, META_FILE, STRINGS_FILE = "config.cfg", "meta.json", "strings.json"
# The listener architecture that reads each kind of encoder output, for error messages.
_LISTENER_FOR = {"tokens": "plait.Tok2VecListener.v1", "wordpieces": "plait.TransformerListener.v1"}
VECTORS_DIR = "vectors"


class Language:
    """A processing pipeline: `nlp(text)` tokenizes, then runs each enabled component in order."""

    def __init__(self, lang: str, *, vocab: Vocab | None = None, tokenizer_block: dict | None = None,
                 batch_size: int = 1000, training_config: Config | None = None) -> None:
        self.lang = lang
        self.vocab = vocab or Vocab()
        self.batch_size = batch_size
        self._tokenizer_block = tokenizer_block or {"@tokenizers": "plait.Tokenizer.v1"}
        self.tokenizer = config_lib.resolve_block(self._tokenizer_block, "nlp.tokenizer")(self)
        self._components: list[tuple[str, Component]] = []
        self._blocks: dict[str, dict] = {}
        self.disabled: list[str] = []
        self.meta: dict[str, Any] = {"lang": lang, "name": "pipeline", "version": "0.0.0"}
        self._training_config = training_config
        self.sourced: set[str] = set()  # components copied from a trained pipeline: initialize leaves them
        self.optimizer: Any = None  # made by initialize, stepped by update

    # -- construction ---------------------------------------------------------------------------------
    @classmethod
    def blank(cls, lang: str = "en", **kwargs: Any) -> "Language":
        return cls(lang, **kwargs)

    @classmethod
    def from_config(cls, config: Config, *, vocab: Vocab | None = None, validate: bool = True) -> "Language":
        """Build every component of an interpolated config (weights random until initialized or loaded)."""
        if validate:
            config_lib.validate_config(config)
        nlp_cfg = config["nlp"]
        nlp = cls(nlp_cfg["lang"], vocab=vocab, tokenizer_block=nlp_cfg.get("tokenizer"),
                  batch_size=nlp_cfg.get("batch_size", 1000), training_config=config)
        for name in nlp_cfg.get("pipeline", []):
            nlp._add(name, dict(config["components"][name]))
        nlp.disabled = list(nlp_cfg.get("disabled", []))
        nlp.link_listeners()
        if nlp.vocab.vectors is not None:
            size_static_vectors(nlp)
        if "torch" in sys.modules:  # a pipeline of tables alone never loads torch
            use_threads(config.get("system", {}).get("threads", 0))
        return nlp

    def add_pipe(self, factory: str, name: str | None = None, config: dict[str, Any] | None = None, *,
                 first: bool = False, before: str | None = None, after: str | None = None,
                 source: "Language | None" = None) -> Component:
        """Create a component from a registered factory and insert it (default: last).

        Without a "model" in `config` the factory gets the model init-config would write, with its own
        encoder. With `source`, the component named `factory` in that pipeline is copied, trained weights included.
        """
        name = name or factory
        if name in self._blocks:
            raise ValueError(f"a component named {name!r} already exists; pass name= to add another")
        index = self._insert_index(first, before, after)
        if source is not None:
            component = add_sourced(self, source, factory, name, index)
        else:
            settings = dict(config or {})
            if "model" not in settings and (model := standalone_model(factory)) is not None:
                settings["model"] = model
            block = config_lib.fill_config(Config({"components": {name: {"factory": factory, **settings}}}))
            block = config_lib.interpolate_config(block)["components"][name]
            component = self._add(name, dict(block), index)
        if self.vocab.vectors is not None:
            size_static_vectors(self, names=[name])
        self._training_config = None  # the pipeline changed: its config is rebuilt from the blocks
        self.link_listeners()
        return component

    def _add(self, name: str, block: dict, index: int | None = None) -> Component:
        builder = config_lib.resolve_component_builder(name, block)
        try:
            component = builder(self, name)
        except ValueError as err:  # the component refused its settings
            raise ConfigError(f"components.{name}: {err}") from err
        self._blocks[name] = block
        self._components.insert(len(self._components) if index is None else index, (name, component))
        return component

    def _insert_index(self, first: bool, before: str | None, after: str | None) -> int:
        if sum(bool(x) for x in (first, before, after)) > 1:
            raise ValueError("pass only one of first, before and after")
        if first:
            return 0
        if before or after:
            target = before or after
            names = self.component_names
            if target not in names:
                raise ValueError(f"no component named {target!r}; components: {names}")
            return names.index(target) + (1 if after else 0)
        return len(self._components)

    # -- access ---------------------------------------------------------------------------------------
    @property
    def component_names(self) -> list[str]:
        """All components, enabled or not, in order."""
        return [name for name, _ in self._components]

    @property
    def pipe_names(self) -> list[str]:
        """The enabled components, in order."""
        return [name for name, _ in self._components if name not in self.disabled]

    @property
    def pipeline(self) -> list[tuple[str, Component]]:
        return [(n, c) for n, c in self._components if n not in self.disabled]

    @property
    def components(self) -> list[tuple[str, Component]]:
        return list(self._components)

    def get_pipe(self, name: str) -> Component:
        for n, component in self._components:
            if n == name:
                return component
        raise KeyError(f"no component named {name!r}; components: {self.component_names}")

    def has_pipe(self, name: str) -> bool:
        return name in self._blocks

    def remove_pipe(self, name: str) -> Component:
        """Remove a component; an encoder that others still listen to cannot be removed."""
        component = self.get_pipe(name)
        owners = sorted({listener.owner for listener in getattr(component, "listeners", [])})
        if owners:
            raise ValueError(f"component {owners[0]!r} listens to {name!r}: remove it first, or call "
                             f"nlp.replace_listeners({name!r}, {owners[0]!r})")
        self._components = [(n, c) for n, c in self._components if n != name]
        del self._blocks[name]
        self._training_config = None
        self.link_listeners()
        return component

    def replace_listeners(self, encoder_name: str, component_name: str) -> None:
        """Give `component_name` its own copy of the encoder in place of its listener(s) to `encoder_name`.

        The component then no longer needs the encoder component, so it can be moved to another pipeline
        or trained alone; its config block is rewritten to match, so it saves and loads the same way.
        """
        encoder = self.get_pipe(encoder_name)
        if not getattr(encoder, "is_encoder", False):
            raise ValueError(f"component {encoder_name!r} is not an encoder (tok2vec or transformer)")
        if encoder.output_kind != "tokens":
            raise ValueError(f"component {encoder_name!r} is a transformer: replace_listeners copies tok2vec "
                             "encoders only; give the head its own transformer component instead")
        from plait.models.listener import Listener

        component = self.get_pipe(component_name)
        targets = [(path, m) for path, m in component.model.named_modules()
                   if isinstance(m, Listener) and m.upstream_name == encoder_name]
        if not targets:
            raise ValueError(f"component {component_name!r} has no listener to {encoder_name!r}")
        block = self._blocks[component_name]
        for path, listener in targets:
            *parents, attr = path.split(".")
            owner = component.model.get_submodule(".".join(parents)) if parents else component.model
            setattr(owner, attr, copy.deepcopy(encoder.model))
            node = block["model"]
            for key in parents:
                node = node[key]
            node[attr] = copy.deepcopy(self._blocks[encoder_name]["model"])
            encoder.listeners = [x for x in encoder.listeners if x is not listener]
        self._training_config = None

    def link_listeners(self) -> None:
        """Connect every Listener inside a component's model to its upstream encoder component."""
        encoders = [(n, c) for n, c in self._components if getattr(c, "is_encoder", False)]
        for _, encoder in encoders:
            encoder.listeners.clear()
        for index, (name, component) in enumerate(self._components):
            model = getattr(component, "model", None)
            if model is None or getattr(component, "is_encoder", False):
                continue
            from plait.models.listener import Listener

            for listener in (m for m in model.modules() if isinstance(m, Listener)):
                upstream = self._upstream_for(listener, name, index, encoders)
                width = listener.declared_width
                if width is not None and getattr(upstream.model, "width", width) != width:
                    raise ConfigError(f"components.{name}: listener width {width} does not match the "
                                      f"output width {upstream.model.width} of upstream component {upstream.name!r}")
                upstream.add_listener(listener, name)

    def _upstream_for(self, listener: Listener, name: str, index: int, encoders: list) -> Any:
        """The encoder a listener reads: the one it names, else the nearest earlier one of the kind it reads."""
        if listener.upstream != "*":
            for n, c in encoders:
                if n == listener.upstream:
                    if c.output_kind != listener.reads:
                        raise ConfigError(f"components.{name}: its listener reads {listener.reads!r} output, but "
                                          f"upstream {n!r} gives {c.output_kind!r} output "
                                          f"(use {_LISTENER_FOR[c.output_kind]} to listen to it)")
                    return c
            raise ConfigError(f"components.{name}: its listener names upstream {listener.upstream!r}, but the "
                              f"pipeline has no such encoder component (encoders: {[n for n, _ in encoders]})")
        kind = [(n, c) for n, c in encoders if c.output_kind == listener.reads]
        earlier = [c for n, c in kind if self.component_names.index(n) < index]
        if earlier:
            return earlier[-1]
        if kind:
            return kind[0][1]
        wanted = "tok2vec" if listener.reads == "tokens" else "transformer"
        raise ConfigError(f"components.{name}: its model has a listener, but the pipeline has no {wanted} "
                          f"component to listen to (add one before {name!r})")

    @contextlib.contextmanager
    def select_pipes(self, *, disable: Iterable[str] = (), enable: Iterable[str] | None = None) -> Iterator[None]:
        """Temporarily disable components (by name), or enable only the given ones."""
        names = self.component_names
        disable = list(disable) if enable is None else [n for n in names if n not in set(enable)]
        unknown = [n for n in disable if n not in names]
        if unknown:
            raise ValueError(f"no components named {unknown}; components: {names}")
        saved = self.disabled
        self.disabled = sorted(set(saved) | set(disable), key=names.index)
        try:
            yield
        finally:
            self.disabled = saved

    def to(self, device: str | Any) -> "Language":
        """Move every component's model to `device` ("cpu", "cuda:0", ...)."""
        for _, component in self._components:
            if getattr(component, "model", None) is not None:
                component.model.to(device)
        return self

    # -- training from Python (plait.core.training.api) ----------------------------------------------
    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *, sgd: Any = None) -> Any:
        """Learn labels from `get_examples()`; returns the optimizer `update` steps."""
        from plait.core.training import api

        return api.initialize(self, get_examples, sgd=sgd)

    def update(self, examples: Sequence[Any], *, sgd: Any = None, losses: dict[str, float] | None = None,
               drop: float = 0.0) -> dict[str, float]:
        """One training step on a batch of Examples; adds each component's loss to `losses`."""
        from plait.core.training import api

        return api.update(self, examples, sgd=sgd, losses=losses, drop=drop)

    def evaluate(self, examples: Iterable[Any], *, batch_size: int | None = None) -> dict[str, Any]:
        """Every component's scores on annotated Examples (plus `speed`, words per second)."""
        from plait.core.training.evaluate import evaluate

        return evaluate(self, examples, batch_size=batch_size)

    # -- processing -----------------------------------------------------------------------------------
    def make_doc(self, text: str) -> Doc:
        return self.tokenizer(text)

    def __call__(self, text: str | Doc) -> Doc:
        doc = text if isinstance(text, Doc) else self.make_doc(text)
        for _, component in self.pipeline:
            doc = component(doc)
        return doc

    def pipe(self, texts: Iterable[str | Doc], batch_size: int | None = None, n_process: int = 1) -> Iterator[Doc]:
        """Process texts in batches; components with a `pipe` method get whole batches. With `n_process` > 1,
        that many forked workers (one torch thread each) annotate the batches, in input order (see
        core/multiprocess.py for what the docs keep)."""
        size = batch_size or self.batch_size
        if n_process < 1 or size < 1:
            raise ValueError(f"n_process and batch_size must be at least 1, not {n_process} and {size}")
        if n_process > 1:
            from plait.core.multiprocess import pipe_in_processes

            yield from pipe_in_processes(self, texts, n_process=n_process, batch_size=size)
            return
        docs: Iterable[Doc] = (t if isinstance(t, Doc) else self.make_doc(t) for t in texts)
        for _, component in self.pipeline:
            docs = component.pipe(docs, batch_size=size) if hasattr(component, "pipe") else map(component, docs)
        yield from docs

    # -- config ---------------------------------------------------------------------------------------
    @property
    def config(self) -> Config:
        """The pipeline's full config (the training config it was built from, if any)."""
        if self._training_config is not None:
            return self._training_config
        base = {
            "nlp": {"lang": self.lang, "pipeline": self.component_names, "batch_size": self.batch_size,
                    "disabled": self.disabled, "tokenizer": self._tokenizer_block},
            "components": {name: dict(self._blocks[name]) for name in self.component_names},
        }
        return config_lib.fill_config(Config(base))

    # -- saving and loading ---------------------------------------------------------------------------
    def to_disk(self, path: str | Path) -> None:
        """Write the pipeline to a directory, atomically: a failure leaves any previous copy intact."""
        path = Path(path)
        check_static_vectors(self)  # never save a model beside a table it was not trained with
        with fs.writing_dir(path) as tmp:
            self.config.to_disk(tmp / CONFIG_FILE)
            meta = {**self.meta, "lang": self.lang, "pipeline": self.component_names,
                    "disabled": self.disabled, "plait_version": plait.__version__}
            meta.pop("vectors", None)
            if self.vocab.vectors is not None:
                table = self.vocab.vectors
                meta["vectors"] = {"name": table.name, "fingerprint": table.fingerprint(), "shape": list(table.shape)}
            srsly.write_json(tmp / META_FILE, meta)
            srsly.write_json(tmp / STRINGS_FILE, self.vocab.strings.to_list())
            if self.vocab.vectors is not None:
                self.vocab.vectors.to_disk(tmp / VECTORS_DIR)
            for name, component in self._components:
                save_component(component, tmp / name)

    @classmethod
    def from_disk(cls, path: str | Path, *, disable: Iterable[str] = (), exclude: Iterable[str] = ()) -> "Language":
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
        if (path / VECTORS_DIR).is_dir():
            nlp.vocab.vectors = Vectors.from_disk(path / VECTORS_DIR)
        if static_vectors(nlp):  # the models were trained with the table meta.json names: refuse any other
            if nlp.vocab.vectors is None:
                raise ModelLoadError(f"{path}: the pipeline uses static vectors but has no {VECTORS_DIR}/ directory")
            check_saved_fingerprint(path / VECTORS_DIR, nlp.vocab.vectors, meta)
            size_static_vectors(nlp)
        nlp.meta = meta
        nlp.disabled = [n for n in meta.get("disabled", []) if n not in exclude] + disable
        for name, component in nlp._components:
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

