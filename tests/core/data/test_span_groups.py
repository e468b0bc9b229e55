"""Span groups through every format: a spaCy-written `.spacy` file read as spaCy reads it, `.plait` and JSONL
round trips (scores included), `plait apply` output, slices, and spans outside their doc refused."""
import sys
from pathlib import Path

import pytest
import srsly

from plait.core.data.doc_json import doc_to_json
from plait.core.data.docbin import DocBinWriter, read_docbin
from plait.core.data.jsonl import read_jsonl
from plait.core.data.spacy_docbin import read_spacy_docbin
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.span import Span
from plait.core.vocab import Vocab

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "cli"))
from bad_input import assert_user_error, plait_in_process  # noqa: E402

SPANS = Path(__file__).resolve().parents[2] / "fixtures" / "spans"

# What spaCy 3.8.18 reads from span_groups.spacy (printed by make_span_groups.py beside it): per doc, its length
# and {key: ([(start, end, label)], scores rounded to 6 places or None)}.
SPACY_READS = [
    (25, {"sc": ([(0, 1, "PER"), (3, 6, "ORG"), (4, 5, "ORG"), (4, 5, "MEDIA"), (5, 8, "TIME"), (7, 8, "TIME")],
                 [0.9, 0.25, 0.75, 0.5, 0.125, 1.0]),
          "empty": ([], None)}),
    (22, {"sc": ([(1, 4, "PER"), (2, 3, "PER")], None), "other": ([(0, 4, "X")], None)}),
    (0, {}),
]


def groups(doc):
    return {key: ([(s.start, s.end, s.label_) for s in group],
                  None if group.scores is None else [round(x, 6) for x in group.scores])
            for key, group in doc.spans.items()}


def sample_docs(vocab):
    """Overlapping spans, the same tokens under two labels, scores, an empty group, a doc without groups, an
    empty doc."""
    first = Doc(vocab, ["Bayern", "München", "ist", "wieder", "Favorit"])
    first.spans["sc"] = [Span(first, 0, 2, "ORG"), Span(first, 0, 1, "LOC"), Span(first, 1, 2, "LOC"),
                         Span(first, 1, 2, "ORG"), Span(first, 1, 2, "ORG"), Span(first, 3, 5, "X")]
    first.spans["sc"].attrs["scores"] = [0.5, 0.25, 0.75, 0.125, 0.0, 1.0]
    first.spans["empty"] = []
    second = Doc(vocab, ["ohne", "Spannen"])
    empty = Doc(vocab, [])
    empty.spans["sc"] = []
    return [first, second, empty]


def test_a_spacy_docbin_with_span_groups_reads_as_spacy_reads_it():
    docs = list(read_spacy_docbin(SPANS / "span_groups.spacy", Vocab()))
    assert [(len(doc), groups(doc)) for doc in docs] == SPACY_READS


def test_plait_binary_round_trip(tmp_path):
    docs = sample_docs(Vocab())
    with DocBinWriter(tmp_path / "x.plait") as writer:
        for doc in docs:
            writer.add(doc)
    again = list(read_docbin(tmp_path / "x.plait", Vocab()))
    assert [groups(d) for d in again] == [groups(d) for d in docs]
    assert "sc" not in again[1].spans and again[2].spans["sc"] == []


def test_jsonl_round_trip_with_scores(tmp_path):
    docs = sample_docs(Vocab())
    srsly.write_jsonl(tmp_path / "x.jsonl", [doc_to_json(doc) for doc in docs])
    again = list(read_jsonl(tmp_path / "x.jsonl", Vocab()))
    assert [groups(d) for d in again] == [groups(d) for d in docs]


def test_convert_keeps_a_spacy_files_groups_and_scores(capsys, tmp_path):
    result = plait_in_process(capsys, "convert", SPANS / "span_groups.spacy", tmp_path / "out")
    assert result.code == 0, result.err
    again = list(read_docbin(tmp_path / "out" / "span_groups.plait", Vocab()))
    assert [(len(doc), groups(doc)) for doc in again] == SPACY_READS


