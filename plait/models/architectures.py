"""Typed builders behind the registered architecture names; each takes sub-modules and plain settings."""
from __future__ import annotations

from typing import Any, Callable, Iterator

from torch import nn

from plait.models.char_embed import CharacterEmbed
from plait.models.embed import MultiHashEmbed
from plait.models.encoders import BiLSTMEncoder, WindowEncoder
from plait.models.heads import TextClassifier, TokenClassifier
from plait.models.parser import BiaffineParser
from plait.models.listener import Listener
from plait.models.settings import LexicalAttr, NonNegativeInt, Pieces, PositiveInt, Rate
from plait.models.pooling import ReduceFirst, ReduceLast, ReduceMax, ReduceMean, ReduceSum
from plait.models.static_vectors import StaticVectors, StaticVectorsEmbed
from plait.models.textcat import TextCatBOW, TextCatEnsemble
from plait.models.tok2vec import Tok2Vec
from plait.models.transformer import TransformerModel
from plait.models.transformer_listener import TransformerListener


def build_tok2vec(*, embed: nn.Module, encode: nn.Module) -> Tok2Vec:
    """`plait.Tok2Vec.v1`: an embedding then a context encoder, docs -> (batch, tokens, width)."""
    widths = getattr(embed, "width", None), getattr(encode, "width", None)
    if None not in widths and widths[0] != widths[1]:
        raise ValueError(f"embed.width {widths[0]} must equal encode.width {widths[1]} (the encoder reads the "
                         f"embedding's rows)")
    return Tok2Vec(embed=embed, encode=encode)


def build_multi_hash_embed(*, width: PositiveInt, attrs: list[LexicalAttr], rows: list[PositiveInt],
                           include_static_vectors: bool = False) -> MultiHashEmbed:
    """`plait.MultiHashEmbed.v1`: hashed embeddings of `attrs` (one table of `rows` each), mixed to `width`.

    With `include_static_vectors`, the vocab's static vectors table is projected and concatenated too
    (never updated).
    """
    static = StaticVectors(width) if include_static_vectors else None
    return MultiHashEmbed(width=width, attrs=[a.upper() for a in attrs], rows=rows, static_vectors=static)


def build_character_embed(*, width: PositiveInt, rows: PositiveInt, n_chars: PositiveInt, char_width: PositiveInt,
                          feature: LexicalAttr = "NORM",
                          include_static_vectors: bool = False) -> CharacterEmbed:
    """`plait.CharacterEmbed.v1`: the first and last `n_chars // 2` characters of each token, plus a hashed `feature`.

    Useful where words are rare or noisy (social media, morphology-rich languages). With
    `include_static_vectors`, the vocab's static vectors (projected to `width`) are mixed in too.
    """
    static = StaticVectors(width) if include_static_vectors else None
    return CharacterEmbed(width=width, rows=rows, n_chars=n_chars, char_width=char_width, feature=feature.upper(),
                          static_vectors=static)


def build_static_vectors(*, width: PositiveInt) -> StaticVectorsEmbed:
    """`plait.StaticVectors.v1`: the vocab's static vectors projected to `width` (only the projection is trained).

    Usable as a Tok2Vec `embed` on its own; the table comes from `[initialize] vectors`.
    """
    return StaticVectorsEmbed(width=width)


def build_maxout_window_encoder(*, width: PositiveInt, depth: PositiveInt, window_size: NonNegativeInt,
                                maxout_pieces: Pieces) -> WindowEncoder:
    """`plait.MaxoutWindowEncoder.v1`: residual CNN blocks with maxout; efficiency defaults 96/4/1/3."""
    return WindowEncoder(width=width, depth=depth, window_size=window_size, maxout_pieces=maxout_pieces)


def build_mish_window_encoder(*, width: PositiveInt, depth: PositiveInt, window_size: NonNegativeInt) -> WindowEncoder:
    """`plait.MishWindowEncoder.v1`: residual CNN blocks with the mish nonlinearity."""
    return WindowEncoder(width=width, depth=depth, window_size=window_size, maxout_pieces=1)


def build_bilstm_encoder(*, width: PositiveInt, depth: PositiveInt, dropout: Rate = 0.0) -> BiLSTMEncoder:
    """`plait.BiLSTMEncoder.v1`: a bidirectional LSTM; slower than the CNNs, sometimes more accurate."""
    return BiLSTMEncoder(width=width, depth=depth, dropout=dropout)


def build_tok2vec_listener(*, width: PositiveInt, upstream: str = "*") -> Listener:
    """`plait.Tok2VecListener.v1`: reads the output of the shared encoder component named `upstream`."""
    return Listener(width=width, upstream=upstream)


def build_transformer_model(*, name: str, get_spans: Callable, tokenizer_config: dict[str, Any] | None = None,
                            transformer_config: dict[str, Any] | None = None, mixed_precision: bool = False,
                            grad_scaler_config: dict[str, Any] | None = None,
                            overlong: str = "split") -> TransformerModel:
    """`plait.TransformerModel.v1`: a HuggingFace encoder (`name`: local directory or cached model name).

    `tokenizer_config` and `transformer_config` are passed to AutoTokenizer / AutoModel `from_pretrained`;
    `mixed_precision` runs the transformer under autocast (bf16 on CPU, fp16 on GPU, where
    `grad_scaler_config` sets up torch's GradScaler); a span longer than the model's limit is cut into
    overlapping windows (`overlong = "split"`) or is an error naming the doc (`"error"`).
    """
    return TransformerModel(name=name, get_spans=get_spans, tokenizer_config=tokenizer_config or {},
                            transformer_config=transformer_config or {}, mixed_precision=mixed_precision,
                            grad_scaler_config=grad_scaler_config or {}, overlong=overlong)


