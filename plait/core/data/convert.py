"""Convert corpus files of any supported format to plait's binary `.plait` format."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from plait.core.data.docbin import DocBinWriter
from plait.core.data.iob2_layers import DEFAULT_SPANS_KEY
from plait.core.data.readers import corpus_files, read_file
from plait.core.data.records import MakeDoc
from plait.core.data.text import whitespace_tokenizer
from plait.core import fs
from plait.core.errors import DataError, UserError
from plait.core.progress import progress_bar
from plait.core.vocab import Vocab


class Converted(NamedTuple):
    """One written file and what it holds."""

    path: Path
    docs: int
    tokens: int


def convert(input_path: str | Path, output_dir: str | Path, converter: str | None = None, n_sents: int = 10,
            vocab: Vocab | None = None, make_doc: MakeDoc | None = None, force: bool = False,
            across_docs: bool = False, spans_key: str = DEFAULT_SPANS_KEY) -> list[Converted]:
    """Write `OUTPUT_DIR/<stem>.plait` for the input file, or for each corpus file of an input folder.

    `converter` names the input format (default: by extension, see `readers`); `n_sents` groups
    sentences of CoNLL-U and column files into Docs (across document boundaries with `across_docs`); the spans
    of layered IOB2 files go into `doc.spans[spans_key]` (span groups of other formats are kept as they are). Raw
    text is tokenized by `make_doc`, by default on whitespace only. Nothing is written for a file that
    fails; files done before it stay. An existing output file is replaced only with `force`.
    """
    vocab = vocab if vocab is not None else Vocab()
    make_doc = make_doc if make_doc is not None else whitespace_tokenizer(vocab)
    fs.check_output_dir(Path(output_dir), replace=True)
    files = corpus_files(input_path, converter)
    outputs = [Path(output_dir) / f"{file.stem}.plait" for file in files]
    seen: dict[Path, Path] = {}
    for file, out in zip(files, outputs):
        if out in seen:
            raise DataError(f"{file}:1: would be written to {out}, as {seen[out]} is (rename one of them)")
        seen[out] = file
        if out.exists() and not force:
            raise UserError(f"{out}: already exists; pass --force to replace it")
    written = []
    for file, out in zip(files, outputs):
        with DocBinWriter(out) as writer:
            docs = read_file(file, vocab, make_doc, format=converter, n_sents=n_sents, across_docs=across_docs,
                             spans_key=spans_key)
            for doc in progress_bar(docs, desc=f"converting {file.name}", unit="doc"):
                writer.add(doc)
        written.append(Converted(out, writer.n_docs, writer.n_tokens))
    return written
