"""Layered IOB2 files (GermEval 2014's token, outer, inner): spans of every layer in one span group, one doc a
sentence, `I-` starts counted, bad lines refused with FILE:LINE through the console script."""
import json
import sys
from pathlib import Path

import pytest
from cli_run import run

from plait.core.data.docbin import read_docbin
from plait.core.data.iob2_layers import I_STARTS, MAX_LINE_BYTES, layer_spans, read_iob2_layers
from plait.core.data.readers import corpus_files, detect_format, read_docs, read_examples
from plait.core.data.text import whitespace_tokenizer
from plait.core.errors import DataError
from plait.core.init_config import init_config
from plait.core.vocab import Vocab

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "cli"))
from bad_input import SMALL, assert_user_error, plait, plait_in_process  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "spans" / "germeval2014-sample.iob2"


def spans(doc, key="sc"):
    return [(s.text, s.label_) for s in doc.spans[key]]


def test_germeval_sample_nested_spans_one_doc_a_sentence():
    docs = list(read_iob2_layers(SAMPLE, Vocab()))
    assert len(docs) == 9 and [len(d) for d in docs[:2]] == [25, 22]
    assert spans(docs[0]) == [("Schartau", "PER"), ("Tagesspiegel", "ORG"), ("Fischer", "PER")]
    # sentence 4: two inner LOCs inside an outer ORG (token, outer, inner columns)
    assert spans(docs[3])[:3] == [("Bayern", "LOC"), ("Bayern München", "ORG"), ("München", "LOC")]
    assert [(e.text, e.label_) for e in docs[3].ents][:1] == [("Bayern München", "ORG")]  # the first layer
    assert docs[8].words[2] == "#"  # a "#" line with tags is a token, not a comment
    assert all(d[0].is_sent_start and not d[1].is_sent_start for d in docs)
    assert all(I_STARTS not in d.spans["sc"].attrs for d in docs)


def test_i_starts_are_starts_and_counted_comments_and_spaces(tmp_path):
    path = tmp_path / "x.iob2"
    path.write_text("# from somewhere\nA\tI-PER\tO\nB\tI-PER\tI-LOC\nC\tO\tB-LOC\nD\tI-ORG\tI-LOC\n\n"
                    "E F\tO\nG\tB-X\n\nH O B-Y\nI O I-Y\n", encoding="utf8")
    docs = list(read_iob2_layers(path, Vocab(), spans_key="layers"))
    assert [spans(d, "layers") for d in docs] == [
        [("A B", "PER"), ("B", "LOC"), ("C D", "LOC"), ("D", "ORG")], [("G", "X")], [("H I", "Y")]]
    assert docs[0].spans["layers"].attrs[I_STARTS] == 3 and docs[1].words == ["E F", "G"]
    assert layer_spans(["I-A", "I-B", "B-B", "I-B", "O", "I-A"]) == ([(0, 1, "A"), (1, 2, "B"), (2, 4, "B"),
                                                                      (5, 6, "A")], 3)


def test_a_sentence_without_spans_has_an_empty_group_and_docs_read_by_extension_in_folders(tmp_path):
    (tmp_path / "b.iob2").write_text("Nichts\tO\tO\n.\tO\tO\n", encoding="utf8")
    (tmp_path / "a.iob2").write_text(SAMPLE.read_text(encoding="utf8"), encoding="utf8")
    assert detect_format(tmp_path / "a.iob2") == "iob2"
    assert [p.name for p in corpus_files(tmp_path)] == ["a.iob2", "b.iob2"]
    docs = list(read_docs(tmp_path, Vocab(), spans_key="ents_nested"))
    assert len(docs) == 10 and "ents_nested" in docs[-1].spans and list(docs[-1].spans["ents_nested"]) == []
    vocab = Vocab()
    examples = list(read_examples(tmp_path / "a.iob2", vocab, whitespace_tokenizer(vocab)))
    assert spans(examples[0].reference) == spans(docs[0], "ents_nested")


