"""Property tests (hypothesis) for issue 13: whatever the input, plait either works or raises its own UserError.

Mutated corpora of every format, random JSONL records, configs with random values in every section (trained
for two steps when they validate), damaged saved pipelines and random texts, through the Python API and the
CLI; for issue 39, length-prefixed and compressed corpora, special files in saved pipelines and huge model
settings. Examples are derandomized so CI runs the same cases; the whole module (10 tests, up to 1,200 examples)
takes about a minute and a half on 2 cores.
"""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import sys
import tempfile
import zlib
from pathlib import Path

import pytest
import srsly
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plait
from special_files import KINDS, replace_with_special
from plait.cli.main import main
from plait.core.config import apply_overrides, interpolate_config, load_config, validate_config
from plait.core.data.convert import convert
from plait.core.data.docbin import DocBinWriter
from plait.core.data.readers import read_docs
from plait.core.data.record_schema import SCHEMA
from plait.core.data.records import doc_from_record
from plait.core.data.text import whitespace_tokenizer
from plait.core.errors import DataError, UserError
from plait.core.model_memory import check_fits
from plait.core.pipeline import Language
from plait.core.training.initialize import check_built, init_nlp, resolve_training
from plait.core.training.trainer import train_while_improving
from plait.core.training.pretrain import init_pretraining, pretrain, resolve_pretraining
from plait.core.vocab import Vocab

sys.path.insert(0, str(Path(__file__).parent / "cli"))
from bad_input import RECORDS, SMALL, small_pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
torch.set_num_threads(1)


def _seed_files() -> dict[str, bytes]:
    """A few hundred bytes of a real file of each format, the material mutations start from."""
    cut = {name: (FIXTURES / name).read_bytes()[:700] for name in
           ("ud-en-ewt-sample.conllu", "wnut17-sample.conll", "sst2-dev-sample.tsv", "wikitext-2-sample.txt")}
    renamed = {"x.conllu": cut["ud-en-ewt-sample.conllu"], "x.iob": cut["wnut17-sample.conll"],
               "x.tsv": cut["sst2-dev-sample.tsv"], "x.txt": cut["wikitext-2-sample.txt"]}
    renamed["x.jsonl"] = b"".join(srsly.json_dumps(r).encode() + b"\n" for r in RECORDS)
    renamed["y.txt"] = b"-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n"
    renamed["x.iob2"] = (FIXTURES / "spans" / "germeval2014-sample.iob2").read_bytes()[:700]
    vocab = Vocab()
    with tempfile.TemporaryDirectory() as folder:
        with DocBinWriter(Path(folder) / "x.plait") as writer:
            for record in RECORDS:
                writer.add(doc_from_record(vocab, record))
        renamed["x.plait"] = (Path(folder) / "x.plait").read_bytes()
    return renamed


