"""Read any supported corpus file (or a folder of them) as reference Docs, or as training Examples.

Formats, by extension unless named: `.conllu` CoNLL-U; `.conll`, `.iob` NER columns; `.tsv` NER columns,
or text classification when its header names a `label` and a `sentence`/`text`/`content` column;
`.iob2` layered IOB2 columns (token, then one IOB2 layer a column: spans into `doc.spans[spans_key]`);
`.jsonl` annotated records; `.txt` raw text, one text per line ("wikitext": the same without
"= Heading =" lines), unless its first lines read as a column file (CoNLL-2003's are `*.txt`); `.plait` binary;
`.spacy` spaCy's binary DocBin. A folder is read file by file in name order, skipping hidden
files and README / LICENSE files.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from plait.core.data.ner_columns import is_entity_tag, read_columns
from plait.core.data.conllu import read_conllu
from plait.core.data.docbin import read_docbin
from plait.core.data.iob2_layers import DEFAULT_SPANS_KEY, read_iob2_layers
from plait.core.data.example import Example
from plait.core.data.jsonl import read_jsonl
from plait.core.data.lines import read_lines
from plait.core.data.records import MakeDoc
from plait.core.data.spacy_docbin import read_spacy_docbin
from plait.core.data.text import read_text
from plait.core.data.tsv_cats import header_columns, read_tsv_cats
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.vocab import Vocab

EXTENSIONS = {
    "conllu": (".conllu",), "columns": (".conll", ".iob", ".tsv"), "cats": (".tsv",), "iob2": (".iob2",),
    "jsonl": (".jsonl",), "text": (".txt",), "wikitext": (".txt",), "plait": (".plait",), "spacy": (".spacy",),
}
FORMATS = tuple(EXTENSIONS)
_NOT_DATA = ("readme", "license", "licence", "copying")  # files a corpus folder ships beside its data
_RAW_TEXT = ("cats", "text", "wikitext")


def detect_format(path: Path) -> str:
    """The format of a file from its extension and, for `.tsv` and `.txt`, its first lines."""
    suffix = path.suffix.lower()
    if suffix == ".tsv":
        lines = _first_lines(path)
        if lines and header_columns(lines[0][1]):
            return "cats"
        broken = _column_break(lines)
        if broken is not None:
            number, line = broken
            raise DataError(f"{path}:{number}: a .tsv file is text classification (a header naming a 'label' column "
                            f"and a 'sentence', 'text' or 'content' column) or NER columns (each line as many columns "
                            f"as the first, ending in an entity tag); this line reads {line.strip()[:60]!r}")
        return "columns"
    if suffix == ".txt" and _looks_like_columns(_first_lines(path)):
        return "columns"  # CoNLL-2003's release names its column files *.txt
    for name, suffixes in EXTENSIONS.items():
        if suffix in suffixes:
            return name
    known = sorted({s for suffixes in EXTENSIONS.values() for s in suffixes})
    raise DataError(f"{path}:1: unknown corpus format {suffix or '(no extension)'!r}; "
                    f"use one of {', '.join(known)} or name the format ({', '.join(FORMATS)})")


def _first_lines(path: Path, n: int = 5) -> list[tuple[int, str]]:
    """Up to `n` non-blank lines from the start of a file, with their line numbers: enough to tell its format."""
    lines = []
    for number, line in read_lines(path):
        if line.strip():
            lines.append((number, line))
            if len(lines) == n:
                break
    return lines


def _looks_like_columns(lines: list[tuple[int, str]]) -> bool:
    """Whether lines read as a column file (see `_column_break`)."""
    return bool(lines) and _column_break(lines) is None


def _column_break(lines: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The first line that breaks a column file's shape: a `-DOCSTART-` line first, or every line as many
    fields (2 to 6) as the first, ending in an entity tag. None when none breaks it."""
    if not lines or lines[0][1].split()[0] == "-DOCSTART-":
        return None
    width = len(lines[0][1].split())
    for number, line in lines:
        fields = line.split()
        if not 2 <= len(fields) <= 6 or len(fields) != width or not is_entity_tag(fields[-1]):
            return number, line
    return None


