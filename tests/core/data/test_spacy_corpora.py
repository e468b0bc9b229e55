"""spaCy's corpora read natively: `.spacy` DocBin files and Doc.to_json JSONL, made by spaCy itself
(tests/fixtures/spacy, see its README), compared attribute by attribute with what spaCy reads back."""
import zlib
from pathlib import Path

import pytest
import srsly
from srsly import msgpack

from plait.core.data.convert import convert
from plait.core.data.docbin import read_docbin
from plait.core.data.readers import read_docs, read_examples
from plait.core.data.spacy_docbin import murmurhash64a, spacy_key
from plait.core.errors import DataError
from plait.core.data.text import whitespace_tokenizer
from plait.core.vocab import Vocab
from cli_run import run

ROOT = Path(__file__).resolve().parents[3]
SPACY = ROOT / "tests/fixtures/spacy"
EXPECTED = srsly.read_json(SPACY / "expected.json")
ATTRS = ("words", "spaces", "tag", "pos", "morph", "lemma", "head", "dep", "ent_iob", "ent_type", "sent_start",
         "cats", "spans", "text")


def attributes(doc) -> dict:
    """The attributes the fixture generator records, in spaCy's own spelling."""
    return {
        "text": doc.text, "words": doc.words, "spaces": doc.spaces.tolist(),
        "tag": [t.tag_ for t in doc], "pos": [t.pos_ for t in doc], "morph": [t.morph_ for t in doc],
        "lemma": [t.lemma_ for t in doc], "head": [t.head.i for t in doc] if doc.has_annotation("DEP") else None,
        "dep": [t.dep_ for t in doc], "ent_iob": [t.ent_iob_ for t in doc], "ent_type": [t.ent_type_ for t in doc],
        "sent_start": [t.is_sent_start for t in doc], "cats": doc.cats,
        "spans": {k: [[s.start, s.end, s.label_] for s in g] for k, g in doc.spans.items()},
    }


@pytest.mark.parametrize("name", ["rich.spacy", "ud-en-ewt-sample.spacy"])
def test_docbin_matches_spacy_attribute_by_attribute(name):
    docs = list(read_docs(SPACY / name, Vocab()))
    assert len(docs) == len(EXPECTED[name])
    for i, (doc, want) in enumerate(zip(docs, EXPECTED[name])):
        got = attributes(doc)
        for attr in ATTRS:
            assert got[attr] == want[attr], f"doc {i} {attr}"


def test_conllu_read_across_docs_gives_spacy_converters_docs():
    """ud-en-ewt-sample.spacy is `spacy convert -n 10` of ud-en-ewt-sample.conllu (two `# newdoc`s, one doc):
    plait's CoNLL-U reader grouping as it does gives the same docs, except that spaCy keeps the last token's
    trailing space, has no "paragraphs" span group and spells the UD relation "root" "ROOT"."""
    docs = list(read_docs(ROOT / "tests/fixtures/ud-en-ewt-sample.conllu", Vocab(), across_docs=True))
    assert len(docs) == len(EXPECTED["ud-en-ewt-sample.spacy"])
    for doc, want in zip(docs, EXPECTED["ud-en-ewt-sample.spacy"]):
        got = attributes(doc)
        assert got.pop("spans").keys() == {"paragraphs"}
        assert got.pop("text") == want["text"].rstrip(" ")
        assert got.pop("spaces")[:-1] == want["spaces"][:-1]
        assert got.pop("dep") == [{"ROOT": "root"}.get(dep, dep) for dep in want["dep"]]
        assert got == {k: want[k] for k in got}


def test_the_rich_fixture_exercises_every_attribute():
    docs = EXPECTED["rich.spacy"]
    assert any(d["cats"] for d in docs) and any(d["spans"] for d in docs) and any(d["head"] for d in docs)
    assert any("" in d["ent_iob"] and "B" in d["ent_iob"] for d in docs)  # entity annotation partly missing
    assert all(any(d[a] and any(d[a]) for d in docs) for a in ("tag", "pos", "morph", "lemma", "dep"))


def test_spacy_hashes():
    # values printed by spaCy 3.8: spacy.strings.hash_string("hello"), StringStore().add("nsubj"), ("")
    assert murmurhash64a(b"hello") == 5983625672228268878
    assert spacy_key("nsubj") == 429 and spacy_key("") == 0
    assert murmurhash64a("Knausgård 1968!".encode()) != murmurhash64a("Knausgård 1968?".encode())


def test_doc_to_json_jsonl_matches_spacy():
    docs = list(read_docs(SPACY / "rich.jsonl", Vocab()))
    want_docs = EXPECTED["rich.spacy"]
    assert len(docs) == len(want_docs)
    for i, (doc, want) in enumerate(zip(docs, want_docs)):
        got = attributes(doc)
        for attr in ("words", "tag", "pos", "morph", "lemma", "head", "dep", "cats", "spans"):
            assert got[attr] == want[attr], f"doc {i} {attr}"
        # to_json keeps neither unknown spacing nor missing entity annotation: compare what it keeps
        assert got["text"].rstrip() == want["text"].rstrip() or "" in want["ent_iob"], i
        if any(want["ent_iob"]):
            assert [t for t in got["ent_type"]] == want["ent_type"], f"doc {i} ent_type"


def test_training_examples_and_convert(tmp_path):
    vocab = Vocab()
    examples = list(read_examples(SPACY / "ud-en-ewt-sample.spacy", vocab, whitespace_tokenizer(vocab), gold_preproc=True))
    assert [t.tag_ for t in examples[0].reference][:3] == ["IN", "NNP", "POS"]
    (written,) = convert(SPACY / "ud-en-ewt-sample.spacy", tmp_path)
    assert (written.docs, written.tokens) == (1, 10)
    back = [attributes(d) for d in read_docbin(written.path, Vocab())]
    assert back == [attributes(d) for d in read_docs(SPACY / "ud-en-ewt-sample.spacy", Vocab())]


