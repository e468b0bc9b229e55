"""Generate a complete starting config for a language, a list of components and an optimisation goal."""
from __future__ import annotations

from typing import Any

from confection import Config

from plait.core.component_defaults import SHARED_ENCODER, declaration, shared_tok2vec
from plait.core.components.declaration import OPTIMIZE, TOK2VEC_LISTENER, ComponentKind
from plait.core.config import fill_config
from plait.core.errors import UserError
from plait.models.limits import DEFAULT_MAX_BATCH_ITEMS

# The parser's BiLSTM width in a pipeline with the shared tok2vec at efficiency: 192 rather than the
# architecture's 256 trains in three quarters of the CPU time at about the same test scores (BENCHMARKS.md,
# "Parsing and lemmas against spaCy").
_PARSER_EFFICIENCY_CONTEXT = 192


def _uses_listener(block: Any) -> bool:
    """Whether a component block reads a shared encoder (has a listener anywhere in its model)."""
    if not isinstance(block, dict):
        return False
    return block.get("@architectures") == TOK2VEC_LISTENER or any(_uses_listener(v) for v in block.values())


def _component(factory: str, optimize: str) -> dict[str, Any]:
    """The block of `factory`: its declared default model, listening to the shared encoder, and its other
    declared blocks (a suggester)."""
    declared = declaration(factory)
    block: dict[str, Any] = {"factory": factory}
    if declared.default_model is not None:
        block["model"] = declared.default_model(optimize)
    block.update({key: write(optimize) for key, write in declared.default_blocks.items()})
    return block


# The transformer init-config --gpu uses by default: a HuggingFace hub name (or a local directory).
_TRANSFORMER_NAME = "roberta-base"
_TRANSFORMER_LISTENER = "plait.TransformerListener.v1"


def _transformer_listener() -> dict[str, Any]:
    return {"@architectures": _TRANSFORMER_LISTENER, "grad_factor": 1.0, "upstream": "*",
            "pooling": {"@layers": "plait.reduce_mean.v1"}}


def _on_transformer(block: dict[str, Any]) -> dict[str, Any]:
    """The same component block with each tok2vec listener replaced by a transformer listener."""
    out = {}
    for key, value in block.items():
        if isinstance(value, dict) and value.get("@architectures") == TOK2VEC_LISTENER:
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
            "model": {"@architectures": "plait.TransformerModel.v2", "name": _TRANSFORMER_NAME, "revision": "main",
                      "get_spans": {"@span_getters": "plait.strided_spans.v1", "window": 128, "stride": 96},
                      "tokenizer_config": {"use_fast": True},
                      "transformer_config": {"attention_probs_dropout_prob": 0.0},
                      "mixed_precision": True, "grad_scaler_config": {}}}


# LoRA adapters on every linear layer: rank 8 trains about 1.5% of MiniLM's weights and saves about 1.3 MB.
ADAPTERS = ("lora",)
_LORA = {"@architectures": "plait.LoraAdapter.v1", "rank": 8, "alpha": 16, "dropout": 0.0,
         "target_modules": "all-linear", "merge_on_save": False}
# The adapters start from zero and learn faster than the pretrained weights they sit beside: their rate is this
# many times the full fine-tuning one.
_ADAPTER_RATE_FACTOR = 5


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
    """Default weights of the combined score: an equal share per scored component, split among its weighted keys."""
    declared = [declaration(name).score_weights for name in names]
    scored = [{key: w for key, w in keys.items() if w is not None} for keys in declared]
    scored = [keys for keys in scored if keys]
    weights: dict[str, float] = {}
    for keys in scored:
        for key, share in keys.items():
            weights[key] = weights.get(key, 0.0) + share / len(scored)
    return {key: round(value, 2) for key, value in weights.items()}


def init_config(*, lang: str, pipeline: list[str], optimize: str = "efficiency", pretraining: bool = False,
                gpu: bool = False, adapter: str | None = None) -> Config:
    """A filled config: a shared tok2vec (if any component has a listener) feeding each component's listener.

    `pretraining` adds the [pretraining] defaults for `plait pretrain`; `gpu` puts a shared transformer
    where the tok2vec would be, with fine-tuning defaults in [training]; `adapter` ("lora") trains LoRA
    adapters on it instead of all its weights.
    """
    from plait.core.registry import ensure_registered, registry

    ensure_registered()
    if optimize not in OPTIMIZE:
        raise UserError(f"--optimize must be efficiency or accuracy, not {optimize!r}")
    if adapter is not None and adapter not in ADAPTERS:
        raise UserError(f"--adapter must be {' or '.join(ADAPTERS)}, not {adapter!r}")
    if adapter is not None and not gpu:
        raise UserError("--adapter: adapters go on a transformer; add --gpu")
    unknown = [name for name in pipeline if name not in registry.factories.get_all()]
    if unknown:
        known = sorted(n for n in registry.factories.get_all() if n != SHARED_ENCODER)
        raise UserError(f"--pipeline: no component factory named {unknown[0]!r}; available: {', '.join(known)}")
    names = list(pipeline)
    components = {name: _component(name, optimize) for name in names if name != SHARED_ENCODER}
    training: dict[str, Any] = {"score_weights": _score_weights(names)}
    if gpu:
        names = [n for n in names if declaration(n).kind is not ComponentKind.ENCODER]
        heads = [n for n in names if _uses_listener(components[n])]
        components = {n: _on_transformer(block) for n, block in components.items()}
        names.insert(0, "transformer")
        components["transformer"] = _transformer_component()
        training.update(_fine_tuning(heads))
        if adapter == "lora":
            components["transformer"]["model"]["adapter"] = dict(_LORA)
            rate = training["optimizer"]["learn_rate"]
            rate["initial_rate"] = rate["initial_rate"] * _ADAPTER_RATE_FACTOR
    elif SHARED_ENCODER in names or any(_uses_listener(block) for block in components.values()):
        if SHARED_ENCODER not in names:
            names.insert(0, SHARED_ENCODER)
        components[SHARED_ENCODER] = {"factory": SHARED_ENCODER, "model": shared_tok2vec(optimize, pipeline)}
        if optimize == "efficiency" and "parser" in components:
            components["parser"]["model"]["context_width"] = _PARSER_EFFICIENCY_CONTEXT
    config = Config({
        "nlp": {"lang": lang, "pipeline": names},
        "components": {name: components[name] for name in names},
        "training": training,
    })
    return fill_config(config, pretraining=pretraining)
