"""Config system: generated configs resolve; every mistake names its dotted path."""
import pytest
from confection import Config

from plait.core.config import (
    apply_overrides,
    fill_config,
    interpolate_config,
    parse_override_args,
    validate_config,
)
from plait.core.config_text import commented
from plait.core.errors import ConfigError
from plait.core.init_config import init_config
from plait.core.pipeline import Language


@pytest.fixture(scope="module")
def full():
    return interpolate_config(init_config(lang="en", pipeline=["tagger", "ner"]))


def _problems(config):
    with pytest.raises(ConfigError) as err:
        validate_config(config)
    return str(err.value).splitlines()


def test_generated_config_validates_and_builds(full):
    validate_config(full)
    nlp = Language.from_config(full)
    assert nlp.pipe_names == ["tok2vec", "tagger", "ner"]
    assert len(nlp.get_pipe("tok2vec").listeners) == 2


def test_every_setting_has_a_comment():
    text = commented(init_config(lang="en", pipeline=["tagger", "ner"]))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), f"no comment above {line!r}"


def test_missing_required_key_names_dotted_path(full):
    bad = Config(full).copy()
    del bad["components"]["ner"]["model"]["hidden_width"]
    del bad["training"]["dropout"]
    problems = _problems(bad)
    assert any(p.startswith("training.dropout: missing") for p in problems)
    # hidden_width has a default in the function, so it is filled rather than required: a required one
    del bad["components"]["tok2vec"]["model"]["encode"]["width"]
    assert any(p.startswith("components.tok2vec.model.encode.width: missing required") for p in _problems(bad))


def test_unknown_key_suggests_the_right_one(full):
    bad = Config(full).copy()
    bad["training"]["dropuot"] = 0.2
    bad["components"]["ner"]["model"]["hiden_width"] = 3
    problems = _problems(bad)
    assert "training.dropuot: unknown setting (did you mean 'dropout'?)" in problems
    assert any(p.startswith("components.ner.model.hiden_width: unknown setting") and "hidden_width" in p
               for p in problems)


def test_wrong_type_and_unknown_function(full):
    bad = Config(full).copy()
    bad["components"]["tok2vec"]["model"]["encode"]["depth"] = "four"
    bad["components"]["tagger"]["model"]["@architectures"] = "plait.Tager.v1"
    problems = _problems(bad)
    assert any(p.startswith("components.tok2vec.model.encode.depth: input should be a valid integer") for p in problems)
    assert any(p.startswith("components.tagger.model.@architectures: no architectures function named "
                            "'plait.Tager.v1' (did you mean 'plait.Tagger.v1'?)") for p in problems)


def test_overrides_are_typed_and_checked(full):
    overrides = parse_override_args(["--training.max_steps", "10", "--training.dropout=0.3",
                                     "--nlp.pipeline", '["tagger"]', "--paths.train", "corpus/train.conllu",
                                     "--training.mixed_precision"])
    assert overrides == {"training.max_steps": 10, "training.dropout": 0.3, "nlp.pipeline": ["tagger"],
                         "paths.train": "corpus/train.conllu", "training.mixed_precision": True}
    config = apply_overrides(init_config(lang="en", pipeline=["tagger"]), {"paths.train": "x.conllu"})
    assert interpolate_config(config)["corpora"]["train"]["path"] == "x.conllu"
    with pytest.raises(ConfigError, match=r"no section \[trainig\].*did you mean 'training'"):
        apply_overrides(config, {"trainig.max_steps": 1})


def test_fill_config_adds_defaults_to_a_minimal_config():
    minimal = Config().from_str("""
[nlp]
lang = "en"
pipeline = ["token_splitter"]

[components]

[components.token_splitter]
factory = "token_splitter"
""")
    filled = interpolate_config(fill_config(minimal))
    validate_config(filled)
    assert filled["components"]["token_splitter"]["min_length"] == 25
    assert filled["training"]["optimizer"]["@optimizers"] == "plait.Adam.v1"
