"""Every built-in registered name, in one place: the function behind any string in a config is listed here,
except the tokenizer (registered with the registries: see registries.py) and the component factories, each
registered by `@registry.factories.register(NAME)` beside its class and imported here, one line a component."""
from __future__ import annotations

from plait.core import span_filters, span_getters, suggesters
from plait.core.components.transformer import create_null_annotation_setter
from plait.core.data.corpus import create_corpus
from plait.core.data.raw import create_raw_corpus
from plait.core.registries import registry
from plait.core.training import batchers, loggers, optimizers, schedules
from plait.models import (
    char_embed,
    embed,
    encoders,
    heads,
    listener,
    parser,
    span_categorizer,
    static_vectors,
    textcat,
    tok2vec,
)
from plait.models.transformer import adapter as transformer_adapter
from plait.models.transformer import listener as transformer_listener
from plait.models.transformer import model as transformer_model
from plait.models.transformer import pooling
from plait.objectives.characters import build_pretrain_characters
from plait.objectives.vectors import build_pretrain_vectors


# factories, each registered in its own module (components/NAME.py): one line a component
import plait.core.components.attribute_ruler  # noqa: E402,F401
import plait.core.components.entity_ruler  # noqa: E402,F401
import plait.core.components.lemmatizer  # noqa: E402,F401
import plait.core.components.morphologizer  # noqa: E402,F401
import plait.core.components.ner  # noqa: E402,F401
import plait.core.components.parser  # noqa: E402,F401
import plait.core.components.senter  # noqa: E402,F401
import plait.core.components.sentencizer  # noqa: E402,F401
import plait.core.components.span_ruler  # noqa: E402,F401
import plait.core.components.spancat  # noqa: E402,F401
import plait.core.components.tagger  # noqa: E402,F401
import plait.core.components.textcat  # noqa: E402,F401
import plait.core.components.tok2vec  # noqa: E402,F401
import plait.core.components.token_splitter  # noqa: E402,F401
import plait.core.components.transformer  # noqa: E402,F401

# architectures
registry.architectures.register("plait.Tok2Vec.v1", func=tok2vec.build_tok2vec)
registry.architectures.register("plait.MultiHashEmbed.v1", func=embed.build_multi_hash_embed)
registry.architectures.register("plait.CharacterEmbed.v1", func=char_embed.build_character_embed)
registry.architectures.register("plait.StaticVectors.v1", func=static_vectors.build_static_vectors)
registry.architectures.register("plait.MaxoutWindowEncoder.v1", func=encoders.build_maxout_window_encoder)
registry.architectures.register("plait.MishWindowEncoder.v1", func=encoders.build_mish_window_encoder)
registry.architectures.register("plait.BiLSTMEncoder.v1", func=encoders.build_bilstm_encoder)
registry.architectures.register("plait.Tok2VecListener.v1", func=listener.build_tok2vec_listener)
registry.architectures.register("plait.TransformerModel.v1", func=transformer_model.build_transformer_model)
registry.architectures.register("plait.TransformerModel.v2", func=transformer_model.build_transformer_model_v2)
registry.architectures.register("plait.TransformerListener.v1", func=transformer_listener.build_transformer_listener)
registry.architectures.register("plait.LoraAdapter.v1", func=transformer_adapter.build_lora_adapter)
registry.architectures.register("plait.Tagger.v1", func=heads.build_tagger_model)
registry.architectures.register("plait.EntityTagger.v1", func=heads.build_entity_tagger_model)
registry.architectures.register("plait.BiaffineParser.v1", func=parser.build_biaffine_parser)
registry.architectures.register("plait.BiaffineParser.v2", func=parser.build_biaffine_parser_v2)
registry.architectures.register("plait.BiaffineParser.v3", func=parser.build_biaffine_parser_v3)
registry.architectures.register("plait.SpanCategorizer.v1", func=span_categorizer.build_span_categorizer)
registry.architectures.register("plait.TextClassifier.v1", func=heads.build_text_classifier)
registry.architectures.register("plait.TextCatBOW.v1", func=textcat.build_textcat_bow)
registry.architectures.register("plait.TextCatEnsemble.v1", func=textcat.build_textcat_ensemble)
registry.architectures.register("plait.PretrainCharacters.v1", func=build_pretrain_characters)
registry.architectures.register("plait.PretrainVectors.v1", func=build_pretrain_vectors)

# transformer span getters, pooling layers and annotation setters
registry.span_getters.register("plait.doc_spans.v1", func=span_getters.create_doc_spans)
registry.span_getters.register("plait.sent_spans.v1", func=span_getters.create_sent_spans)
registry.span_getters.register("plait.strided_spans.v1", func=span_getters.create_strided_spans)
registry.layers.register("plait.reduce_mean.v1", func=pooling.build_reduce_mean)
registry.layers.register("plait.reduce_max.v1", func=pooling.build_reduce_max)
registry.layers.register("plait.reduce_sum.v1", func=pooling.build_reduce_sum)
registry.layers.register("plait.reduce_first.v1", func=pooling.build_reduce_first)
registry.layers.register("plait.reduce_last.v1", func=pooling.build_reduce_last)
registry.annotation_setters.register("plait.null_annotation_setter.v1", func=create_null_annotation_setter)

# span suggesters (spancat)
registry.misc.register("plait.ngram_suggester.v1", func=suggesters.build_ngram_suggester)
registry.misc.register("plait.ngram_range_suggester.v1", func=suggesters.build_ngram_range_suggester)
registry.misc.register("plait.preset_spans_suggester.v1", func=suggesters.build_preset_spans_suggester)

# span filters (span_ruler: ents_filter, spans_filter)
registry.misc.register("plait.first_longest_spans_filter.v1", func=span_filters.build_first_longest_spans_filter)
registry.misc.register("plait.prioritize_new_ents_filter.v1", func=span_filters.build_prioritize_new_ents_filter)
registry.misc.register("plait.prioritize_existing_ents_filter.v1",
                       func=span_filters.build_prioritize_existing_ents_filter)

# readers
registry.readers.register("plait.Corpus.v1", func=create_corpus)
registry.readers.register("plait.RawCorpus.v1", func=create_raw_corpus)

# batchers
registry.batchers.register("plait.batch_by_words.v1", func=batchers.batch_by_words)
registry.batchers.register("plait.batch_by_padded.v1", func=batchers.batch_by_padded)

# schedules
registry.schedules.register("plait.constant.v1", func=schedules.constant)
registry.schedules.register("plait.compounding.v1", func=schedules.compounding)
registry.schedules.register("plait.warmup_linear.v1", func=schedules.warmup_linear)
registry.schedules.register("plait.constant_then.v1", func=schedules.constant_then)

# optimizers
registry.optimizers.register("plait.Adam.v1", func=optimizers.adam)

# loggers: [training.logger]
registry.loggers.register("plait.ConsoleLogger.v1", func=loggers.create_console_logger)
registry.loggers.register("plait.JSONLLogger.v1", func=loggers.create_jsonl_logger)
registry.loggers.register("plait.TensorBoardLogger.v1", func=loggers.create_tensorboard_logger)
registry.loggers.register("plait.MLflowLogger.v1", func=loggers.create_mlflow_logger)
registry.loggers.register("plait.WandbLogger.v1", func=loggers.create_wandb_logger)
registry.loggers.register("plait.MultiLogger.v1", func=loggers.create_multi_logger)
