"""Decorators that register users' own pipeline components, usable in configs and `nlp.add_pipe`.

    @plait.component("my_cleaner")          # a function doc -> doc, no settings
    def clean(doc): ...

    @plait.factory("my_marker", default_config={"label": "X"})   # builds a component from settings
    def make_marker(nlp, name, label): return Marker(name, label)

A factory declares its kind, default model and scores as a built-in does (`components/declaration.py`):

    @plait.factory("my_head", kind=plait.ComponentKind.HEAD, score_weights={"my_acc": 1.0},
                   default_model=lambda optimize: {"@architectures": "plait.Tagger.v1",
                                                   "tok2vec": plait.tok2vec_listener()})
    def make_head(nlp, name, model): return MyHead(nlp.vocab, name, model)
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping

from plait.core.components.declaration import ComponentKind, ModelBlock, declare
from plait.core.registry import registry


class BaseComponent:
    """Defaults for a user component: no model and no state to save."""

    model = None

    def __init__(self, name: str) -> None:
        self.name = name

    def get_state(self) -> dict[str, Any]:
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        return None


class FunctionComponent(BaseComponent):
    """A stateless component that applies `func` (doc -> doc) to each doc."""

    def __init__(self, name: str, func: Callable[[Any], Any]) -> None:
        super().__init__(name)
        self.func = func

    def __call__(self, doc: Any) -> Any:
        return self.func(doc)


def component(name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Register a function doc -> doc as the factory `name` (a stateless component)."""
    def register(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        registry.factories.register(name, func=lambda: (lambda nlp, component_name: FunctionComponent(component_name,
                                                                                                       func)))
        return func

    return register


def factory(name: str, *, default_config: dict[str, Any] | None = None,
            kind: ComponentKind = ComponentKind.OTHER, default_model: ModelBlock | None = None,
            score_weights: Mapping[str, float | None] | None = None
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `func(nlp, name, **settings) -> component` as the factory `name`; its settings come from the
    component's config block (`default_config` fills those the block leaves out). `kind`, `default_model` and
    `score_weights` are its Declaration, read by init-config, add_pipe, fill-config and evaluate."""
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(func).parameters.values())
        if len(params) < 2 or params[0].name != "nlp" or params[1].name != "name":
            raise TypeError(f"factory {name!r}: {func.__name__} must take (nlp, name, ...settings)")
        defaults = default_config or {}
        settings = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                              default=defaults.get(p.name, p.default)) for p in params[2:]]

        def make(**config: Any) -> Callable[[Any, str], Any]:
            return lambda nlp, component_name: func(nlp, component_name, **config)

        make.__signature__ = inspect.Signature(settings)  # what configs are checked and filled against
        make.__doc__ = func.__doc__
        declare(kind=kind, default_model=default_model, score_weights=score_weights)(make)
        registry.factories.register(name, func=make)
        return func

    return register
