"""How each spaCy v3 / spacy-transformers registered function maps onto plait's: the new name, the settings
kept (under their plait names) and the settings dropped, with the reason written beside the result."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Lift:
    """A spaCy sub-block whose settings plait keeps on the block above it: the spaCy functions it may name,
    and its setting -> the plait setting of the block above."""

    functions: tuple[str, ...]
    keep: dict[str, str]


@dataclass(frozen=True)
class Rule:
    """`plait`: the plait function name; `keep`: spaCy setting -> plait setting; `drop`: setting -> why;
    `advice`: a note written beside a kept setting; `lift`: sub-block -> how its settings move up.

    Settings of the spaCy block in none of the maps are dropped with a generic reason; `build` rewrites the
    whole block instead (when one spaCy function becomes several plait blocks).
    """

    plait: str
    keep: dict[str, str] = field(default_factory=dict)
    drop: dict[str, str] = field(default_factory=dict)
    build: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    advice: dict[str, str] = field(default_factory=dict)
    lift: dict[str, Lift] = field(default_factory=dict)


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


_NO = "plait sizes the output layer from the labels it learns"
_TRANSITION = ("plait's ner is a BILUO tagger with constrained decoding, not a transition-based parser: "
               "this transition-system setting has no equivalent")


def _hash_embed_cnn(block: dict[str, Any]) -> dict[str, Any]:
    """spaCy's HashEmbedCNN is plait's Tok2Vec of MultiHashEmbed + MaxoutWindowEncoder (its documented layout)."""
    width, rows = block["width"], block["embed_size"]
    subwords = block.get("subword_features", True)
    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"] if subwords else ["NORM"]
    return {"@architectures": "plait.Tok2Vec.v1",
            "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": width, "attrs": attrs,
                      "rows": [rows] + [rows // 2] * (len(attrs) - 1),
                      "include_static_vectors": bool(block.get("pretrained_vectors"))},
            "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": width, "depth": block["depth"],
                       "window_size": block["window_size"], "maxout_pieces": block["maxout_pieces"]}}


def _versions(name: str, versions: str, rule: Rule) -> dict[str, Rule]:
    return {f"{name}.v{v}": rule for v in versions}


# ---- plait's span categorizer, as the spancat component names its settings: the one place to adjust ----
SPANCAT_ARCHITECTURE = "plait.SpanCategorizer.v1"
SPANCAT_MODEL_SETTINGS = {"tok2vec": "tok2vec"}  # spaCy's SpanCategorizer setting -> plait's
SPANCAT_REDUCER_SETTINGS = {"hidden_size": "hidden_width"}  # spaCy's mean_max_reducer setting -> plait's model's
SPANCAT_SETTINGS = ("model", "suggester", "spans_key", "threshold", "max_positive")  # spancat's, kept as named
SPANCAT_SINGLELABEL_SETTINGS = ("model", "suggester", "spans_key")  # spancat_singlelabel's, kept as named
# ----
_SPAN_SCORER = "plait's span model has its own output layer: one sigmoid a label (spancat), a softmax over the " \
               "labels and no label (spancat_singlelabel)"


TOK2VEC = Rule("plait.Tok2Vec.v1", _same("embed", "encode"))
RULES: dict[str, Rule] = {
    **_versions("spacy.Tok2Vec", "12", TOK2VEC),
    **_versions("spacy.MultiHashEmbed", "12", Rule("plait.MultiHashEmbed.v1",
                                                   _same("width", "attrs", "rows", "include_static_vectors"))),
    **_versions("spacy.MaxoutWindowEncoder", "12", Rule("plait.MaxoutWindowEncoder.v1",
                                                        _same("width", "depth", "window_size", "maxout_pieces"))),
    **_versions("spacy.MishWindowEncoder", "12", Rule("plait.MishWindowEncoder.v1",
                                                      _same("width", "depth", "window_size"))),
    "spacy.TorchBiLSTMEncoder.v1": Rule("plait.BiLSTMEncoder.v1", _same("width", "depth", "dropout")),
    **_versions("spacy.HashEmbedCNN", "12", Rule("plait.Tok2Vec.v1", build=_hash_embed_cnn)),
    **_versions("spacy.StaticVectors", "12", Rule("plait.StaticVectors.v1", {"nO": "width"},
                                                  {"nM": "the table's width comes from [initialize] vectors",
                                                   "dropout": "plait applies [training] dropout",
                                                   "key_attr": "plait looks vectors up by the word"})),
    "spacy.Tok2VecListener.v1": Rule("plait.Tok2VecListener.v1", _same("width", "upstream")),
    **_versions("spacy.Tagger", "12", Rule("plait.Tagger.v1", _same("tok2vec"),
                                           {"nO": _NO, "normalize": "plait's tagger has no output normalization"})),
    **_versions("spacy.TransitionBasedParser", "12", Rule(
        "plait.EntityTagger.v1", _same("tok2vec", "hidden_width", "maxout_pieces"),
        {"state_type": _TRANSITION, "extra_state_tokens": _TRANSITION, "use_upper": _TRANSITION, "nO": _NO})),
    **_versions("spacy.TextCatBOW", "123", Rule("plait.TextCatBOW.v1", _same("exclusive_classes", "ngram_size",
                                                                            "length"),
                                                {"no_output_layer": "plait's bag of n-grams always has its linear "
                                                                    "output", "nO": _NO})),
    **_versions("spacy.TextCatEnsemble", "2", Rule("plait.TextCatEnsemble.v1", _same("tok2vec", "linear_model"),
                                                   {"nO": _NO})),
    **_versions("spacy.TextCatCNN", "12", Rule("plait.TextClassifier.v1", _same("tok2vec"),
                                               {"exclusive_classes": "set by the component (textcat or "
                                                                     "textcat_multilabel)", "nO": _NO})),
    "spacy.PretrainCharacters.v1": Rule("plait.PretrainCharacters.v1",
                                        _same("maxout_pieces", "hidden_size", "n_characters")),
    "spacy.PretrainVectors.v1": Rule("plait.PretrainVectors.v1", _same("maxout_pieces", "hidden_size", "loss")),
    **_versions("spacy-transformers.TransformerModel", "123", Rule(
        "plait.TransformerModel.v2", _same("name", "get_spans", "tokenizer_config", "transformer_config",
                                           "mixed_precision", "grad_scaler_config"),
        advice={"name": "a local model directory, or a hub name fetched into the HuggingFace cache (safetensors "
                        "weights only); set revision to pin a commit"}
    )),
    "spacy-transformers.TransformerListener.v1": Rule("plait.TransformerListener.v1",
                                                      _same("grad_factor", "upstream", "pooling")),
    "spacy-transformers.strided_spans.v1": Rule("plait.strided_spans.v1", _same("window", "stride")),
    "spacy-transformers.doc_spans.v1": Rule("plait.doc_spans.v1"),
    "spacy-transformers.sent_spans.v1": Rule("plait.sent_spans.v1"),
    "spacy-transformers.null_annotation_setter.v1": Rule("plait.null_annotation_setter.v1"),
    **{f"reduce_{kind}.v1": Rule(f"plait.reduce_{kind}.v1") for kind in ("mean", "max", "sum", "first", "last")},
    "Adam.v1": Rule("plait.Adam.v1", {**_same("learn_rate", "beta1", "beta2", "eps", "grad_clip", "use_averages"),
                                      "L2": "weight_decay", "L2_is_weight_decay": "decoupled"},
                    advice={"L2": "decoupled, the same update as spaCy's (each step every weight shrinks by "
                                  "learn_rate x L2); as an L2 penalty plait adds it to the gradient after clipping, "
                                  "spaCy before",
                            "grad_clip": "spaCy clips each weight array's gradient to this norm, plait the norm of "
                                         "all gradients together"}),
    "compounding.v1": Rule("plait.compounding.v1", _same("start", "stop", "compound"),
                           {"t": "plait's schedules always start at step 0"}),
    "warmup_linear.v1": Rule("plait.warmup_linear.v1", _same("warmup_steps", "total_steps", "initial_rate")),
    "constant.v1": Rule("plait.constant.v1", _same("rate")),
    "constant_then.v1": Rule("plait.constant_then.v1", _same("rate", "steps", "schedule")),
    "spacy.batch_by_words.v1": Rule("plait.batch_by_words.v1", _same("size", "tolerance", "discard_oversize"),
                                    {"get_length": "plait counts tokens"},
                                    advice={"tolerance": "spaCy moves the docs past the size into the next batch, "
                                                         "plait keeps up to this share over the size in this one"}),
    "spacy.batch_by_padded.v1": Rule("plait.batch_by_padded.v1", _same("size", "buffer", "discard_oversize"),
                                     {"get_length": "plait counts tokens"}),
    "spacy.Corpus.v1": Rule("plait.Corpus.v1", _same("path", "gold_preproc", "max_length", "limit"),
                            {"augmenter": "plait has no data augmenters"}),
    "spacy.JsonlCorpus.v1": Rule("plait.RawCorpus.v1", _same("path", "min_length", "max_length", "limit")),
    "spacy.Tokenizer.v1": Rule("plait.Tokenizer.v1"),
    "spacy.SpanCategorizer.v1": Rule(
        SPANCAT_ARCHITECTURE, SPANCAT_MODEL_SETTINGS, {"scorer": _SPAN_SCORER},
        lift={"reducer": Lift(("spacy.mean_max_reducer.v1",), SPANCAT_REDUCER_SETTINGS)}),
    "spacy.ngram_suggester.v1": Rule("plait.ngram_suggester.v1", _same("sizes")),
    "spacy.ngram_range_suggester.v1": Rule("plait.ngram_range_suggester.v1", _same("min_size", "max_size")),
    "spacy.preset_spans_suggester.v1": Rule("plait.preset_spans_suggester.v1", _same("spans_key")),
    **{f"spacy.{name}.v1": Rule(f"plait.{name}.v1") for name in (
        "first_longest_spans_filter", "prioritize_new_ents_filter", "prioritize_existing_ents_filter")},
}

_CONSOLE_ONLY = "plait's console table has no such option"
_SPACY_RUN_CONFIG = "plait logs the components and scores, not the whole config"
# [training.logger] (spaCy's loggers, spacy-loggers' included); one with no rule is dropped with a note, since a
# logger changes nothing that is trained
LOGGERS: dict[str, Rule] = {
    **_versions("spacy.ConsoleLogger", "123", Rule("plait.ConsoleLogger.v1", drop={
        "progress_bar": _CONSOLE_ONLY, "console_output": _CONSOLE_ONLY,
        "output_file": "use plait.JSONLLogger.v1 (train also writes metrics.jsonl in its output)"})),
    **_versions("spacy.WandbLogger", "12345", Rule("plait.WandbLogger.v1", {"project_name": "project",
                                                                           **_same("entity", "run_name")},
                                                  {"remove_config_values": _SPACY_RUN_CONFIG,
                                                   "model_log_interval": "plait logs no model artifacts",
                                                   "log_dataset_dir": "plait logs no dataset artifacts"})),
    **_versions("spacy.MLflowLogger", "12", Rule("plait.MLflowLogger.v1", {"run_name": "run_name"},
                                                {"experiment_id": "an MLflow experiment id; plait's `experiment` "
                                                                  "takes an experiment name",
                                                 "run_id": "plait starts a new run", "nested": "plait starts a new run",
                                                 "tags": "plait tags the run with its components",
                                                 "remove_config_values": _SPACY_RUN_CONFIG,
                                                 "log_custom_stats": "plait logs every score of the record"})),
}

# Component factories: plait's factory name, the settings kept, and the reasons for those dropped.
FACTORIES: dict[str, Rule] = {
    "tok2vec": Rule("tok2vec", _same("model")),
    "tagger": Rule("tagger", _same("model", "overwrite"),
                   {"label_smoothing": "plait's tagger trains on plain cross-entropy",
                    "neg_prefix": "plait has no negative tag annotation"}),
    "morphologizer": Rule("morphologizer", _same("model", "overwrite"),
                          {"label_smoothing": "plait's morphologizer trains on plain cross-entropy",
                           "extend": "plait's morphologizer replaces or fills whole analyses"}),
    "senter": Rule("senter", _same("model", "overwrite")),
    "ner": Rule("ner", _same("model"),
                {"moves": _TRANSITION, "update_with_oracle_cut_size": _TRANSITION,
                 "incorrect_spans_key": "plait's ner learns no negative spans"}),
    "parser": Rule("parser", _same("model"),
                   {"moves": "transition-system setting of spaCy's parser",
                    "update_with_oracle_cut_size": "transition-system setting of spaCy's parser",
                    "learn_tokens": "plait's parser does not change tokens",
                    "min_action_freq": "transition-system setting of spaCy's parser"}),
    "textcat": Rule("textcat", _same("model"),
                    {"threshold": "plait's exclusive textcat predicts the most probable label"}),
    "textcat_multilabel": Rule("textcat_multilabel", _same("model", "threshold")),
    "transformer": Rule("transformer", _same("model", "max_batch_items", "set_extra_annotations")),
    "entity_ruler": Rule("entity_ruler", _same("overwrite_ents", "phrase_matcher_attr", "validate"),
                         {"ent_id_sep": "plait sets no entity ids"}),
    "attribute_ruler": Rule("attribute_ruler", _same("validate")),
    "span_ruler": Rule("span_ruler", _same("spans_key", "spans_filter", "annotate_ents", "ents_filter",
                                           "phrase_matcher_attr", "overwrite"),
                       {"validate": "plait always validates patterns",
                        "matcher_fuzzy_compare": "plait's FUZZY tests use their own edit distance (Levenshtein, "
                                                 "bounded by the pattern's FUZZY number)"}),
    "spancat": Rule("spancat", _same(*SPANCAT_SETTINGS)),
    "spancat_singlelabel": Rule("spancat_singlelabel", _same(*SPANCAT_SINGLELABEL_SETTINGS)),
    "sentencizer": Rule("sentencizer", _same("punct_chars", "overwrite")),
    "token_splitter": Rule("token_splitter", _same("min_length", "split_length")),
}
