"""Time and memory for reading UD English-EWT train.conllu into Docs; prints JSON.

Parse (text lines to per-sentence columns) and build+annotate (Docs and annotation columns from the
parsed columns) are timed separately, build+annotate both with a fresh Vocab (every lexeme and string is
new) and with a warm one (as from the second epoch on); then the streaming reader end to end. Run: .venv/bin/python benchmarks/read_corpus.py [--n-sents N] [--tracemalloc]
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import time
import tracemalloc
from pathlib import Path

from plait.core.data.conllu import conllu_docs, parse_conllu, read_conllu
from plait.core.vocab import Vocab

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "ud-en-ewt" / "train.conllu"


def best_of(repeats: int, fn):
    """(best wall time in seconds, result of the last call)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--n-sents", type=int, default=10, help="sentences per Doc")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tracemalloc", action="store_true", help="also report traced peak of the streaming read")
    args = parser.parse_args()

    stream_s, n_docs = best_of(args.repeats, lambda: sum(1 for _ in read_conllu(args.path, Vocab(), args.n_sents)))
    stream_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    traced_mib = None
    if args.tracemalloc:
        tracemalloc.start()
        for _ in read_conllu(args.path, Vocab(), args.n_sents):
            pass
        traced_mib = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

    parse_s, sentences = best_of(args.repeats, lambda: list(parse_conllu(args.path)))
    build_s, docs = best_of(args.repeats, lambda: list(conllu_docs(sentences, Vocab(), args.n_sents)))
    warm_vocab = Vocab()
    build_warm_s, _ = best_of(args.repeats, lambda: list(conllu_docs(sentences, warm_vocab, args.n_sents)))
    n_tokens = sum(len(d) for d in docs)
    print(json.dumps({
        "file": str(args.path), "sentences": len(sentences), "docs": n_docs, "tokens": n_tokens,
        "n_sents": args.n_sents,
        "parse_s": round(parse_s, 3),
        "build_annotate_s": round(build_s, 3),
        "build_annotate_warm_vocab_s": round(build_warm_s, 3),
        "stream_read_s": round(stream_s, 3),
        "tokens_per_s_stream": round(n_tokens / stream_s),
        "peak_rss_streaming_mib": round(stream_rss_mib, 1),
        "peak_rss_all_docs_in_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "traced_peak_streaming_mib": None if traced_mib is None else round(traced_mib, 1),
        "python": platform.python_version(), "machine": platform.machine(),
    }, indent=2))


if __name__ == "__main__":
    main()