SEEDS = _seed_files()
_BYTES = [b"\xe9", b"\xff", b"\x00", b"\t", b"\n", b" ", b"\xef\xbb\xbf", b"\\ud800", b'"', b"[", b"{", b"_",
          b"-", b"1", b"\xc2\xb9", b"B-", b"O", b"-DOCSTART-", b"\r\n"]


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    """A seed file with a few random edits: bytes replaced, inserted or deleted, or the file cut short."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "replace", "delete", "truncate"]))
        piece = draw(st.sampled_from(_BYTES) | st.binary(min_size=1, max_size=3))
        if kind == "insert":
            data[at:at] = piece
        elif kind == "replace":
            data[at:at + len(piece)] = piece
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 20))]
        else:
            del data[at:]
    return name, bytes(data)


@settings(FUZZ, max_examples=300)
@given(mutated())
def test_mutated_corpora_read_or_fail_as_data_errors(tmp_path_factory, case):
    name, data = case
    folder = tmp_path_factory.mktemp("corpus")
    path = folder / name
    path.write_bytes(data)
    vocab = Vocab()
    try:
        docs = list(read_docs(path, vocab, whitespace_tokenizer(vocab)))
    except UserError:
        docs = None
    out = folder / "out"
    out.mkdir()
    previous = out / f"{path.stem}.plait"
    previous.write_bytes(b"an earlier conversion")
    try:
        convert(path, out, vocab=vocab)
    except UserError:
        assert previous.read_bytes() == b"an earlier conversion"  # a failed conversion loses nothing
    else:
        assert docs is not None and len(list(read_docs(previous, vocab))) == len(docs)


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 12) | st.floats() | st.text(max_size=6),
                     lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                     max_leaves=12)


@st.composite
def records(draw) -> dict:
    """Records with plait's keys (and now and then another), each holding well-formed or random JSON."""
    n = draw(st.integers(0, 4))
    words = draw(st.lists(st.text(min_size=1, max_size=4).filter(lambda w: not w.isspace()), min_size=n, max_size=n))
    good = {"words": words, "tags": ["X"] * n, "heads": list(range(n)), "entities": ["O"] * n,
            "spaces": [True] * n, "cats": {"A": 1.0}, "spans": {"sc": [[0, 1, "L"]]}, "text": " ".join(words)}
    keys = draw(st.lists(st.sampled_from(sorted(SCHEMA) + ["txt", "meta"]), max_size=6, unique=True))
    return {key: good.get(key) if draw(st.booleans()) else draw(_JSON) for key in keys}


@settings(FUZZ, max_examples=300)
@given(st.lists(records(), min_size=1, max_size=4))
def test_random_jsonl_records_read_or_fail_as_data_errors(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("jsonl") / "x.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf8")  # NaN, Infinity, \\ud800 too
    vocab = Vocab()
    try:
        for doc in read_docs(path, vocab, whitespace_tokenizer(vocab)):
            doc.text, list(doc.ents), dict(doc.spans)
    except UserError as err:
        assert str(err).startswith(f"{path}:")


@pytest.fixture(scope="module")
def base_config(tmp_path_factory) -> tuple[dict, Path]:
    corpus = tmp_path_factory.mktemp("train") / "train.jsonl"
    srsly.write_jsonl(corpus, RECORDS * 2 + [{"words": [], "tags": [], "entities": []}])  # an empty doc too
    overrides = {**SMALL, "components.tagger.model.tok2vec.width": 16, "components.ner.model.tok2vec.width": 16,
                 "paths.train": str(corpus), "paths.dev": str(corpus), "training.max_steps": 2,
                 "training.eval_frequency": 1, "training.max_epochs": 0}
    config = load_config(ROOT / "examples" / "configs" / "shared.cfg", overrides)
    return config, corpus


