#!/usr/bin/env python3
"""Open and scroll a 10,000-document `plait visualize` page in headless Chromium; print the times as JSON.

Usage (repo root): .venv/bin/python benchmarks/visualize_10k.py [--docs 10000] [--runs 3]

The documents are the example sample's real sentences (UD EWT with tags, lemmas and parses; WikiANN with
entities), one sentence per doc, repeated in order up to --docs. The page is rendered by `plait.render` and
written once; each run starts a fresh browser profile, then times: navigation until the first page is drawn
(`window.plaitReady`), scrolling that page to the bottom in 10 steps (each waiting for a frame), and jumping to
the last page and drawing it. The figure is the slowest run's total.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import plait  # noqa: E402
from browser import chromium_page  # noqa: E402
from plait.core.data.readers import read_docs  # noqa: E402

SCROLL = """async () => {
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const height = document.documentElement.scrollHeight;
  for (let k = 1; k <= 10; k++) { window.scrollTo(0, height * k / 10); await frame(); }
  return height;
}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    nlp = plait.blank("en")
    sample = [doc for name in ("ewt.conllu", "wikiann.iob")
              for doc in read_docs(ROOT / "examples/data/train" / name, nlp.vocab, nlp.make_doc, n_sents=1)]
    docs = list(islice(cycle(sample), args.docs))
    started = time.perf_counter()
    page_html = plait.render(docs)
    render_s = time.perf_counter() - started
    out = Path(tempfile.mkdtemp(prefix="plait-bench-")) / "docs.html"
    out.write_text(page_html, encoding="utf8")
    runs = []
    for _ in range(args.runs):
        with chromium_page(1280, 900) as page:
            t0 = time.perf_counter()
            page.goto(out.as_uri())
            page.wait_for_function("window.plaitReady")
            t1 = time.perf_counter()
            height = page.evaluate(SCROLL)
            t2 = time.perf_counter()
            page.click("#last")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            t3 = time.perf_counter()
            last = page.evaluate("() => document.querySelectorAll('section.doc').length")
        runs.append({"open_s": round(t1 - t0, 3), "scroll_s": round(t2 - t1, 3), "last_page_s": round(t3 - t2, 3),
                     "total_s": round(t3 - t0, 3), "page_height_px": height, "docs_on_last_page": last})
    print(json.dumps({"docs": len(docs), "tokens": sum(len(d) for d in docs),
                      "file_mib": round(out.stat().st_size / 2**20, 2), "render_s": round(render_s, 2),
                      "runs": runs, "worst_total_s": max(r["total_s"] for r in runs)}, indent=1))


if __name__ == "__main__":
    main()
