"""Empty docs, and batches where every doc is empty, through every encoder, embedding and head: pipe and loss."""
import pytest
import srsly
import torch

from plait.core.config import apply_overrides, interpolate_config
from plait.core.data.example import Example
from plait.core.data.records import doc_from_record
from plait.core.init_config import init_config
from plait.core.training.initialize import init_nlp
from plait.core.training.objective import PipelineObjective

RECORDS = [
    {"words": ["Ada", "met", "Bob", "."], "tags": ["NNP", "VBD", "NNP", "."], "pos": ["PROPN", "VERB", "PROPN", "PUNCT"],
     "morphs": ["Number=Sing", "Tense=Past", "Number=Sing", ""], "entities": ["U-PER", "O", "U-PER", "O"],
     "sent_starts": [True, False, False, False], "cats": {"A": 1.0, "B": 0.0}},
    {"words": ["Paris", "is", "big"], "tags": ["NNP", "VBZ", "JJ"], "pos": ["PROPN", "AUX", "ADJ"],
     "morphs": ["", "", ""], "entities": ["U-LOC", "O", "O"], "sent_starts": [True, False, False],
     "cats": {"A": 0.0, "B": 1.0}},
    {"words": [], "tags": [], "entities": [], "cats": {"A": 0.0, "B": 1.0}},
]
ENCODERS = {
    "maxout": {},
    "bilstm": {"components.tok2vec.model.encode": {"@architectures": "plait.BiLSTMEncoder.v1", "width": 16, "depth": 1}},
    "mish": {"components.tok2vec.model.encode": {"@architectures": "plait.MishWindowEncoder.v1", "width": 16,
                                                 "depth": 1, "window_size": 1}},
    "characters": {"components.tok2vec.model.embed": {"@architectures": "plait.CharacterEmbed.v1", "width": 16,
                                                      "rows": 100, "n_chars": 4, "char_width": 4}},
}


@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
@pytest.mark.parametrize("encoder", sorted(ENCODERS))
def test_empty_docs_everywhere(tmp_path, optimize, encoder):
    torch.set_num_threads(1)
    corpus = tmp_path / "c.jsonl"
    srsly.write_jsonl(corpus, RECORDS)
    config = init_config(lang="en", pipeline=["tagger", "ner", "senter", "morphologizer", "textcat"],
                         optimize=optimize)
    settings = {"components.tok2vec.model.embed.width": 16, "components.tok2vec.model.encode.width": 16,
                "components.tok2vec.model.encode.depth": 1, "paths.train": str(corpus), "paths.dev": str(corpus),
                **ENCODERS[encoder]}
    for name, block in config["components"].items():
        if "tok2vec" in block.get("model", {}):
            settings[f"components.{name}.model.tok2vec.width"] = 16
    nlp, _ = init_nlp(interpolate_config(apply_overrides(config, settings)))
    assert [len(doc) for doc in nlp.pipe(["", " ", "Ada met Bob", ""], batch_size=2)] == [0, 1, 3, 0]
    assert [len(doc) for doc in nlp.pipe([""])] == [0]
    empty = doc_from_record(nlp.vocab, {"words": [], "cats": {"A": 1.0, "B": 0.0}})
    losses = PipelineObjective(nlp).losses([Example(empty.copy_tokens(), empty) for _ in range(2)])
    assert set(losses) == {"tagger", "ner", "senter", "morphologizer", "textcat"}
    sum(losses.values()).backward()
    assert all(torch.isfinite(loss) for loss in losses.values())