def _plain_keys(node: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            keys += _plain_keys(value, f"{dotted}.")
        elif dotted not in ("paths.train", "paths.dev") and key != "path":  # registered names (@...) too
            keys.append(dotted)
    return keys


_VALUES = (st.integers(-3, 300) | st.floats(-2, 2) | st.sampled_from([math.nan, math.inf, 0.0, 1.0, 0.5])
           | st.booleans() | st.none() | st.text(max_size=5) | st.lists(st.integers(-2, 50) | st.text(max_size=4),
                                                                      max_size=4) | st.just({}))


@settings(FUZZ, max_examples=200)
@given(st.data())
def test_configs_with_random_values_validate_or_train(base_config, data):
    """Whatever one or two values become, debug-config's checks name them, or two training steps run and
    fail, if at all, only on the data: nothing train would crash on, or refuse as a setting, passes debug-config."""
    config, _ = base_config
    keys = _plain_keys(config)
    changes = {data.draw(st.sampled_from(keys)): data.draw(_VALUES) for _ in range(data.draw(st.integers(1, 2)))}
    try:
        changed = interpolate_config(apply_overrides(config, changes))
        validate_config(changed)
        check_built(Language.from_config(changed, validate=False), resolve_training(changed))
    except UserError:
        return
    try:
        nlp, plan = init_nlp(changed)
        plan.max_steps = 2
        list(train_while_improving(nlp, plan))
    except UserError as err:  # only the data may still be wrong (e.g. a max_length that drops every tagged doc)
        assert isinstance(err, DataError) or "data" in str(err), err


@pytest.fixture(scope="module")
def pretraining_config(base_config) -> dict:
    _, corpus = base_config
    overrides = {**SMALL, "components.tagger.model.tok2vec.width": 16, "components.ner.model.tok2vec.width": 16,
                 "paths.raw": str(corpus), "paths.train": str(corpus), "paths.dev": str(corpus),
                 "corpora.pretrain.min_length": 0, "pretraining.max_epochs": 1, "pretraining.objective.hidden_size": 8}
    return load_config(ROOT / "examples" / "configs" / "pretrain.cfg", overrides)


@settings(FUZZ, max_examples=80)
@given(st.data())
def test_pretraining_configs_with_random_values_validate_or_pretrain(pretraining_config, data):
    """The same for [pretraining] and its corpus: what passes validation pretrains, failing only on data."""
    keys = [k for k in _plain_keys(pretraining_config) if k.startswith(("pretraining.", "corpora.pretrain."))]
    changes = {data.draw(st.sampled_from(keys)): data.draw(_VALUES) for _ in range(data.draw(st.integers(1, 2)))}
    try:
        changed = interpolate_config(apply_overrides(pretraining_config, changes))
        validate_config(changed)
        check_built(Language.from_config(changed, validate=False), resolve_training(changed),
                    resolve_pretraining(changed))
    except UserError:
        return
    try:
        for step, _ in zip(range(3), pretrain(*init_pretraining(changed))):
            pass
    except DataError:
        pass


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return small_pipeline(tmp_path_factory.mktemp("model"))


@settings(FUZZ, max_examples=80)
@given(st.data())
def test_damaged_model_folders_load_or_fail_as_model_load_errors(tmp_path_factory, model, data):
    broken = tmp_path_factory.mktemp("broken") / "model"
    shutil.copytree(model, broken)
    files = sorted(p for p in broken.rglob("*") if p.is_file())
    for _ in range(data.draw(st.integers(1, 2))):
        target = data.draw(st.sampled_from(files))
        action = data.draw(st.sampled_from(["delete", "truncate", "flip", "json"]))
        raw = target.read_bytes() if target.exists() else b""
        if action == "delete":
            target.unlink(missing_ok=True)
        elif action == "truncate":
            target.write_bytes(raw[:data.draw(st.integers(0, max(0, len(raw) - 1)))])
        elif action == "flip" and raw:
            at = data.draw(st.integers(0, len(raw) - 1))
            target.write_bytes(raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1:])
        elif target.suffix == ".json":
            target.write_text(json.dumps(data.draw(_JSON)))
    try:
        nlp = plait.load(broken)
    except UserError:
        return
    nlp("Ada met Bob in Paris.")


_TEXTS = st.lists(st.text(max_size=30) | st.sampled_from(["", " ", "\n", "\t\t", "\u3000", "a", "...", "e\u0301"]),
                  min_size=1, max_size=6)


