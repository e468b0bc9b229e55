"""Generate a complete starting config for a language, a list of components and an optimisation goal."""
from __future__ import annotations

from typing import Any

from confection import Config

from plait.core.config import fill_config
from plait.core.errors import UserError

# Components that need token vectors from an encoder: they get a listener to one shared tok2vec.
_NEEDS_TOK2VEC = ("tagger", "ner")
_SCORE_KEYS = {"tagger": "tag_acc", "ner": "ents_f"}
_TOK2VEC_SIZES = {
    "efficiency": {"width": 96, "depth": 4, "rows": [5000, 1000, 2500, 2500]},
    "accuracy": {"width": 256, "depth": 8, "rows": [20000, 2500, 5000, 5000]},
}


def _listener(width: int) -> dict[str, Any]:
    return {"@architectures": "plait.Tok2VecListener.v1", "width": width, "upstream": "*"}


def _tok2vec_model(size: dict[str, Any]) -> dict[str, Any]:
    return {
        "@architectures": "plait.Tok2Vec.v1",
        "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": size["width"],
                  "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": size["rows"],
                  "include_static_vectors": False},
        "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": size["width"], "depth": size["depth"],
                   "window_size": 1, "maxout_pieces": 3},
    }


def _component(factory: str, width: int) -> dict[str, Any]:
    if factory == "tagger":
        return {"factory": "tagger", "model": {"@architectures": "plait.Tagger.v1", "tok2vec": _listener(width)}}
    if factory == "ner":
        return {"factory": "ner", "model": {"@architectures": "plait.EntityTagger.v1", "hidden_width": 64,
                                            "maxout_pieces": 2, "tok2vec": _listener(width)}}
    return {"factory": factory}


def init_config(*, lang: str, pipeline: list[str], optimize: str = "efficiency") -> Config:
    """A filled config: a shared tok2vec (if any component needs one) feeding each component's listener."""
    from plait.core.registry import ensure_registered, registry

    ensure_registered()
    if optimize not in _TOK2VEC_SIZES:
        raise UserError(f"--optimize must be efficiency or accuracy, not {optimize!r}")
    unknown = [name for name in pipeline if name not in registry.factories.get_all()]
    if unknown:
        known = sorted(n for n in registry.factories.get_all() if n != "tok2vec")
        raise UserError(f"--pipeline: no component factory named {unknown[0]!r}; available: {', '.join(known)}")
    size = _TOK2VEC_SIZES[optimize]
    names = list(pipeline)
    if any(name in _NEEDS_TOK2VEC for name in names) and "tok2vec" not in names:
        names.insert(0, "tok2vec")
    components = {name: {"factory": "tok2vec", "model": _tok2vec_model(size)} if name == "tok2vec"
                  else _component(name, size["width"]) for name in names}
    scored = [_SCORE_KEYS[n] for n in names if n in _SCORE_KEYS]
    weights = {key: round(1 / len(scored), 2) for key in scored}
    config = Config({
        "nlp": {"lang": lang, "pipeline": names},
        "components": components,
        "training": {"score_weights": weights},
    })
    return fill_config(config)
