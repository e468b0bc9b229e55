"""Every registered name resolves to a documented, typed function; versioned names follow plait.Name.vN."""
import inspect
import re

import pytest

from plait.core.registry import REGISTRY_NAMES, ensure_registered, registry

ensure_registered()
ENTRIES = [(reg, name) for reg in REGISTRY_NAMES for name in getattr(registry, reg).get_all()]


def test_builtins_are_registered():
    names = {name for _, name in ENTRIES}
    for expected in ("plait.Tok2Vec.v1", "plait.Tok2VecListener.v1", "plait.MultiHashEmbed.v1", "tagger", "ner",
                     "textcat", "senter", "morphologizer", "plait.Corpus.v1", "plait.Adam.v1"):
        assert expected in names


@pytest.mark.parametrize("reg,name", ENTRIES)
def test_name_resolves_to_a_documented_typed_function(reg, name):
    func = registry.get(reg, name)
    assert callable(func) and inspect.getdoc(func), f"{reg} {name!r} has no docstring"
    if reg != "factories":
        assert re.fullmatch(r"plait\.[A-Za-z0-9_]+\.v\d+", name), f"{name!r} is not a versioned name"
    for param in inspect.signature(func).parameters.values():
        assert param.kind is param.KEYWORD_ONLY, f"{name}: {param.name} must be keyword-only"
        assert param.annotation is not param.empty, f"{name}: {param.name} has no type hint"


@pytest.mark.parametrize("reg", REGISTRY_NAMES)
def test_every_registry_has_a_builtin(reg):
    assert getattr(registry, reg).get_all(), f"registry {reg!r} is empty: give it a use or remove it"
