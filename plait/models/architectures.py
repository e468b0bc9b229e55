"""The import path of the architecture builders before they moved beside their classes (user code and `--code`
files import them from here); plait.core.registrations names each builder's own module."""
from plait.models.char_embed import build_character_embed
from plait.models.embed import build_multi_hash_embed
from plait.models.encoders import build_bilstm_encoder, build_maxout_window_encoder, build_mish_window_encoder
from plait.models.heads import build_entity_tagger_model, build_tagger_model, build_text_classifier
from plait.models.listener import build_tok2vec_listener
from plait.models.parser import build_biaffine_parser, build_biaffine_parser_v2
from plait.models.static_vectors import build_static_vectors
from plait.models.textcat import build_textcat_bow, build_textcat_ensemble
from plait.models.tok2vec import build_tok2vec
from plait.models.transformer.listener import build_transformer_listener
from plait.models.transformer.model import build_transformer_model
from plait.models.transformer.pooling import (build_reduce_first, build_reduce_last, build_reduce_max,
                                              build_reduce_mean, build_reduce_sum)

__all__ = [
    "build_bilstm_encoder", "build_biaffine_parser", "build_biaffine_parser_v2", "build_character_embed", "build_entity_tagger_model",
    "build_maxout_window_encoder", "build_mish_window_encoder", "build_multi_hash_embed", "build_reduce_first",
    "build_reduce_last", "build_reduce_max", "build_reduce_mean", "build_reduce_sum", "build_static_vectors",
    "build_tagger_model", "build_text_classifier", "build_textcat_bow", "build_textcat_ensemble", "build_tok2vec",
    "build_tok2vec_listener", "build_transformer_listener", "build_transformer_model",
]