@settings(FUZZ, max_examples=40)
@given(_TEXTS, st.integers(1, 4))
def test_random_texts_through_apply(tmp_path_factory, capsys, model, texts, batch_size):
    folder = tmp_path_factory.mktemp("apply")
    source, out = folder / "in.jsonl", folder / "out.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf8")
    out.write_text("earlier output\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["apply", str(model), str(source), str(out), "--batch-size", str(batch_size)])
    err = capsys.readouterr().err
    assert exit_info.value.code in (0, 2), err
    if exit_info.value.code == 0:
        assert [r["text"] for r in srsly.read_jsonl(out)] == texts
    else:
        assert out.read_text() == "earlier output\n" and "internal error" not in err


@settings(FUZZ, max_examples=40)
@given(_TEXTS)
def test_random_texts_through_the_python_api(model, texts):
    nlp = plait.load(model) if not hasattr(test_random_texts_through_the_python_api, "nlp") else \
        test_random_texts_through_the_python_api.nlp
    test_random_texts_through_the_python_api.nlp = nlp
    docs = list(nlp.pipe(texts, batch_size=random.Random(len(texts)).randint(1, 3)))
    assert [d.text for d in docs] == texts


# -- issue 39: what a file or a setting may make plait read or allocate is bounded -----------------------------

_LENGTHS = [b"\xc6\x7f\xff\xff\xff", b"\xc5\xff\xff", b"\xdd\x7f\xff\xff\xff", b"\xdf\x7f\xff\xff\xff",
            b"\xdb\x7f\xff\xff\xff", b"\xdc\xff\xff", b"\xc4\xff"]  # bin, array, map and str headers claiming a lot


def _spacy_seed() -> bytes:
    return zlib.decompress((FIXTURES / "spacy" / "rich.spacy").read_bytes())


@st.composite
def length_prefixed(draw) -> tuple[str, bytes]:
    """A `.spacy` or `.plait` file with length headers claiming gigabytes spliced in, and `.spacy` files whose
    content is inflated with runs of zeros (a small decompression bomb) before it is compressed again."""
    name = draw(st.sampled_from(["x.spacy", "x.plait"]))
    data = bytearray(_spacy_seed() if name == "x.spacy" else SEEDS["x.plait"])
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            data[at:at] = draw(st.sampled_from(_LENGTHS))
        else:
            data[at:at] = bytes(draw(st.sampled_from([1 << 10, 1 << 20, 1 << 24])))
    return name, zlib.compress(bytes(data), 9) if name == "x.spacy" else bytes(data)


@settings(FUZZ, max_examples=80)
@given(length_prefixed())
def test_length_prefixed_and_compressed_corpora_read_or_fail_as_data_errors(tmp_path_factory, case):
    name, data = case
    path = tmp_path_factory.mktemp("bounded") / name
    path.write_bytes(data)
    vocab = Vocab()
    try:
        for doc in read_docs(path, vocab, whitespace_tokenizer(vocab)):
            doc.text
    except UserError as err:
        assert str(err).startswith(f"{path}:"), err




@settings(FUZZ, max_examples=40)
@given(st.data())
def test_special_files_in_a_model_folder_are_refused_before_they_are_opened(tmp_path_factory, model, data):
    """A FIFO, a device, a folder or a link leading out where a pipeline file should be: refused, never opened
    (an open FIFO would block this test forever, /dev/zero would fill memory)."""
    folder = tmp_path_factory.mktemp("special")
    broken = folder / "model"
    shutil.copytree(model, broken)
    target = data.draw(st.sampled_from(sorted(p for p in broken.rglob("*") if p.is_file())))
    kind = data.draw(st.sampled_from(KINDS))
    replace_with_special(target, kind, folder)
    with pytest.raises(UserError) as info:
        plait.load(broken)
    assert "secret" not in str(info.value)


def _int_settings(node: dict, prefix: str) -> list[str]:
    """Dotted keys of the int (or list of ints) settings under `node`."""
    keys = []
    for key, value in node.items():
        if isinstance(value, dict):
            keys += _int_settings(value, f"{prefix}{key}.")
        elif isinstance(value, int) and not isinstance(value, bool) or \
                isinstance(value, list) and value and all(isinstance(v, int) for v in value):
            keys.append(f"{prefix}{key}")
    return keys


@settings(FUZZ, max_examples=40)
@given(st.data())
def test_huge_model_settings_are_refused_before_anything_is_built(base_config, data):
    """Any size setting of any component set to 10^11 or more: a UserError from validation or the memory
    estimate, never an allocation (torch would raise a RuntimeError, or the machine would run out of memory)."""
    config, _ = base_config
    key = data.draw(st.sampled_from(_int_settings(config["components"], "components.")))
    value = data.draw(st.integers(10**11, 10**15))
    section, *path = key.split(".")
    old = config[section]
    for part in path:
        old = old[part]
    changed = interpolate_config(apply_overrides(config, {key: [value] * len(old) if isinstance(old, list) else value}))
    with pytest.raises(UserError):
        for name, block in changed["components"].items():
            check_fits(block, f"components.{name}")
        validate_config(changed)
        Language.from_config(changed, validate=False)
