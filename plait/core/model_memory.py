"""The memory a config's models would take, estimated from their settings before any of them is built.

A width of 10^9, hash tables of 10^12 rows or an encoder 10^6 layers deep would otherwise be found out only
when PyTorch fails to allocate (or the machine starts swapping); `check_fits` refuses them in one line naming
the setting. The counts follow each builder's layers closely enough to tell 100 MB from 100 GB; layers sized
by the data (output layers, static vector projections, a transformer's weights) are left out.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

from plait.core.errors import ConfigError

FLOAT_BYTES = 4
CHAR_ROWS = 4096  # CharacterEmbed's rows per character position
MAXOUT_MIX_PIECES = 3  # the embeds' mixing layer
PARSER_DISTANCES = 41  # the biaffine parser's distance biases (models/parser.py: 2 * MAX_DISTANCE + 1)


@dataclass
class Part:
    """One architecture block: its own weights and activations per token (sub-blocks not counted)."""

    path: str
    block: dict
    params: int
    per_token: int


@dataclass
class Estimate:
    """A block's weights and the activations one token keeps for the backward pass, both in float32 values,
    with the blocks they come from; `width` is the block's output width per token when it is known."""

    params: int = 0
    per_token: int = 0
    width: int | None = None
    parts: list[Part] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        """Weights plus the activations of a batch of one token."""
        return (self.params + self.per_token) * FLOAT_BYTES


def estimate(block: dict, path: str) -> Estimate:
    """The estimate of a config block and everything under it; unknown architectures count their sub-blocks."""
    total = Estimate()
    inputs: dict[str, Estimate] = {}
    for key, value in block.items():
        if isinstance(value, dict):
            inputs[key] = sub = estimate(value, f"{path}.{key}")
            total.params += sub.params
            total.per_token += sub.per_token
            total.parts += sub.parts
    formula = _FORMULAS.get(str(block.get("@architectures")))
    if formula is not None:
        params, per_token, total.width = formula(_Settings(block), inputs)
        total.params += params
        total.per_token += per_token
        total.parts.append(Part(path, block, params, per_token))
    return total


def check_fits(block: dict, path: str) -> Estimate:
    """The block's estimate; ConfigError naming the setting most to blame when it exceeds the machine's memory."""
    found = estimate(block, path)
    available = total_memory()
    if found.bytes > available:
        key = _blame(max(found.parts, key=lambda part: part.params + part.per_token))
        raise ConfigError(f"{key}: the model would need about {format_bytes(found.bytes)} of memory "
                          f"({found.params:.3g} weights), more than this machine's {format_bytes(available)}")
    return found


def total_memory() -> int:
    """The machine's total RAM in bytes (psutil when installed, else sysconf)."""
    try:
        import psutil
    except ImportError:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return int(psutil.virtual_memory().total)


def format_bytes(n: float) -> str:
    """`n` bytes in the largest unit that keeps a number of at least 1 (B, KB, MB, GB, TB, PB)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000:
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} PB"


def _blame(part: Part) -> str:
    """The dotted key of the setting of `part` whose reduction to 1 shrinks its estimate the most."""
    formula = _FORMULAS[str(part.block["@architectures"])]
    inputs = {key: estimate(value, f"{part.path}.{key}") for key, value in part.block.items()
              if isinstance(value, dict)}
    best, saved = part.path, 0
    for key, value in part.block.items():
        if isinstance(value, int) and not isinstance(value, bool) and value > 1:
            smaller: Any = 1
        elif isinstance(value, list) and any(isinstance(v, int) and v > 1 for v in value):
            smaller = [1] * len(value)
        else:
            continue
        params, per_token, _ = formula(_Settings({**part.block, key: smaller}), inputs)
        if part.params + part.per_token - params - per_token > saved:
            best, saved = f"{part.path}.{key}", part.params + part.per_token - params - per_token
    return best


class _Settings:
    """A block's settings read leniently: a value of the wrong type (reported by validation) counts as 1."""

    def __init__(self, block: dict) -> None:
        self.block = block

    def int(self, key: str, default: int = 1) -> int:
        value = self.block.get(key, default)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 1

    def ints(self, key: str) -> list[int]:
        value = self.block.get(key)
        return [v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else 1
                for v in (value if isinstance(value, list) else [])]


Formula = Callable[[_Settings, dict[str, Estimate]], tuple[int, int, "int | None"]]


def _maxout(n_in: int, n_out: int, pieces: int) -> int:
    return (n_in + 1) * n_out * pieces


def _lstm(n_in: int, hidden: int, depth: int) -> int:
    """A bidirectional LSTM: four gates per direction, each layer after the first reading both directions."""
    first = 4 * hidden * (n_in + hidden + 2)
    rest = 4 * hidden * (2 * hidden + hidden + 2)
    return 2 * (first + max(depth - 1, 0) * rest)


def _input_width(inputs: dict[str, Estimate]) -> int:
    found = inputs.get("tok2vec")
    return found.width if found is not None and found.width else 0


