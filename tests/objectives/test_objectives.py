"""Pretraining objectives: input corruption, targets, and both objectives learning from real raw text."""
from pathlib import Path

import numpy as np
import pytest
import torch

from plait.core.config import fill_config, load_config
from plait.core.errors import ConfigError
from plait.core.init_config import init_config
from plait.core.pipeline import Language
from plait.core.training.pretrain import init_pretraining, pretrain
from plait.core.vectors.table import Vectors
from plait.objectives.characters import edge_bytes
from plait.objectives.corruption import MASK, corrupt

ROOT = Path(__file__).resolve().parents[2]
WIKITEXT = ROOT / "tests/fixtures/wikitext-2-sample.txt"
SMALL = {"components.tok2vec.model.embed.width": 32, "components.tok2vec.model.embed.rows": [2000, 500, 500, 500],
         "components.tok2vec.model.encode.width": 32, "components.tok2vec.model.encode.depth": 2,
         "components.tagger.model.tok2vec.width": 32, "pretraining.objective.hidden_size": 64,
         "pretraining.batcher.size": 120, "pretraining.optimizer.learn_rate": 0.003}


def small_config(tmp_path: Path, objective: str, **overrides):
    """The tagger pipeline init-config writes, with pretraining defaults, shrunk so that a run takes a second."""
    path = tmp_path / "config.cfg"
    path.write_text(init_config(lang="en", pipeline=["tagger"], pretraining=True).to_str(), encoding="utf8")
    settings = {**SMALL, "paths.raw": str(WIKITEXT), "pretraining.objective": {"@architectures": objective},
                **overrides}
    return fill_config(load_config(path, settings)).interpolate()


def epoch_losses(config, epochs: int) -> list[float]:
    config["pretraining"]["max_epochs"] = epochs
    nlp, module, objective, plan = init_pretraining(config)
    totals: dict[int, list[float]] = {}
    for progress in pretrain(nlp, module, objective, plan):
        totals.setdefault(progress.epoch, []).append(progress.loss)
    return [sum(v) / len(v) for _, v in sorted(totals.items())]


def test_characters_loss_decreases_on_real_text(tmp_path):
    losses = epoch_losses(small_config(tmp_path, "plait.PretrainCharacters.v1"), 6)
    assert losses[-1] < 0.75 * losses[0], losses


@pytest.fixture(scope="module")
def vectors_dir(tmp_path_factory) -> Path:
    """Real Word2Vec vectors (Gensim) of the same raw text, as a table directory."""
    gensim = pytest.importorskip("gensim", reason="gensim (the `test` extra) is needed to make real vectors")
    lines = [line.split() for line in WIKITEXT.read_text(encoding="utf8").splitlines() if line.strip()]
    w2v = gensim.models.Word2Vec(lines, vector_size=16, min_count=1, epochs=5, workers=1, seed=1)
    out = tmp_path_factory.mktemp("vectors") / "table"
    Vectors(w2v.wv.vectors.astype(np.float32), w2v.wv.index_to_key, name="wikitext_w2v").to_disk(out)
    return out


@pytest.mark.parametrize("loss", ["cosine", "L2"])
def test_vectors_loss_decreases_on_real_text(tmp_path, vectors_dir, loss):
    config = small_config(tmp_path, "plait.PretrainVectors.v1", **{"paths.vectors": str(vectors_dir),
                                                                   "pretraining.objective.loss": loss})
    losses = epoch_losses(config, 6)
    assert losses[-1] < 0.6 * losses[0], losses


def test_vectors_objective_needs_vectors(tmp_path):
    with pytest.raises(ConfigError, match="pretraining.objective: .*vocab has none.*initialize\\] vectors"):
        init_pretraining(small_config(tmp_path, "plait.PretrainVectors.v1"))


def test_corruption_masks_and_replaces_the_configured_shares():
    nlp = Language.blank("en")
    docs = [nlp.make_doc(" ".join(f"w{i}" for i in range(j, j + 500))) for j in range(20)]
    before = [doc.lex.copy() for doc in docs]
    out = corrupt(docs, np.random.default_rng(0), mask_rate=0.2, replace_rate=0.1)
    assert all((doc.lex == lex).all() for doc, lex in zip(docs, before))  # the originals are untouched
    old, new = np.concatenate(before), np.concatenate([doc.lex for doc in out])
    assert [len(d) for d in out] == [len(d) for d in docs]
    masked = new == nlp.vocab.lex_id(MASK)
    changed = (new != old) & ~masked
    assert abs(masked.mean() - 0.2) < 0.02
    assert abs(changed.mean() - 0.1) < 0.02  # replaced by a word of the batch (rarely by the same word)
    assert set(new[changed]) <= set(old)


def test_character_targets_are_utf8_bytes():
    assert edge_bytes("cat", 2) == [99, 97, 97, 116]
    assert edge_bytes("a", 2) == [97, 0, 0, 97]
    assert edge_bytes("café", 2) == [99, 97, 0xC3, 0xA9]  # é is two bytes


def test_objective_gradient_reaches_the_encoder(tmp_path):
    nlp, module, objective, plan = init_pretraining(small_config(tmp_path, "plait.PretrainCharacters.v1"))
    docs = [nlp.make_doc("Pretraining reads raw text only.")]
    module.train()
    objective.get_loss(docs, module(objective.corrupt(docs, np.random.default_rng(0)))).backward()
    assert all(p.grad is not None and torch.count_nonzero(p.grad) for p in module.encode.parameters())
