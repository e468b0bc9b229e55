"""Generate a complete starting config for a language, a list of components and an optimisation goal."""
from __future__ import annotations

from typing import Any

from confection import Config

from plait.core.config import fill_config
from plait.core.errors import UserError
from plait.models.memory import DEFAULT_MAX_BATCH_ITEMS

_LISTENER = "plait.Tok2VecListener.v1"
# The shared tok2vec's width is written once, in its encoder; the embedding and every listener refer to it.
_WIDTH = "${components.tok2vec.model.encode.width}"
# Per-token heads on the shared token vectors: a linear layer over a listener.
_TOKEN_HEADS = ("tagger", "senter", "morphologizer", "trainable_lemmatizer")
# Each component's scores and their relative weights; every component gets an equal share of the total.
_SCORE_KEYS = {
    "tagger": {"tag_acc": 1.0}, "ner": {"ents_f": 1.0}, "senter": {"sents_f": 1.0},
    "morphologizer": {"pos_acc": 0.5, "morph_acc": 0.5},
    "parser": {"dep_uas": 0.5, "dep_las": 0.5}, "trainable_lemmatizer": {"lemma_acc": 1.0},
    "textcat": {"cats_score": 1.0}, "textcat_multilabel": {"cats_score": 1.0},
}
# Hashed n-gram rows of the bag-of-words text classifier (2**18, ample for sentence-level corpora).
_BOW_LENGTH = 262144
_TOK2VEC_SIZES = {
    "efficiency": {"width": 96, "depth": 4, "rows": [5000, 1000, 2500, 2500]},
    "accuracy": {"width": 256, "depth": 8, "rows": [20000, 2500, 5000, 5000]},
}
# The shared tok2vec's width at efficiency when a parser listens to it: 128 rather than 96 scored higher on
# ud-en-ewt dev at little cost (BENCHMARKS.md, "Parsing and lemmas against spaCy").
_PARSER_EFFICIENCY_WIDTH = 128
# The parser's BiLSTM width in that pipeline: 192 rather than the architecture's 256 trains in three quarters of
# the CPU time at about the same test scores (BENCHMARKS.md, same section).
_PARSER_EFFICIENCY_CONTEXT = 192


def _tok2vec_size(optimize: str, pipeline: list[str]) -> dict[str, Any]:
    """The tok2vec's size for `optimize`, wider at efficiency for a pipeline with a parser."""
    size = _TOK2VEC_SIZES[optimize]
    if optimize == "efficiency" and "parser" in pipeline:
        return {**size, "width": _PARSER_EFFICIENCY_WIDTH}
    return size


def _listener() -> dict[str, Any]:
    return {"@architectures": _LISTENER, "width": _WIDTH, "upstream": "*"}


def _uses_listener(block: Any) -> bool:
    """Whether a component block reads a shared encoder (has a listener anywhere in its model)."""
    if not isinstance(block, dict):
        return False
    return block.get("@architectures") == _LISTENER or any(_uses_listener(v) for v in block.values())


def _tok2vec_model(size: dict[str, Any], embed_width: Any = _WIDTH) -> dict[str, Any]:
    """The tok2vec block; its embedding's width refers to the shared encoder's unless given (a standalone one)."""
    return {
        "@architectures": "plait.Tok2Vec.v1",
        "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": embed_width,
                  "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": size["rows"],
                  "include_static_vectors": False},
        "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": size["width"], "depth": size["depth"],
                   "window_size": 1, "maxout_pieces": 3},
    }


def _textcat_model(factory: str, optimize: str) -> dict[str, Any]:
    """Efficiency: the bag-of-n-grams linear model alone (no tok2vec); accuracy: it plus a pooled listener."""
    bow = {"@architectures": "plait.TextCatBOW.v1", "ngram_size": 2, "length": _BOW_LENGTH,
           "exclusive_classes": factory == "textcat"}
    if optimize == "efficiency":
        return bow
    return {"@architectures": "plait.TextCatEnsemble.v1", "tok2vec": _listener(), "linear_model": bow}


def _component(factory: str, optimize: str) -> dict[str, Any]:
    if factory in _TOKEN_HEADS:
        return {"factory": factory, "model": {"@architectures": "plait.Tagger.v1", "tok2vec": _listener()}}
    if factory == "parser":
        return {"factory": "parser", "model": {"@architectures": "plait.BiaffineParser.v3", "tok2vec": _listener()}}
    if factory == "ner":
        return {"factory": "ner", "model": {"@architectures": "plait.EntityTagger.v1", "hidden_width": 128,
                                            "maxout_pieces": 2, "tok2vec": _listener()}}
    if factory in ("textcat", "textcat_multilabel"):
        return {"factory": factory, "model": _textcat_model(factory, optimize)}
    return {"factory": factory}


# The transformer init-config --gpu uses by default: a local directory or a model in the HuggingFace cache.
_TRANSFORMER_NAME = "roberta-base"
_TRANSFORMER_LISTENER = "plait.TransformerListener.v1"


def _transformer_listener() -> dict[str, Any]:
    return {"@architectures": _TRANSFORMER_LISTENER, "grad_factor": 1.0, "upstream": "*",
            "pooling": {"@layers": "plait.reduce_mean.v1"}}


def _on_transformer(block: dict[str, Any]) -> dict[str, Any]:
    """The same component block with each tok2vec listener replaced by a transformer listener."""
    out = {}
    for key, value in block.items():
        if isinstance(value, dict) and value.get("@architectures") == _LISTENER:
            out[key] = _transformer_listener()
        elif isinstance(value, dict):
            out[key] = _on_transformer(value)
        else:
            out[key] = value
    return out


