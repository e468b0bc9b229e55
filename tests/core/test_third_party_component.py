"""A third party's encoder and head, written from the component contract alone (tests/fixtures/third_party/), train,
save, load and annotate through the `plait` command: the contract declares everything the pipeline calls on them."""
from pathlib import Path
from typing import Protocol

import srsly
from cli_run import run

import plait
from plait.core.components.contract import Encoder, Labelled, Trainable

THIRD_PARTY = Path(__file__).resolve().parents[1] / "fixtures" / "third_party"
CODE = THIRD_PARTY / "components.py"
CORPUS = THIRD_PARTY.parent / "ud-en-ewt-sample.conllu"  # tags IN, NNP, POS, UH and "."


def declared(*protocols: type) -> set[str]:
    """The public members the protocols declare, their parents' included."""
    names: set[str] = set()
    for protocol in protocols:
        for cls in protocol.__mro__:
            if issubclass(cls, Protocol) and cls is not Protocol:
                names |= {name for name in [*vars(cls), *cls.__annotations__] if not name.startswith("_")}
    return names


def public(component: object) -> set[str]:
    return {name for name in dir(component) if not name.startswith("_")}


def test_a_third_party_encoder_and_head_train_save_load_and_annotate(capsys, tmp_path):
    config = tmp_path / "config.cfg"
    code, _, err = run(capsys, "fill-config", THIRD_PARTY / "train.cfg", config, "--code", CODE)
    assert code == 0, err
    code, out, err = run(capsys, "train", config, "--output", tmp_path / "out", "--code", CODE,
                         "--paths.train", CORPUS, "--paths.dev", CORPUS)
    assert code == 0, err
    assert "THIRD_PARTY_TAG_ACC" in out
    texts = tmp_path / "texts.txt"
    texts.write_text("From Friday's Daily Star\nBy Juan Cole\n", encoding="utf8")
    code, _, err = run(capsys, "apply", tmp_path / "out" / "model-last", texts, tmp_path / "docs.jsonl",
                       "--code", CODE)
    assert code == 0, err
    docs = list(srsly.read_jsonl(tmp_path / "docs.jsonl"))
    assert [len(doc["tags"]) for doc in docs] == [len(doc["words"]) for doc in docs] == [5, 3]
    assert {tag for doc in docs for tag in doc["tags"]} <= {"IN", "NNP", "POS", "UH", "."}

    nlp = plait.load(tmp_path / "out" / "model-last")  # the --code file registered its factories in this process
    encoder, tagger = nlp.get_pipe("encoder"), nlp.get_pipe("tagger")
    assert isinstance(encoder, Encoder) and isinstance(tagger, Trainable) and isinstance(tagger, Labelled)
    # each class has what its protocols declare and nothing more: a method the pipeline calls on a component
    # is either declared by the contract or missing from these classes, and then the run above fails
    assert public(encoder) == declared(Encoder)
    assert public(tagger) == declared(Trainable, Labelled)
    assert [t.tag_ for t in nlp("By Juan Cole")] == docs[1]["tags"]