def build_transformer_listener(*, pooling: nn.Module, grad_factor: float | Iterator[float] = 1.0,
                               upstream: str = "*") -> TransformerListener:
    """`plait.TransformerListener.v1`: token vectors pooled from the shared transformer's wordpiece rows.

    `grad_factor` scales the gradient sent back to the transformer (0: never fine-tune it from this head);
    it may be a schedule, e.g. `plait.constant_then.v1` with rate 0 to freeze it for the first steps.
    """
    return TransformerListener(pooling=pooling, grad_factor=grad_factor, upstream=upstream)


def build_reduce_mean() -> ReduceMean:
    """`plait.reduce_mean.v1`: a token's vector is the mean of its wordpiece rows."""
    return ReduceMean()


def build_reduce_max() -> ReduceMax:
    """`plait.reduce_max.v1`: the element-wise max of a token's wordpiece rows."""
    return ReduceMax()


def build_reduce_sum() -> ReduceSum:
    """`plait.reduce_sum.v1`: the sum of a token's wordpiece rows."""
    return ReduceSum()


def build_reduce_first() -> ReduceFirst:
    """`plait.reduce_first.v1`: a token's first wordpiece row."""
    return ReduceFirst()


def build_reduce_last() -> ReduceLast:
    """`plait.reduce_last.v1`: a token's last wordpiece row."""
    return ReduceLast()


def _width_of(tok2vec: nn.Module) -> int | None:
    """The tok2vec's output width; None for a transformer listener, whose width is known once the model loads."""
    if isinstance(tok2vec, TransformerListener):
        return None
    width = getattr(tok2vec, "width", None)
    if not isinstance(width, int):
        raise ValueError("the tok2vec module must expose its output `width`")
    return width


def build_tagger_model(*, tok2vec: nn.Module, dropout: Rate = 0.1) -> TokenClassifier:
    """`plait.Tagger.v1`: a linear layer over the token vectors, one score per tag."""
    return TokenClassifier(tok2vec=tok2vec, width=_width_of(tok2vec), dropout=dropout)


def build_entity_tagger_model(*, tok2vec: nn.Module, hidden_width: PositiveInt = 64, maxout_pieces: PositiveInt = 2,
                              dropout: Rate = 0.1) -> TokenClassifier:
    """`plait.EntityTagger.v1`: a maxout hidden layer then BILUO tag scores (decoded with constraints)."""
    return TokenClassifier(tok2vec=tok2vec, width=_width_of(tok2vec), hidden_width=hidden_width,
                           maxout_pieces=maxout_pieces, dropout=dropout)


def build_biaffine_parser(*, tok2vec: nn.Module, arc_width: PositiveInt = 256, label_width: PositiveInt = 64,
                          dropout: Rate = 0.1) -> BiaffineParser:
    """`plait.BiaffineParser.v1`: biaffine arc and label scores over MLP projections of the token vectors."""
    return BiaffineParser(tok2vec=tok2vec, width=_width_of(tok2vec), arc_width=arc_width, label_width=label_width,
                          dropout=dropout)


def build_biaffine_parser_v2(*, tok2vec: nn.Module, context_width: PositiveInt = 256, arc_width: PositiveInt = 256,
                             label_width: PositiveInt = 64, dropout: Rate = 0.1) -> BiaffineParser:
    """`plait.BiaffineParser.v2`: as v1, with a BiLSTM of `context_width` (half per direction) over each sentence
    of the token vectors first, its output beside them."""
    if context_width % 2:
        raise ValueError("context_width must be even (half per direction)")
    return BiaffineParser(tok2vec=tok2vec, width=_width_of(tok2vec), arc_width=arc_width, label_width=label_width,
                          context_width=context_width, dropout=dropout)


def build_text_classifier(*, tok2vec: nn.Module, dropout: Rate = 0.1) -> TextClassifier:
    """`plait.TextClassifier.v1`: mean and max pooled token vectors, then a linear layer."""
    _width_of(tok2vec)
    return TextClassifier(tok2vec=tok2vec, dropout=dropout)


def build_textcat_bow(*, ngram_size: PositiveInt, length: PositiveInt, exclusive_classes: bool) -> TextCatBOW:
    """`plait.TextCatBOW.v1`: a linear model over hashed lowercased n-grams (n up to `ngram_size`), no tok2vec.

    `length` is the number of hash rows (2**18 suits most corpora); `exclusive_classes` must match the
    component: true for textcat, false for textcat_multilabel.
    """
    return TextCatBOW(ngram_size=ngram_size, length=length, exclusive_classes=exclusive_classes)


def build_textcat_ensemble(*, tok2vec: nn.Module, linear_model: nn.Module) -> TextCatEnsemble:
    """`plait.TextCatEnsemble.v1`: pooled tok2vec scores (as TextClassifier.v1) plus a linear model's scores."""
    _width_of(tok2vec)
    return TextCatEnsemble(neural=TextClassifier(tok2vec=tok2vec), linear=linear_model)