def test_convert_command(capsys, tmp_path):
    code, out, err = run(capsys, "convert", SPACY / "rich.spacy", tmp_path)
    assert code == 0, err
    assert len(list(read_docbin(tmp_path / "rich.plait", Vocab()))) == len(EXPECTED["rich.spacy"])
    for flags, docs in (([], 2), (["--across-docs"], 1)):
        code, out, err = run(capsys, "convert", ROOT / "tests/fixtures/ud-en-ewt-sample.conllu", tmp_path, "--force",
                             *flags)
        assert code == 0 and f": {docs} docs, 10 tokens" in out, err


def _docbin(**changes) -> bytes:
    msg = msgpack.loads(zlib.decompress((SPACY / "ud-en-ewt-sample.spacy").read_bytes()), raw=False)
    msg.update(changes)
    return zlib.compress(srsly.msgpack_dumps(msg))


@pytest.mark.parametrize("data, message", [
    (b"", "not a spaCy DocBin"),
    (b"garbage bytes", "not a spaCy DocBin"),
    (zlib.compress(b"\xc1\xc1"), "corrupt spaCy DocBin"),
    (zlib.compress(msgpack.dumps([1, 2])), "expected a map"),
    (_docbin(lengths=b"\x05\x00\x00\x00"), "token array holds"),
    (_docbin(strings=["From"]), "refers to no string in the file"),
    (_docbin(attrs=[76, 65]), "first attribute must be ORTH"),
    (_docbin(cats=[]), "do not match the number of docs"),
    (_docbin(span_groups=[b"\xc1"]), "doc 1"),
])
def test_damaged_docbin_fails_clearly(tmp_path, data, message):
    path = tmp_path / "bad.spacy"
    path.write_bytes(data)
    with pytest.raises(DataError, match=f"bad.spacy:1: .*{message}"):
        list(read_docs(path, Vocab()))


@pytest.mark.parametrize("record, message", [
    ({"text": "ab", "tokens": [{"start": 0, "end": 3}]}, "not increasing offsets"),
    ({"text": "a\nb", "tokens": [{"start": 0, "end": 1}, {"start": 2, "end": 3}]}, "one space or nothing"),
    ({"text": "a b", "tokens": [{"start": 0, "end": 1}, {"start": 2, "end": 3}],
      "ents": [{"start": 0, "end": 2, "label": "X"}]}, "token boundaries"),
    ({"text": "a", "tokens": [{"start": 0, "end": 1, "tag": 3}]}, "must be a string"),
    ({"text": "a", "tokens": [{"start": 0, "end": 1, "dep": "ROOT", "head": 4}]}, "heads must be"),
])
def test_bad_spacy_json_fails_clearly(tmp_path, record, message):
    path = tmp_path / "bad.jsonl"
    srsly.write_jsonl(path, [record])
    with pytest.raises(DataError, match=f"bad.jsonl:1: .*{message}"):
        list(read_docs(path, Vocab()))


@pytest.mark.slow
def test_pretraining_reads_spacy_raw_text(capsys, tmp_path):
    from plait.core.init_config import init_config

    config = init_config(lang="en", pipeline=["tagger"], pretraining=True)
    cfg = tmp_path / "tagger.cfg"
    cfg.write_text(config.to_str(), encoding="utf8")
    code, out, err = run(capsys, "pretrain", cfg, tmp_path / "pt", "--paths.raw", SPACY / "rich.spacy",
                         "--pretraining.objective.hidden_size", "64", "--pretraining.max_epochs", "1",
                         "--corpora.pretrain.min_length", "1")
    assert code == 0, err
    log = list(srsly.read_jsonl(tmp_path / "pt" / "log.jsonl"))
    assert log and log[0]["words"] == sum(len(d["words"]) for d in EXPECTED["rich.spacy"])


@pytest.mark.slow
def test_spacy_made_corpus_trains_a_tagger_as_its_conllu_does(shared_data, tmp_path):
    """ewt-train-500.spacy is `spacy convert -n 1` of ud-en-ewt train's first 500 sentences: the same
    sentences read from CoNLL-U train a tagger, batch for batch, to the same tag_acc."""
    import torch

    import plait

    blocks = (shared_data / "ud-en-ewt/train.conllu").read_text(encoding="utf8").split("\n\n")[:500]
    conllu = tmp_path / "ewt-train-500.conllu"
    conllu.write_text("\n\n".join(blocks) + "\n\n", encoding="utf8")
    dev_blocks = (shared_data / "ud-en-ewt/dev.conllu").read_text(encoding="utf8").split("\n\n")[:300]
    dev = tmp_path / "dev.conllu"
    dev.write_text("\n\n".join(dev_blocks) + "\n\n", encoding="utf8")
    scores = {}
    for name, path in (("conllu", conllu), ("spacy", SPACY / "ewt-train-500.spacy")):
        torch.manual_seed(0)
        nlp = plait.blank("en")
        nlp.add_pipe("tagger")
        train = list(read_examples(path, nlp.vocab, nlp.make_doc, gold_preproc=True, n_sents=1))
        assert len(train) == 500
        optimizer = nlp.initialize(lambda: train)
        for _ in range(2):
            for start in range(0, len(train), 16):
                nlp.update(train[start:start + 16], sgd=optimizer)
        scores[name] = nlp.evaluate(plait.read_corpus(dev, nlp))["tag_acc"]
    assert scores["conllu"] > 0.6
    assert abs(scores["spacy"] - scores["conllu"]) <= 0.001, scores
