"""CoNLL-U reader: columns, multiword tokens, sentence/document/paragraph boundaries, errors."""
import numpy as np
import pytest

from plait.core.data.conllu import parse_conllu, read_conllu
from plait.core.errors import DataError
from plait.core.vocab import Vocab

ROW = "{id}\t{form}\t{lemma}\tNOUN\tNN\t_\t{head}\tdep\t_\t{misc}\n"


def write(tmp_path, text):
    path = tmp_path / "x.conllu"
    path.write_text(text, encoding="utf8")
    return path


def test_fixture_annotations(fixtures_dir):
    first, second = read_conllu(fixtures_dir / "ud-en-ewt-sample.conllu", Vocab())
    assert first.text == "From Friday's Daily Star By Juan Cole"
    assert first.words[:3] == ["From", "Friday", "'s"]  # syntactic words of the multiword token "Friday's"
    assert first.strings_of("POS")[:3] == ["ADP", "PROPN", "PART"]
    assert first.strings_of("TAG")[:3] == ["IN", "NNP", "POS"]
    assert first.strings_of("MORPH")[:2] == ["", "Number=Sing"]  # "_" is unset
    assert first.strings_of("LEMMA")[5] == "by" and first.strings_of("DEP")[4] == "root"
    assert first.columns["HEAD"].tolist() == [4, 4, 1, 4, 4, 7, 7, 7]  # absolute; the root heads itself
    assert first.columns["SENT_START"].tolist() == [1, -1, -1, -1, -1, 1, -1, -1]
    assert [(s.start, s.end) for s in first.spans["paragraphs"]] == [(0, 5), (5, 8)]
    assert second.text == "Ok."  # "# newdoc" starts a new Doc; SpaceAfter=No is honoured


def test_n_sents_groups_sentences(fixtures_dir):
    docs = list(read_conllu(fixtures_dir / "ud-en-ewt-sample.conllu", Vocab(), n_sents=1))
    assert [d.text for d in docs] == ["From Friday's Daily Star", "By Juan Cole", "Ok."]
    assert docs[1].columns["HEAD"].tolist() == [2, 2, 2]


def test_across_docs_groups_past_newdoc(fixtures_dir):
    path = fixtures_dir / "ud-en-ewt-sample.conllu"
    (doc,) = read_conllu(path, Vocab(), n_sents=10, across_docs=True)
    assert doc.text == "From Friday's Daily Star By Juan Cole Ok."
    assert [len(d) for d in read_conllu(path, Vocab(), n_sents=2, across_docs=True)] == [8, 2]


def test_a_space_always_follows_a_sentence_inside_a_doc(tmp_path):
    # SpaceAfter=No on a sentence's last word: re-tokenizing "end.Next" would glue the two sentences' tokens
    text = (ROW.format(id=1, form="end", lemma="end", head=0, misc="SpaceAfter=No")
            + ROW.format(id=2, form=".", lemma=".", head=1, misc="SpaceAfter=No") + "\n"
            + ROW.format(id=1, form="Next", lemma="next", head=0, misc="SpaceAfter=No") + "\n")
    path = write(tmp_path, text)
    (doc,) = read_conllu(path, Vocab())
    assert doc.text == "end. Next" and doc.spaces.tolist() == [False, True, False]
    assert [d.text for d in read_conllu(path, Vocab(), n_sents=1)] == ["end.", "Next"]


def test_multiword_spacing_and_empty_nodes(tmp_path):
    text = ("1-2\tdon't\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
            + ROW.format(id=1, form="do", lemma="do", head=3, misc="_")
            + ROW.format(id=2, form="n't", lemma="not", head=3, misc="_")
            + "2.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t3:x\t_\n"
            + ROW.format(id=3, form="go", lemma="go", head=0, misc="SpaceAfter=No")
            + ROW.format(id=4, form="!", lemma="!", head=3, misc="_") + "\n")
    (doc,) = read_conllu(write(tmp_path, text), Vocab())
    assert doc.words == ["do", "n't", "go", "!"] and doc.text == "don'tgo!"
    assert doc.columns["HEAD"].tolist() == [2, 2, 2, 2]


@pytest.mark.parametrize("row, line, message", [
    ("1\tword\tword\tNOUN\n", 2, "expected 10 tab-separated columns"),
    (ROW.format(id=1, form="a", lemma="a", head="x", misc="_"), 2, "HEAD 'x' is not an integer"),
    (ROW.format(id=3, form="a", lemma="a", head=0, misc="_"), 2, "token ID 3 out of order"),
    (ROW.format(id=1, form="a", lemma="a", head=9, misc="_"), 2, "past the end"),
    ("x\ta\ta\tNOUN\tNN\t_\t0\troot\t_\t_\n", 2, "bad token ID 'x'"),
])
def test_bad_lines_name_file_and_line(tmp_path, row, line, message):
    path = write(tmp_path, "# sent_id = 1\n" + row + "\n")
    with pytest.raises(DataError, match=message) as err:
        list(read_conllu(path, Vocab()))
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_real_treebank_counts(shared_data):
    sentences = list(parse_conllu(shared_data / "ud-en-ewt" / "dev.conllu"))
    assert len(sentences) == 2001 and sum(len(s.words) for s in sentences) == 25147
    docs = list(read_conllu(shared_data / "ud-en-ewt" / "dev.conllu", Vocab()))
    assert sum(int((d.columns["SENT_START"] == 1).sum()) for d in docs) == 2001
    heads = np.concatenate([d.columns["HEAD"] for d in docs])
    assert (heads >= 0).all()
