"""Linking the listeners inside heads' models to the encoder components they read, and `replace_listeners`."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Iterable

from plait.core.components.contract import Encoder, model_of
from plait.core.errors import ConfigError
from plait.models.output_kind import OutputKind

if TYPE_CHECKING:
    from plait.core.pipeline import Language
    from plait.models.listener import Listener

# The listener architecture that reads each kind of encoder output, and the component giving it, for messages.
_LISTENER_FOR = {OutputKind.TOKENS: "plait.Tok2VecListener.v1", OutputKind.WORDPIECES: "plait.TransformerListener.v1"}
_ENCODER_FOR = {OutputKind.TOKENS: "tok2vec", OutputKind.WORDPIECES: "transformer"}


def encoders(nlp: "Language") -> list[tuple[str, Encoder]]:
    """Every encoder component, enabled or not, in order."""
    return [(name, c) for name, c in nlp.components if isinstance(c, Encoder)]


def link_listeners(nlp: "Language") -> None:
    """Connect every Listener inside a component's model to its upstream encoder component."""
    found = encoders(nlp)
    for _, encoder in found:
        for listener in list(encoder.listeners):
            encoder.remove_listener(listener)
    for index, (name, component) in enumerate(nlp.components):
        model = model_of(component)
        if model is None or isinstance(component, Encoder):
            continue
        from plait.models.listener import Listener  # torch: a pipeline of tables alone never gets here

        for listener in (m for m in model.modules() if isinstance(m, Listener)):
            upstream = _upstream_for(nlp, listener, name, index, found)
            width = listener.declared_width
            upstream_width = upstream.output_width() if width is not None else None
            if upstream_width is not None and upstream_width != width:
                raise ConfigError(f"components.{name}: listener width {width} does not match the "
                                  f"output width {upstream_width} of upstream component {upstream.name!r}")
            upstream.add_listener(listener, name)


def clear_listeners(nlp: "Language") -> None:
    """Drop the encoders' outputs held by listeners, so the batch's tensors (and graph) can be freed."""
    for _, encoder in encoders(nlp):
        encoder.clear_listeners()


def _upstream_for(nlp: "Language", listener: Listener, name: str, index: int,
                  found: list[tuple[str, Encoder]]) -> Encoder:
    """The encoder a listener reads: the one it names, else the nearest earlier one of the kind it reads."""
    if listener.upstream != "*":
        for n, c in found:
            if n == listener.upstream:
                if c.output_kind != listener.reads:
                    raise ConfigError(f"components.{name}: its listener reads {listener.reads.value!r} output, but "
                                      f"upstream {n!r} gives {c.output_kind.value!r} output "
                                      f"(use {_LISTENER_FOR[c.output_kind]} to listen to it)")
                return c
        raise ConfigError(f"components.{name}: its listener names upstream {listener.upstream!r}, but the "
                          f"pipeline has no such encoder component (encoders: {[n for n, _ in found]})")
    kind = [(n, c) for n, c in found if c.output_kind == listener.reads]
    earlier = [c for n, c in kind if nlp.component_names.index(n) < index]
    if earlier:
        return earlier[-1]
    if kind:
        return kind[0][1]
    raise ConfigError(f"components.{name}: its model has a listener, but the pipeline has no "
                      f"{_ENCODER_FOR[listener.reads]} component to listen to (add one before {name!r})")


def replace_listeners(nlp: "Language", blocks: dict[str, dict], encoder_name: str, component_name: str,
                      paths: Iterable[str] | None = None) -> None:
    """Put a copy of encoder `encoder_name`'s model in place of each listener to it inside `component_name`'s
    model, and the encoder's model block in place of the listener's in the component's config block.

    `paths` (spaCy's third argument) names the listeners to replace by their place in the component's config,
    e.g. ["model.tok2vec"]; each must be a listener to `encoder_name`. None replaces them all."""
    encoder = nlp.get_pipe(encoder_name)
    if not isinstance(encoder, Encoder):
        raise ValueError(f"component {encoder_name!r} is not an encoder (tok2vec or transformer)")
    if encoder.output_kind != OutputKind.TOKENS:
        raise ValueError(f"component {encoder_name!r} is a transformer: replace_listeners copies tok2vec "
                         "encoders only; give the head its own transformer component instead")
    from plait.models.listener import Listener

    model = model_of(nlp.get_pipe(component_name))
    targets = [(path, m) for path, m in (model.named_modules() if model is not None else ())
               if isinstance(m, Listener) and m.upstream_name == encoder_name]
    if not targets:
        raise ValueError(f"component {component_name!r} has no listener to {encoder_name!r}")
    if paths is not None:
        found = {f"model.{path}": (path, m) for path, m in targets}
        paths = list(paths)
        unknown = [p for p in paths if p not in found]
        if unknown or not paths:
            raise ValueError(f"component {component_name!r} has no listener to {encoder_name!r} at "
                             f"{unknown[0] if unknown else 'any of []'!r}; its listeners: {sorted(found)}")
        targets = [found[p] for p in dict.fromkeys(paths)]
    block = blocks[component_name]
    for path, listener in targets:
        *parents, attr = path.split(".")
        owner = model.get_submodule(".".join(parents)) if parents else model
        setattr(owner, attr, copy.deepcopy(encoder.model))
        node = block["model"]
        for key in parents:
            node = node[key]
        node[attr] = copy.deepcopy(blocks[encoder_name]["model"])
        encoder.remove_listener(listener)
