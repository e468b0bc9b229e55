"""The registries that config files name functions from (`@architectures = "plait.Tok2Vec.v1"`), as modules that
register into them import them; `registry.py` adds plait's built-in names on first need."""
from __future__ import annotations

from typing import Any, Callable

import catalogue
import confection

REGISTRY_NAMES = (
    "architectures", "factories", "readers", "batchers", "optimizers", "schedules", "loggers",
    "span_getters", "annotation_setters", "layers", "tokenizers", "misc",
)


class registry(confection.registry):
    """confection's registry with one catalogue per kind of function plait configs refer to."""

    architectures = catalogue.create("plait", "architectures", entry_points=True)
    factories = catalogue.create("plait", "factories", entry_points=True)
    readers = catalogue.create("plait", "readers", entry_points=True)
    batchers = catalogue.create("plait", "batchers", entry_points=True)
    optimizers = catalogue.create("plait", "optimizers", entry_points=True)
    schedules = catalogue.create("plait", "schedules", entry_points=True)
    loggers = catalogue.create("plait", "loggers", entry_points=True)
    span_getters = catalogue.create("plait", "span_getters", entry_points=True)
    annotation_setters = catalogue.create("plait", "annotation_setters", entry_points=True)
    layers = catalogue.create("plait", "layers", entry_points=True)
    tokenizers = catalogue.create("plait", "tokenizers", entry_points=True)
    misc = catalogue.create("plait", "misc", entry_points=True)  # spaCy's name for helpers such as span suggesters


def catalog(name: str) -> catalogue.Registry | None:
    """The registry a config's `@name` key refers to, or None if plait has no such registry."""
    return vars(registry)[name] if name in REGISTRY_NAMES else None


def create_tokenizer() -> Callable[[Any], Any]:
    """`plait.Tokenizer.v1`: the rule-based tokenizer for the pipeline's language (neutral rules if unknown)."""
    from plait.core.lang import get_tokenizer_rules
    from plait.core.tokenizer import Tokenizer

    return lambda nlp: Tokenizer(nlp.vocab, get_tokenizer_rules(nlp.lang))


# Registered here rather than in registrations.py (which imports every component, and so torch): a pipeline
# of tables alone names only its tokenizer and then loads without torch.
registry.tokenizers.register("plait.Tokenizer.v1", func=create_tokenizer)
