"""Classification TSV reader: header detection, exclusive cats over the file's labels, errors."""
import pytest

from plait.core.data.readers import detect_format
from plait.core.data.text import whitespace_tokenizer
from plait.core.data.tsv_cats import read_labels, read_tsv_cats
from plait.core.errors import DataError
from plait.core.vocab import Vocab


def read(path, labels=None):
    return list(read_tsv_cats(path, whitespace_tokenizer(Vocab()), labels))


@pytest.mark.parametrize("name, rows", [("sst2-train-sample.tsv", 10), ("sst2-dev-sample.tsv", 5)])
def test_sst2_headers(fixtures_dir, name, rows):
    path = fixtures_dir / name
    docs = read(path)
    assert len(docs) == rows and detect_format(path) == "cats"
    assert docs[0].text in ("hide new secretions from the parental units", "one long string of cliches .")
    assert docs[0].cats == {"0": 1.0, "1": 0.0}
    assert all(sum(d.cats.values()) == 1.0 for d in docs)


def test_label_set_argument_and_unknown_label(fixtures_dir):
    path = fixtures_dir / "sst2-train-sample.tsv"
    assert read_labels(path) == ["0", "1"]
    assert read(path, labels=["0", "1", "2"])[0].cats == {"0": 1.0, "1": 0.0, "2": 0.0}
    with pytest.raises(DataError, match=r"sst2-train-sample.tsv:4: label '1' is not one of \['0'\]"):
        read(path, labels=["0"])


@pytest.mark.parametrize("text, line, message", [
    ("text\tscore\nfine\t1\n", 1, "expected a header"),
    ("label\ttext\nPOS\tgood\nNEG\n", 3, "expected 2 tab-separated columns"),
    ("Text\tLabel\ngreat\tPOS\n\t NEG\n", 3, "empty text"),
])
def test_errors(tmp_path, text, line, message):
    path = tmp_path / "x.tsv"
    path.write_text(text, encoding="utf8")
    with pytest.raises(DataError, match=message) as err:
        read(path)
    assert str(err.value).startswith(f"{path}:{line}: ")