def corpus_files(path: str | Path, format: str | None = None) -> list[Path]:
    """The files `path` stands for: itself, or a folder's corpus files sorted by name (skipping hidden
    files and README / LICENSE files)."""
    path = Path(path)
    if format is not None and format not in EXTENSIONS:
        raise DataError(f"{path}:1: unknown corpus format name {format!r}; known: {', '.join(FORMATS)}")
    if path.is_dir():
        suffixes = EXTENSIONS[format] if format else {s for group in EXTENSIONS.values() for s in group}
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes
                       and not p.name.startswith(".") and not p.name.lower().startswith(_NOT_DATA))
        if not files:
            raise DataError(f"{path}:1: no corpus files ({', '.join(sorted(suffixes))}) in this folder")
        return files
    if not path.is_file():
        raise DataError(f"{path}:1: no such corpus file or folder")
    return [path]


def read_file(path: Path, vocab: Vocab, make_doc: MakeDoc | None = None, *, format: str | None = None,
              n_sents: int = 10, across_docs: bool = False, spans_key: str = DEFAULT_SPANS_KEY) -> Iterator[Doc]:
    """Docs from one file; DataError("FILE:LINE: ...") on bad input, or when the file holds no docs."""
    fmt = format or detect_format(path)
    if fmt in _RAW_TEXT and make_doc is None:
        raise ValueError(f"reading {path} (format {fmt}) needs a tokenizer: pass make_doc")
    if fmt == "conllu":
        docs = read_conllu(path, vocab, n_sents, across_docs)
    elif fmt == "columns":
        docs = read_columns(path, vocab, n_sents, across_docs)
    elif fmt == "iob2":
        docs = read_iob2_layers(path, vocab, spans_key)
    elif fmt == "cats":
        docs = read_tsv_cats(path, make_doc)
    elif fmt == "jsonl":
        docs = read_jsonl(path, vocab, make_doc)
    elif fmt == "plait":
        docs = read_docbin(path, vocab)
    elif fmt == "spacy":
        docs = read_spacy_docbin(path, vocab)
    else:
        docs = read_text(path, make_doc, skip_headings=fmt == "wikitext")
    empty = True
    for doc in docs:
        empty = False
        yield doc
    if empty:
        raise DataError(f"{path}:1: empty corpus: no documents in this file")


def read_docs(path: str | Path, vocab: Vocab, make_doc: MakeDoc | None = None, *, format: str | None = None,
              n_sents: int = 10, across_docs: bool = False, limit: int = 0,
              spans_key: str = DEFAULT_SPANS_KEY) -> Iterator[Doc]:
    """Reference Docs from a corpus file or folder, streamed; `limit` stops after that many docs (0: all).

    `n_sents` groups sentences of CoNLL-U and column files into Docs (0: whole documents), within each
    document (`# newdoc`, `-DOCSTART-`) or, with `across_docs`, across them as `spacy convert -n N` does; layered
    IOB2 files give one Doc a sentence, their spans in `doc.spans[spans_key]`. Raw-text
    formats (text, wikitext, cats, jsonl records without "words") need `make_doc` to tokenize.
    """
    count = 0
    for file in corpus_files(path, format):
        for doc in read_file(file, vocab, make_doc, format=format, n_sents=n_sents, across_docs=across_docs,
                             spans_key=spans_key):
            yield doc
            count += 1
            if count == limit:
                return


def read_examples(path: str | Path, vocab: Vocab, make_doc: MakeDoc, *, gold_preproc: bool = False,
                  format: str | None = None, n_sents: int = 10, across_docs: bool = False,
                  limit: int = 0, spans_key: str = DEFAULT_SPANS_KEY) -> Iterator[Example]:
    """Examples pairing each reference Doc with a predicted Doc: `make_doc(reference.text)`, or with
    `gold_preproc` a copy of the reference's own tokens.

    References read from raw text were tokenized by `make_doc` already, so their tokens are copied
    rather than tokenized a second time.
    """
    count = 0
    for file in corpus_files(path, format):
        own_tokens = gold_preproc or (format or detect_format(file)) in _RAW_TEXT
        for ref in read_file(file, vocab, make_doc, format=format, n_sents=n_sents, across_docs=across_docs,
                             spans_key=spans_key):
            yield Example(ref.copy_tokens() if own_tokens else make_doc(ref.text), ref)
            count += 1
            if count == limit:
                return
