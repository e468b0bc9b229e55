"""Static vectors as features: trained projection, frozen table, save/load, and refusing another table."""
from pathlib import Path

import numpy as np
import pytest
import torch

import plait
from plait.cli._common import import_code
from plait.core.config import load_config
from plait.core.doc import Doc
from plait.core.errors import ConfigError, ModelLoadError
from plait.core.training.initialize import init_nlp
from plait.core.training.trainer import train_while_improving
from plait.core.vectors.table import Vectors
from plait.models.static_vectors import StaticVectors

gensim = pytest.importorskip("gensim", reason="gensim (the `test` extra) is needed to make a real vectors table")
from gensim.models import Word2Vec

ROOT = Path(__file__).resolve().parents[3]
TRAIN, DEV = ROOT / "examples/data/train/ewt.conllu", ROOT / "examples/data/dev/ewt.conllu"
TEXTS = ["The quick brown fox jumps over the lazy dog in London.", "I would like a refund , please ."]


def conllu_sentences(path: Path) -> list[list[str]]:
    sents, words = [], []
    for line in path.read_text(encoding="utf8").splitlines():
        if not line.strip():
            sents, words = (sents + [words], []) if words else (sents, words)
        elif not line.startswith("#") and line.split("\t")[0].isdigit():
            words.append(line.split("\t")[1])
    return sents + ([words] if words else [])


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory) -> Path:
    """A 16-dimensional Word2Vec table trained on the example training words, saved as a table directory."""
    w2v = Word2Vec(conllu_sentences(TRAIN), vector_size=16, min_count=2, epochs=2, workers=1, seed=1)
    out = tmp_path_factory.mktemp("vectors") / "table"
    Vectors(w2v.wv.vectors.astype(np.float32), w2v.wv.index_to_key, name="ewt_w2v").to_disk(out)
    return out


def setup(table: Path | None, steps: int = 12, **overrides):
    embed = "components.tok2vec.model.embed"
    base = {"paths.train": str(TRAIN), "paths.dev": str(DEV), "training.max_steps": steps,
            "training.eval_frequency": 6, "corpora.dev.limit": 5, "corpora.train.limit": 40,
            "paths.vectors": None if table is None else str(table), f"{embed}.include_static_vectors": True,
            f"{embed}.width": 32, "components.tok2vec.model.encode.width": 32,
            "components.tagger.model.tok2vec.width": 32, "training.optimizer.learn_rate": 0.01}
    config = load_config(ROOT / "examples/configs/shared.cfg", {**base, **overrides}, interpolate=True)
    config["nlp"]["pipeline"] = ["tok2vec", "tagger"]
    config["training"]["score_weights"] = {"tag_acc": 1.0}
    return init_nlp(config)


def static_module(nlp) -> StaticVectors:
    return next(m for m in nlp.get_pipe("tok2vec").model.modules() if isinstance(m, StaticVectors))


def tags(nlp) -> list[list[str]]:
    return [[t.tag_ for t in doc] for doc in nlp.pipe(TEXTS)]


def other_table(table: Vectors) -> Vectors:
    data = np.asarray(table.data) + 1.0
    return Vectors(data.astype(np.float32), table.words, name="shifted")


def test_trains_saves_loads_and_predicts_the_same(tmp_path, table_dir):
    nlp, plan = setup(table_dir, steps=30, **{"training.eval_frequency": 10})
    assert nlp.vocab.vectors.name == "ewt_w2v"
    losses = [p.losses["tagger"] for p in train_while_improving(nlp, plan) if p.scores]
    assert losses[-1] < losses[0]
    before = tags(nlp)
    nlp.to_disk(tmp_path / "p")
    assert not any("vectors" in f.name for f in (tmp_path / "p" / "tok2vec").iterdir())  # the table is saved once
    loaded = plait.load(tmp_path / "p")
    assert loaded.meta["vectors"]["fingerprint"] == nlp.vocab.vectors.fingerprint()
    assert static_module(loaded).fingerprint == nlp.vocab.vectors.fingerprint()
    assert tags(loaded) == before


def test_table_gets_no_gradient(table_dir):
    nlp, plan = setup(table_dir)
    module = static_module(nlp)
    projection = module.projection.weight.detach().clone()
    nlp("warm the cache up")
    table = module._table
    values = table.clone()
    assert not table.requires_grad
    assert all(p is not table and p.data_ptr() != table.data_ptr() for p in nlp.get_pipe("tok2vec").model.parameters())
    assert all(v.shape != table.shape for v in nlp.get_pipe("tok2vec").model.state_dict().values())
    assert not [k for k in module.state_dict() if k != "projection.weight"]
    for _ in train_while_improving(nlp, plan):
        pass
    assert torch.equal(module._table, values)
    assert not torch.equal(module.projection.weight.detach(), projection)  # the projection does learn


