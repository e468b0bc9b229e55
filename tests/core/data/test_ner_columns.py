"""NER column reader: IOB1 / IOB2 / BILUO tags, sentence and document breaks, errors."""
import pytest

from plait.core.data.ner_columns import read_columns
from plait.core.errors import DataError
from plait.core.vocab import Vocab


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def write(tmp_path, text, name="x.conll"):
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    return path


def test_wikiann_fixture(fixtures_dir):
    docs = list(read_columns(fixtures_dir / "wikiann-en-sample.tsv", Vocab(), n_sents=1))
    assert len(docs) == 3
    assert docs[0].text == "R.H. Saunders ( St. Lawrence River ) ( 968 MW )"
    assert ents(docs[0]) == [("R.H. Saunders", "ORG"), ("St. Lawrence River", "ORG")]
    assert ents(docs[2]) == [("Karl Ove Knausgård", "PER")]
    assert docs[0][2].ent_iob_ == "O"


def test_wnut_tab_only_lines_end_sentences(fixtures_dir):
    (doc,) = read_columns(fixtures_dir / "wnut17-sample.conll", Vocab(), n_sents=10)
    assert doc.columns["SENT_START"].tolist().count(1) == 2
    assert ents(doc) == [("AHFA", "group"), ("Pxleyes", "corporation")]
    assert "http://tinyurl.com/24agj38" in doc.words


def test_iob1_biluo_spaces_and_docstart(tmp_path):
    text = ("-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\n\n"
            "-DOCSTART- -X- -X- O\n\nPeter U-PER\nand O\nNew B-LOC\nYork L-LOC\nsaw O\nit -\n")
    first, second = read_columns(write(tmp_path, text), Vocab())
    assert ents(first) == [("EU", "ORG"), ("German", "MISC")]
    assert ents(second) == [("Peter", "PER"), ("New York", "LOC")]
    assert second[5].ent_iob_ == "" and second[4].ent_iob_ == "O"  # "-": unknown


def test_stray_byte_order_mark_is_whitespace(tmp_path):
    (doc,) = read_columns(write(tmp_path, "\ufeffa O\nb O\n\ufeff\n"), Vocab())
    assert doc.words == ["a", "b"]


def test_n_sents_and_whole_documents(tmp_path):
    text = "".join(f"w{i} O\n\n" for i in range(5))
    path = write(tmp_path, text)
    assert [len(d) for d in read_columns(path, Vocab(), n_sents=2)] == [2, 2, 1]
    assert [len(d) for d in read_columns(path, Vocab(), n_sents=0)] == [5]


@pytest.mark.parametrize("text, message", [
    ("a O\nb X-PER\n", "unknown entity tag 'X-PER'"),
    ("a O\nb\n", "expected a token and a tag"),
])
def test_errors_name_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=message) as err:
        list(read_columns(path, Vocab()))
    assert str(err.value).startswith(f"{path}:2: ")


# wnut17 dev: 1008 blank lines, then a last sentence ended by a lone byte order mark
@pytest.mark.parametrize("name, sentences", [("wnut17/dev.conll", 1009), ("wnut17/train.conll", 3394),
                                             ("wikiann-en/dev.tsv", 10000)])
def test_real_sentence_counts(shared_data, name, sentences):
    docs = list(read_columns(shared_data / name, Vocab(), n_sents=0))
    assert sum(int((d.columns["SENT_START"] == 1).sum()) for d in docs) == sentences