def test_convert_carries_the_span_groups(capsys, tmp_path):
    code, out, err = run(capsys, "convert", SAMPLE, tmp_path / "out", "--spans-key", "nested")
    assert code == 0, err
    again = list(read_docbin(tmp_path / "out" / "germeval2014-sample.plait", Vocab()))
    assert [spans(d, "nested") for d in again] == [spans(d) for d in read_iob2_layers(SAMPLE, Vocab())]


@pytest.mark.parametrize("text, named", [
    ("A\tB-PER\tO\nB\tO\n", "x.iob2:2: 2 columns, but this sentence's first line (1) has 3"),
    ("A\tO\n\nB\tO\nC\tB-PER\tO\n", "x.iob2:4: 3 columns, but this sentence's first line (3) has 2"),
    ("A\tO\tO\nB\tO\tU-PER\n", "x.iob2:2: column 3: 'U-PER' is not an IOB2 tag (O, B-X or I-X)"),
    ("A\tO\tB-\n", "x.iob2:1: column 3: 'B-' is not an IOB2 tag"),
    ("lonely\n", "x.iob2:1: expected a token and at least one IOB2 tag column"),
    ("A" + "\tO" * 33 + "\n", "x.iob2:1: 33 tag columns, more than the 32 layers"),
])
def test_bad_lines_name_file_and_line(capsys, tmp_path, text, named):
    path = tmp_path / "x.iob2"
    path.write_text(text, encoding="utf8")
    with pytest.raises(DataError, match=named.replace("(", r"\(").replace(")", r"\)")):
        list(read_iob2_layers(path, Vocab()))


def test_a_bad_column_count_through_the_console_script(tmp_path):
    path = tmp_path / "x.iob2"
    path.write_text("A\tB-PER\tO\nB\tO\n", encoding="utf8")
    assert_user_error(plait("convert", path, tmp_path / "out"), "x.iob2:2: 2 columns")


@pytest.mark.parametrize("command", ["convert", "debug-data"])
def test_a_bad_tag_is_one_error_line_in_every_command_that_reads(capsys, tmp_path, command):
    path = tmp_path / "x.iob2"
    path.write_text("A\tO\tO\nB\tO\tE-PER\n", encoding="utf8")
    if command == "convert":
        result = plait_in_process(capsys, "convert", path, tmp_path / "out")
    else:
        config = tmp_path / "config.cfg"
        config.write_text(init_config(lang="de", pipeline=["tagger"]).to_str(), encoding="utf8")
        result = plait_in_process(capsys, "debug-data", config, "--paths.train", path, "--paths.dev", path)
    assert_user_error(result, "x.iob2:2: column 3: 'E-PER' is not an IOB2 tag")


def test_a_huge_line_is_refused_before_it_is_held(capsys, tmp_path):
    path = tmp_path / "x.iob2"
    path.write_bytes(b"A\tO\n" + b"x" * (4 * MAX_LINE_BYTES) + b"\tO\n")
    code, _, err = run(capsys, "convert", path, tmp_path / "out")
    assert code == 2 and err.strip() == f"error: {path}:2: a line longer than {MAX_LINE_BYTES} bytes"


@pytest.mark.slow
def test_train_reads_a_folder_of_iob2_files(capsys, tmp_path):
    """`paths.train` a folder of `.iob2` files, `paths.dev` one: ner learns the first layer."""
    for name in ("a.iob2", "b.iob2"):
        (tmp_path / "train").mkdir(exist_ok=True)
        (tmp_path / "train" / name).write_text(SAMPLE.read_text(encoding="utf8"), encoding="utf8")
    config = tmp_path / "config.cfg"
    config.write_text(init_config(lang="de", pipeline=["ner"]).to_str(), encoding="utf8")
    small = [arg for key, value in SMALL.items() for arg in (f"--{key}", json.dumps(value))]
    code, out, err = run(capsys, "train", config, "--paths.train", tmp_path / "train", "--paths.dev", SAMPLE,
                         "--training.max_steps", 2, "--training.eval_frequency", 2, "--output", tmp_path / "out",
                         *small)
    assert code == 0, err
    assert (tmp_path / "out" / "model-last" / "config.cfg").is_file() and "ENTS_F" in out
