"""The memory estimate of issue 39: exact weight counts for the built-in architectures, computed from the
settings alone, and one refusal, naming the setting, wherever a model is built."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from plait.core.config import load_config, resolve_block, validate_config
from plait.core.errors import ConfigError
from plait.core.model_memory import check_fits, estimate, total_memory
from plait.core.pipeline import Language

ROOT = Path(__file__).resolve().parents[2]

LISTENER = {"@architectures": "plait.Tok2VecListener.v1", "width": 24}
BLOCKS = {
    "multi hash embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": 16, "attrs": ["NORM", "PREFIX"],
                         "rows": [100, 50]},
    "character embed": {"@architectures": "plait.CharacterEmbed.v1", "width": 16, "rows": 100, "n_chars": 4,
                        "char_width": 8, "feature": "NORM"},
    "maxout encoder": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": 16, "depth": 3, "window_size": 2,
                       "maxout_pieces": 3},
    "mish encoder": {"@architectures": "plait.MishWindowEncoder.v1", "width": 16, "depth": 2, "window_size": 1},
    "bilstm encoder": {"@architectures": "plait.BiLSTMEncoder.v1", "width": 16, "depth": 3},
    "entity tagger": {"@architectures": "plait.EntityTagger.v1", "tok2vec": LISTENER, "hidden_width": 32,
                      "maxout_pieces": 2},
    "parser v1": {"@architectures": "plait.BiaffineParser.v1", "tok2vec": LISTENER, "arc_width": 32, "label_width": 8},
    "parser v2": {"@architectures": "plait.BiaffineParser.v2", "tok2vec": LISTENER, "context_width": 16,
                  "arc_width": 32, "label_width": 8},
    "parser v3": {"@architectures": "plait.BiaffineParser.v3", "tok2vec": LISTENER, "context_width": 16,
                  "context_depth": 3, "arc_width": 32, "label_width": 8},
}


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_the_estimate_counts_the_weights_the_builder_makes(name):
    block = BLOCKS[name]
    model = resolve_block(dict(block), "model")
    assert estimate(block, "model").params == sum(p.numel() for p in model.parameters())


def test_the_estimate_of_a_tok2vec_is_its_embed_and_encoder():
    block = {"@architectures": "plait.Tok2Vec.v1", "embed": BLOCKS["multi hash embed"],
             "encode": BLOCKS["maxout encoder"]}
    found = estimate(block, "model")
    assert found.params == sum(p.numel() for p in resolve_block(dict(block), "model").parameters())
    assert found.width == 16 and [p.path for p in found.parts] == ["model.embed", "model.encode", "model"]


def test_the_refusal_names_the_setting_to_blame():
    rows = total_memory() // 16 + 1  # 16 floats of 4 bytes per row: more than the machine holds
    block = {**BLOCKS["multi hash embed"], "rows": [rows, 50]}
    with pytest.raises(ConfigError, match=r"^components.x.model.rows: the model would need about .* memory"):
        check_fits({"model": block}, "components.x")


def test_from_config_refuses_before_building():
    config = load_config(ROOT / "examples/configs/shared.cfg", {"components.tok2vec.model.encode.width": 10**9},
                         interpolate=True)
    with pytest.raises(ConfigError, match=r"^components.tok2vec.model.encode.width: the model would need"):
        Language.from_config(config)


def test_add_pipe_refuses_before_building():
    nlp = Language.blank("en")
    huge = {"model": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": 10**9, "depth": 4,
                      "window_size": 1, "maxout_pieces": 3}}
    with pytest.raises(ConfigError, match=r"^components.tagger.model.tok2vec.encode.width: the model would need"):
        nlp.add_pipe("tagger", config={"model": {"@architectures": "plait.Tagger.v1", "tok2vec": {
            "@architectures": "plait.Tok2Vec.v1", "embed": {**BLOCKS["multi hash embed"], "width": 10**9},
            "encode": huge["model"]}}})
    assert nlp.pipe_names == []


@pytest.mark.parametrize("key, value", [
    ("components.tok2vec.model.encode.depth", 101), ("components.tok2vec.model.encode.window_size", 33),
    ("components.tok2vec.model.encode.maxout_pieces", 17), ("components.ner.model.maxout_pieces", 17),
    ("components.tok2vec.model.embed.rows", [2**32 + 1, 10, 10, 10]), ("training.seed", 2**32),
    ("system.seed", 2**32)])
def test_settings_with_a_natural_bound_are_refused_past_it(key, value):
    config = load_config(ROOT / "examples/configs/shared.cfg", {key: value}, interpolate=True)
    with pytest.raises(ConfigError, match=rf"(^|\n){re.escape(key)}(\.0)?: input should be less than"):
        validate_config(config)