def _multi_hash_embed(s: _Settings, _: dict[str, Estimate]) -> tuple[int, int, int]:
    width, rows = s.int("width"), s.ints("rows")
    n_in = width * (len(rows) + (1 if s.block.get("include_static_vectors") is True else 0))
    return sum(rows) * width + _maxout(n_in, width, MAXOUT_MIX_PIECES) + 2 * width, n_in + 4 * width, width


def _character_embed(s: _Settings, _: dict[str, Estimate]) -> tuple[int, int, int]:
    width, n_chars, char_width = s.int("width"), s.int("n_chars"), s.int("char_width")
    n_in = width + n_chars * char_width
    params = s.int("rows") * width + CHAR_ROWS * n_chars * char_width + _maxout(n_in, width, MAXOUT_MIX_PIECES)
    return params + 2 * width, n_in + 4 * width, width


def _window_encoder(pieces: Callable[[_Settings], int]) -> Formula:
    def formula(s: _Settings, _: dict[str, Estimate]) -> tuple[int, int, int]:
        width, depth, window = s.int("width"), s.int("depth"), s.int("window_size")
        n_in = width * (2 * window + 1)
        layer = _maxout(n_in, width, pieces(s)) + 2 * width
        return depth * layer, depth * (n_in + width * pieces(s) + 2 * width), width
    return formula


def _bilstm_encoder(s: _Settings, _: dict[str, Estimate]) -> tuple[int, int, int]:
    width, depth = s.int("width"), s.int("depth")
    return _lstm(width, width // 2, depth), depth * 6 * width, width


def _tok2vec(_: _Settings, inputs: dict[str, Estimate]) -> tuple[int, int, int | None]:
    encode = inputs.get("encode")
    return 0, 0, encode.width if encode is not None else None


def _listener(s: _Settings, _: dict[str, Estimate]) -> tuple[int, int, int]:
    return 0, 0, s.int("width")


def _entity_tagger(s: _Settings, inputs: dict[str, Estimate]) -> tuple[int, int, None]:
    hidden, pieces = s.int("hidden_width", 64), s.int("maxout_pieces", 2)
    return _maxout(_input_width(inputs), hidden, pieces), hidden * pieces, None


def _span_categorizer(s: _Settings, inputs: dict[str, Estimate]) -> tuple[int, int, None]:
    """Width embeddings and the maxout layer over first, last, mean and max token vectors and the width; per
    token, one suggested span's features and hidden units (a suggester proposes a few spans a token)."""
    hidden, pieces, embed = s.int("hidden_width", 128), s.int("maxout_pieces", 2), s.int("width_embedding", 16)
    n_in = 4 * _input_width(inputs) + embed
    params = (s.int("max_width", 16) + 1) * embed + _maxout(n_in, hidden, pieces) + 2 * hidden
    return params, n_in + hidden * (pieces + 1), None


def _biaffine_parser(s: _Settings, inputs: dict[str, Estimate]) -> tuple[int, int, None]:
    width = _input_width(inputs)
    arc, label = s.int("arc_width", 256), s.int("label_width", 64)
    context = s.int("context_width", 256) if "plait.BiaffineParser.v1" != s.block.get("@architectures") else 0
    depth = s.int("context_depth", 1)
    params = arc * arc + 2 * arc + 1 + PARSER_DISTANCES + (width + context + 1) * 2 * (arc + label) + 2 * (width + 1)
    if context:
        params += _lstm(width, context // 2, depth)
    return params, 2 * (arc + label) + context * (depth * 5 + 1), None


def _textcat_bow(s: _Settings, _: dict[str, Estimate]) -> tuple[int, int, None]:
    return s.int("length"), s.int("ngram_size"), None  # one column per label: at least one


def _pretrain_head(s: _Settings, _: dict[str, Estimate]) -> tuple[int, int, None]:
    hidden, pieces = s.int("hidden_size", 300), s.int("maxout_pieces", 3)
    return _maxout(hidden, hidden, pieces), hidden * (pieces + 2), None


_FORMULAS: dict[str, Formula] = {
    "plait.MultiHashEmbed.v1": _multi_hash_embed,
    "plait.CharacterEmbed.v1": _character_embed,
    "plait.StaticVectors.v1": _listener,  # projects the vectors table: sized by the data
    "plait.MaxoutWindowEncoder.v1": _window_encoder(lambda s: s.int("maxout_pieces")),
    "plait.MishWindowEncoder.v1": _window_encoder(lambda s: 1),
    "plait.BiLSTMEncoder.v1": _bilstm_encoder,
    "plait.Tok2Vec.v1": _tok2vec,
    "plait.Tok2VecListener.v1": _listener,
    "plait.EntityTagger.v1": _entity_tagger,
    "plait.BiaffineParser.v1": _biaffine_parser,
    "plait.BiaffineParser.v2": _biaffine_parser,
    "plait.BiaffineParser.v3": _biaffine_parser,
    "plait.SpanCategorizer.v1": _span_categorizer,
    "plait.TextCatBOW.v1": _textcat_bow,
    "plait.PretrainCharacters.v1": _pretrain_head,
    "plait.PretrainVectors.v1": _pretrain_head,
}