def test_refuses_another_table(tmp_path, table_dir):
    nlp, _ = setup(table_dir)
    nlp.to_disk(tmp_path / "p")
    trained = nlp.vocab.vectors.fingerprint()
    nlp.vocab.vectors = other_table(nlp.vocab.vectors)
    with pytest.raises(ValueError, match=f"'ewt_w2v' \\(fingerprint {trained}\\).*'shifted'"):
        nlp(TEXTS[0])
    with pytest.raises(ValueError, match="trained with"):
        nlp.to_disk(tmp_path / "q")
    other_table(Vectors.from_disk(table_dir)).to_disk(tmp_path / "p" / "vectors")
    with pytest.raises(ModelLoadError, match="not the table the pipeline was saved with"):
        plait.load(tmp_path / "p")


def test_set_vectors_binds_every_model_and_checks_the_fingerprint(table_dir):
    nlp, _ = setup(table_dir)
    fresh = plait.Language.from_config(nlp.config)  # its models have never seen a table
    table = Vectors.from_disk(table_dir)
    with pytest.raises(ValueError, match="not the table the pipeline was saved with"):
        fresh.set_vectors(other_table(table), fingerprint=table.fingerprint())
    fresh.set_vectors(table)
    assert fresh.vocab.vectors is table and static_module(fresh).fingerprint == table.fingerprint()
    with fresh.select_pipes(enable=["tok2vec"]):  # the tagger has no labels: it was never initialized
        assert len(fresh(TEXTS[0])) == 12  # the vectors need no other step
    with pytest.raises(ValueError, match="trained with"):
        fresh.set_vectors(other_table(table))


def test_replace_listeners_copies_the_model_not_the_table(table_dir):
    nlp, _ = setup(table_dir)
    before = tags(nlp)
    nlp.replace_listeners("tok2vec", "tagger")
    copy = next(m for m in nlp.get_pipe("tagger").model.modules() if isinstance(m, StaticVectors))
    assert copy._table is None and copy.fingerprint == nlp.vocab.vectors.fingerprint()
    assert tags(nlp) == before


def test_missing_or_wrong_table_is_a_config_error(tmp_path, table_dir):
    with pytest.raises(ConfigError, match="initialize.vectors: .*no static vectors table"):
        setup(None)
    with pytest.raises(ConfigError, match="initialize.vectors: .*does not exist"):
        setup(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="initialize.vectors: .*not a pipeline or vectors table"):
        setup(tmp_path / "empty")


@pytest.mark.parametrize("embed", [
    {"@architectures": "plait.StaticVectors.v1", "width": 32},
    {"@architectures": "plait.CharacterEmbed.v1", "width": 32, "rows": 500, "n_chars": 6, "char_width": 8,
     "feature": "NORM", "include_static_vectors": True},
])
def test_static_vectors_alone_and_with_characters(table_dir, embed):
    nlp, plan = setup(table_dir, steps=20, **{"components.tok2vec.model.embed": embed, "training.eval_frequency": 10})
    losses = [p.losses["tagger"] for p in train_while_improving(nlp, plan) if p.scores]
    assert static_module(nlp).projection.in_features == 16 and losses[-1] < losses[0]


def test_custom_embedding_example_trains(tmp_path, table_dir):
    import_code(ROOT / "examples/custom_embedding.py")  # as `plait train --code` does
    embed = {"@architectures": "custom.StaticPlusOrth.v1", "width": 32, "rows": 500}
    nlp, plan = setup(table_dir, steps=20, **{"components.tok2vec.model.embed": embed, "training.eval_frequency": 10})
    model = nlp.get_pipe("tok2vec").model.embed
    table = nlp.vocab.vectors
    doc = Doc(nlp.vocab, [table.words[3], table.words[600], "qwertyuiop"])
    assert model.ids.gather([doc]).tolist() == [3, 499, 499]
    losses = [p.losses["tagger"] for p in train_while_improving(nlp, plan) if p.scores]
    assert losses[-1] < losses[0]
    nlp.to_disk(tmp_path / "p")
    assert tags(plait.load(tmp_path / "p")) == tags(nlp)