def test_a_slice_keeps_the_spans_inside_it_with_their_scores():
    first = sample_docs(Vocab())[0]
    part = first[1:5].as_doc()
    assert groups(part) == {"sc": ([(0, 1, "LOC"), (0, 1, "ORG"), (0, 1, "ORG"), (2, 4, "X")],
                                   [0.75, 0.125, 0.0, 1.0]), "empty": ([], None)}
    assert groups(first.slice(2, 3)) == {"sc": ([], []), "empty": ([], None)}


APPLY_CODE = '''
import plait


@plait.component("toy_spans")
def toy_spans(doc):
    """Every token and every pair of tokens, labelled by length, scored by position."""
    doc.spans["sc"] = [doc[i:i + n] for n in (1, 2) for i in range(len(doc) - n + 1)]
    for span in doc.spans["sc"]:
        span.label = doc.vocab.strings.add("ONE" if len(span) == 1 else "TWO")
    doc.spans["sc"].attrs["scores"] = [1 / (1 + s.start + s.end) for s in doc.spans["sc"]]
    return doc
'''


def test_apply_writes_span_groups_with_scores_that_read_back_equal(capsys, tmp_path):
    import plait

    code = tmp_path / "toy.py"
    code.write_text(APPLY_CODE, encoding="utf8")
    exec(compile(APPLY_CODE, str(code), "exec"), {})
    nlp = plait.blank("en")
    nlp.add_pipe("toy_spans")
    nlp.to_disk(tmp_path / "model")
    (tmp_path / "in.txt").write_text("Bayern München gewinnt\n\nnochmal\n", encoding="utf8")
    result = plait_in_process(capsys, "apply", tmp_path / "model", tmp_path / "in.txt", tmp_path / "out.jsonl",
                              "--code", code)
    assert result.code == 0, result.err
    again = list(read_jsonl(tmp_path / "out.jsonl", Vocab()))
    expected = [groups(nlp(text)) for text in ("Bayern München gewinnt", "nochmal")]
    assert [groups(doc) for doc in again] == expected  # apply writes scores to 10 digits
    assert expected[1] == {"sc": ([(0, 1, "ONE")], [0.5])}


@pytest.mark.parametrize("record, named", [
    ({"text": "a b c", "words": ["a", "b", "c"], "spans": {"sc": [[0, 9, "X"]]}},
     "x.jsonl:2: span in group 'sc' [0, 9) is empty or outside the text (length 5)"),
    ({"text": "ab c", "words": ["ab", "c"], "spans": {"sc": [[1, 4, "X"]]}},
     "x.jsonl:2: span in group 'sc' [1, 4) does not fall on token boundaries"),
    ({"text": "ab c", "tokens": [{"start": 0, "end": 2}, {"start": 3, "end": 4}],
      "spans": {"sc": [{"start": 3, "end": 7, "label": "X"}]}},
     "x.jsonl:2: span 0 in group 'sc' [3, 7) is empty or outside the text (length 4)"),
    ({"text": "ab c", "words": ["ab", "c"], "spans": {"sc": [[0, 2, "X"]]}, "span_scores": {"sc": [0.5, 1]}},
     "x.jsonl:2: \"span_scores\" has 2 scores for group 'sc', which has 1 spans"),
])
def test_a_span_outside_its_doc_is_one_error_line(capsys, tmp_path, record, named):
    path = tmp_path / "x.jsonl"
    srsly.write_jsonl(path, [{"text": "fine", "words": ["fine"]}, record])
    with pytest.raises(DataError, match=r"x\.jsonl:2: "):
        list(read_jsonl(path, Vocab()))
    assert_user_error(plait_in_process(capsys, "convert", path, tmp_path / "out"), named)