def _transformer_component() -> dict[str, Any]:
    """The transformer block, with attention dropout off while fine-tuning (the config key of BERT, RoBERTa,
    XLM-R, DeBERTa, ELECTRA, MPNet): on a CPU its random mask over every attention matrix is costly and buys no
    accuracy (figures: BENCHMARKS.md, "Transformers")."""
    return {"factory": "transformer", "max_batch_items": DEFAULT_MAX_BATCH_ITEMS,
            "set_extra_annotations": {"@annotation_setters": "plait.null_annotation_setter.v1"},
            "model": {"@architectures": "plait.TransformerModel.v1", "name": _TRANSFORMER_NAME,
                      "get_spans": {"@span_getters": "plait.strided_spans.v1", "window": 128, "stride": 96},
                      "tokenizer_config": {"use_fast": True},
                      "transformer_config": {"attention_probs_dropout_prob": 0.0},
                      "mixed_precision": True, "grad_scaler_config": {}}}


def _fine_tuning(heads: list[str]) -> dict[str, Any]:
    """[training] settings for fine-tuning: a warmed-up, decaying small rate for the transformer, a larger
    constant one for the freshly initialised heads (at the transformer's rate they barely move in a few epochs).

    100 warmup steps rather than 250: two epochs of ud-en-ewt are about 470 steps, and with 250 the rate was
    still rising for half of them (figures: BENCHMARKS.md, "Transformers"). With a parser among the heads,
    batches of a quarter of the size and rates four (transformer) and two (heads) times as high: in two epochs its
    BiLSTM and scorers are far from trained at the tagger's settings (BENCHMARKS.md, "Parsing and lemmas").
    """
    parser = "parser" in heads
    return {
        "accumulate_gradient": 1,
        "batcher": {"@batchers": "plait.batch_by_padded.v1", "size": 500 if parser else 2000, "buffer": 256,
                    "discard_oversize": True},
        "optimizer": {"@optimizers": "plait.Adam.v1", "decoupled": True, "weight_decay": 0.01, "grad_clip": 1.0,
                      "learn_rate": {"@schedules": "plait.warmup_linear.v1", "initial_rate": 2e-4 if parser else 5e-5,
                                     "warmup_steps": 50 if parser else 100, "total_steps": 20000},
                      "component_learn_rates": {name: 0.002 if parser else 0.001 for name in heads}},
    }


def _score_weights(names: list[str]) -> dict[str, float]:
    """Default weights of the combined score: an equal share per scored component, split among its keys."""
    scored = [_SCORE_KEYS[n] for n in names if n in _SCORE_KEYS]
    weights: dict[str, float] = {}
    for keys in scored:
        for key, share in keys.items():
            weights[key] = weights.get(key, 0.0) + share / len(scored)
    return {key: round(value, 2) for key, value in weights.items()}


def init_config(*, lang: str, pipeline: list[str], optimize: str = "efficiency", pretraining: bool = False,
                gpu: bool = False) -> Config:
    """A filled config: a shared tok2vec (if any component has a listener) feeding each component's listener.

    `pretraining` adds the [pretraining] defaults for `plait pretrain`; `gpu` puts a shared transformer
    where the tok2vec would be, with fine-tuning defaults in [training].
    """
    from plait.core.registry import ensure_registered, registry

    ensure_registered()
    if optimize not in _TOK2VEC_SIZES:
        raise UserError(f"--optimize must be efficiency or accuracy, not {optimize!r}")
    unknown = [name for name in pipeline if name not in registry.factories.get_all()]
    if unknown:
        known = sorted(n for n in registry.factories.get_all() if n != "tok2vec")
        raise UserError(f"--pipeline: no component factory named {unknown[0]!r}; available: {', '.join(known)}")
    size = _tok2vec_size(optimize, pipeline)
    names = list(pipeline)
    components = {name: _component(name, optimize) for name in names if name != "tok2vec"}
    training: dict[str, Any] = {"score_weights": _score_weights(names)}
    if gpu:
        names = [n for n in names if n not in ("tok2vec", "transformer")]
        heads = [n for n in names if _uses_listener(components[n])]
        components = {n: _on_transformer(block) for n, block in components.items()}
        names.insert(0, "transformer")
        components["transformer"] = _transformer_component()
        training.update(_fine_tuning(heads))
    elif "tok2vec" in names or any(_uses_listener(block) for block in components.values()):
        if "tok2vec" not in names:
            names.insert(0, "tok2vec")
        components["tok2vec"] = {"factory": "tok2vec", "model": _tok2vec_model(size)}
        if optimize == "efficiency" and "parser" in components:
            components["parser"]["model"]["context_width"] = _PARSER_EFFICIENCY_CONTEXT
    config = Config({
        "nlp": {"lang": lang, "pipeline": names},
        "components": {name: components[name] for name in names},
        "training": training,
    })
    return fill_config(config, pretraining=pretraining)


def standalone_model(factory: str, optimize: str = "efficiency") -> dict[str, Any] | None:
    """The model block init-config writes for `factory`, with its own encoder in place of each listener
    (what `nlp.add_pipe(factory)` builds when no model is given); None for a factory that takes no model."""
    size = _tok2vec_size(optimize, [factory])
    if factory == "tok2vec":
        return _tok2vec_model(size, size["width"])

    def own_encoder(block: Any) -> Any:
        if not isinstance(block, dict):
            return block
        if block.get("@architectures") == _LISTENER:
            return _tok2vec_model(size, size["width"])
        return {key: own_encoder(value) for key, value in block.items()}

    return own_encoder(_component(factory, optimize).get("model"))
