"""Language: a tokenizer plus an ordered list of components, built from a config and saved to a directory."""
from __future__ import annotations

import contextlib
import sys
from collections import deque
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Iterator, Sequence

from confection import Config

from plait.core import config as config_lib
from plait.core import listeners, saving
from plait.core.components.batching import inference_batches
from plait.core.components.contract import Component, Encoder, model_of, run_batch
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.lang import get_stop_words
from plait.core.gpu import chosen_device
from plait.core.names import check_component_name
from plait.core.sourcing import copy_trained_state, sourced_block
from plait.core.vectors.binding import bind_static_vectors
from plait.core.vectors.table import Vectors
from plait.runtime.threads import use_threads
from plait.core.vocab import Vocab


class Language:
    """A processing pipeline: `nlp(text)` tokenizes, then runs each enabled component in order."""

    def __init__(self, lang: str, *, vocab: Vocab | None = None, tokenizer_block: dict | None = None,
                 batch_size: int = 1000, training_config: Config | None = None) -> None:
        self.lang = lang
        self.vocab = vocab or Vocab()
        if not self.vocab.stop_words:
            self.vocab.stop_words = get_stop_words(lang)
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
        self.threads = 0  # `[system] threads`: 0 lets plait.runtime.threads choose per task

    @property
    def Defaults(self) -> SimpleNamespace:  # noqa: N802 (spaCy's name: `nlp.Defaults.stop_words`)
        """The language's defaults as spaCy scripts read them: `stop_words`, the vocab's (editable) set."""
        return SimpleNamespace(stop_words=self.vocab.stop_words)

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
            nlp.set_vectors(nlp.vocab.vectors)
        nlp.threads = config.get("system", {}).get("threads", 0)
        if "torch" in sys.modules:  # a pipeline of tables alone never loads torch
            use_threads(nlp.threads)
        return nlp

    def add_pipe(self, factory: str, name: str | None = None, config: dict[str, Any] | None = None, *,
                 first: bool = False, before: str | None = None, after: str | None = None,
                 source: "Language | None" = None) -> Component:
        """Create a component from a registered factory and insert it (default: last).

        Without a "model" in `config` the factory gets the model init-config would write, with its own
        encoder. With `source`, the component named `factory` in that pipeline is copied, trained weights included.
        """
        name = factory if name is None else name
        check_component_name(name, "add_pipe name")
        if name in self._blocks:
            raise ValueError(f"a component named {name!r} already exists; pass name= to add another")
        index = self._insert_index(first, before, after)
        if source is not None:
            component = self._add(name, sourced_block(source, factory, self.vocab), index)
            copy_trained_state(source.get_pipe(factory), component)
            self.sourced.add(name)
        else:
            block = config_lib.fill_config(Config({"components": {name: {"factory": factory, **(config or {})}}}))
            block = config_lib.interpolate_config(block)["components"][name]
            component = self._add(name, dict(block), index)
        if self.vocab.vectors is not None:
            bind_static_vectors(self, names=[name])
        self._training_config = None  # the pipeline changed: its config is rebuilt from the blocks
        self.link_listeners()
        return component

    def _add(self, name: str, block: dict, index: int | None = None) -> Component:
        check_component_name(name)  # every component enters here: from a config, add_pipe or a saved pipeline
        builder = config_lib.resolve_component_builder(name, block)
        try:
            component = builder(self, name)
        except ValueError as err:  # the component refused its settings
            raise ConfigError(f"components.{name}: {err}") from err
        if model_of(component) is not None:
            from plait.core.embed_check import check_embeds  # torch: only components with models

            check_embeds(name, model_of(component), block, self.vocab)
            if (device := chosen_device()) is not None:  # plait.require_gpu() / require_cpu() called before
                model_of(component).to(device)
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
        owners = sorted({listener.owner for listener in component.listeners}) if isinstance(component, Encoder) else []
        if owners:
            raise ValueError(f"component {owners[0]!r} listens to {name!r}: remove it first, or call "
                             f"nlp.replace_listeners({name!r}, {owners[0]!r})")
        self._components = [(n, c) for n, c in self._components if n != name]
        del self._blocks[name]
        self._training_config = None
        self.link_listeners()
        return component

    def replace_listeners(self, encoder_name: str, component_name: str, listeners_paths: Iterable[str] | None = None
                          ) -> None:
        """Give `component_name` its own copy of the encoder in place of its listener(s) to `encoder_name`.

        The component then no longer needs the encoder component, so it can be moved to another pipeline
        or trained alone; its config block is rewritten to match, so it saves and loads the same way.
        `listeners_paths` (spaCy's third argument, e.g. ["model.tok2vec"]) picks the listeners by their place
        in the component's config; without it every listener to `encoder_name` is replaced.
        """
        listeners.replace_listeners(self, self._blocks, encoder_name, component_name, listeners_paths)
        self._training_config = None

    def link_listeners(self) -> None:
        """Connect every Listener inside a component's model to its upstream encoder component."""
        listeners.link_listeners(self)

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

    def set_vectors(self, table: Vectors | None, *, fingerprint: str | None = None) -> None:
        """Make `table` the pipeline's static vectors: the vocab holds it and every StaticVectors model is bound
        to it. ValueError if a model reads vectors and `table` is None, is not the table the model was bound to,
        or is not the one whose `fingerprint` a saved pipeline's meta.json records."""
        self.vocab.vectors = table
        bind_static_vectors(self, fingerprint=fingerprint)

    def to(self, device: str | Any) -> "Language":
        """Move every component's model to `device` ("cpu", "cuda:0", ...)."""
        for _, component in self._components:
            if (model := model_of(component)) is not None:
                model.to(device)
        return self

    # -- training from Python (plait.core.training.api) ----------------------------------------------
    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *, sgd: Any = None) -> Any:
        """Learn labels from `get_examples()`; returns the optimizer `update` steps."""
        from plait.core.training import api

        return api.initialize(self, get_examples, sgd=sgd)

    def update(self, examples: Iterable[Any], *, sgd: Any = None, losses: dict[str, float] | None = None,
               drop: float = 0.0) -> dict[str, float]:
        """One training step on a batch of Examples; adds each component's loss to `losses` (an empty batch:
        no step, `losses` returned as it was, as in spaCy)."""
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
        return self._run([doc])[0]

    def pipe(self, texts: Iterable[Any], batch_size: int | None = None, n_process: int = 1, *,
             as_tuples: bool = False, disable: Iterable[str] = ()) -> Iterator[Any]:
        """Process texts in batches of `batch_size`, each through every component in turn. With `n_process` > 1,
        that many forked workers (one torch thread each) annotate the batches, in input order (see
        core/multiprocess.py for what the docs keep).

        `as_tuples`: `texts` holds (text, context) pairs and (doc, context) pairs come out. `disable`: components
        that do not run in this call.
        """
        if as_tuples:
            yield from self._pipe_tuples(texts, batch_size, n_process, disable)
            return
        size = batch_size or self.batch_size
        if n_process < 1 or size < 1:
            raise ValueError(f"n_process and batch_size must be at least 1, not {n_process} and {size}")
        disable = set(disable)
        if disable - set(self.component_names):
            raise ValueError(f"no components named {sorted(disable - set(self.component_names))}; "
                             f"components: {self.component_names}")
        if n_process > 1:
            from plait.core.multiprocess import pipe_in_processes

            with self.select_pipes(disable=disable):  # the workers fork inside, with these components off
                yield from pipe_in_processes(self, texts, n_process=n_process, batch_size=size)
            return
        components = [component for name, component in self.pipeline if name not in disable]
        docs = (t if isinstance(t, Doc) else self.make_doc(t) for t in texts)
        for batch in inference_batches(docs, size):
            if "torch" in sys.modules:  # inference's thread count, judged again as the machine's load changes
                use_threads(self.threads)
            yield from self._run(batch, components)

    def _pipe_tuples(self, pairs: Iterable[tuple[Any, Any]], batch_size: int | None, n_process: int,
                     disable: Iterable[str]) -> Iterator[tuple[Doc, Any]]:
        """`pipe(as_tuples=True)`: the texts go through `pipe` lazily, each context waits in a queue for its doc."""
        contexts: deque[Any] = deque()

        def texts() -> Iterator[Any]:
            for pair in pairs:
                if not isinstance(pair, tuple) or len(pair) != 2:
                    raise ValueError(f"pipe(as_tuples=True) takes (text, context) pairs, not {pair!r:.80}")
                contexts.append(pair[1])
                yield pair[0]

        for doc in self.pipe(texts(), batch_size, n_process, disable=disable):
            yield doc, contexts.popleft()

    def _run(self, docs: list[Doc], components: list[Component] | None = None) -> list[Doc]:
        """One batch through `components` (the enabled ones by default); the listeners let go of the batch's
        encoder output after."""
        try:
            for component in [c for _, c in self.pipeline] if components is None else components:
                docs = run_batch(component, docs)
        finally:
            listeners.clear_listeners(self)
        return docs

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

    # -- saving and loading (plait.core.saving) --------------------------------------------------------
    def to_disk(self, path: str | Path) -> None:
        """Write the pipeline to a directory, atomically: a failure leaves any previous copy intact."""
        saving.to_disk(self, path)

    @classmethod
    def from_disk(cls, path: str | Path, *, disable: Iterable[str] = (), enable: Iterable[str] | None = None,
                  exclude: Iterable[str] = ()) -> "Language":
        """Load a directory written by `to_disk` (`disable`: loaded, not run; `enable`: only these run, the others
        loaded and disabled; `exclude`: not loaded at all)."""
        return saving.from_disk(cls, path, disable=disable, enable=enable, exclude=exclude)
