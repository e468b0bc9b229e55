"""The HTML views in headless Chromium: what the DOM shows against what the docs and runs hold, and screenshots."""
import io
import os
from pathlib import Path

import pytest
import srsly
from browser import chromium_page, missing
from visual_cli import ROOT, cli

import plait
from plait.core.data.readers import read_docs

SCREENSHOTS = os.environ.get("PLAIT_SCREENSHOTS")  # set to docs/img to refresh the README's pictures

if missing():
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError(f"browser tests cannot run in CI: {missing()}")
    pytest.skip(missing(), allow_module_level=True)

pytestmark = pytest.mark.slow

MARKS_JS = """() => Array.from(document.querySelectorAll('%s mark.ent'), m => {
  const toks = Array.from(m.querySelectorAll('.tok'));
  const text = toks.map((t, k) => t.querySelector('.w').textContent + (t.dataset.ws && k + 1 < toks.length ? ' ' : '')).join('');
  return [Number(m.closest('section.doc').dataset.doc), m.dataset.label, m.querySelector('.lbl').textContent, text];
})"""


def open_page(page, path: Path) -> list[str]:
    """Load a local file, wait for the viewer, and return every request it made."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return requests


def check_screenshot(page, name: str, width: int, height: int) -> None:
    """The viewport's screenshot has the viewport's size and is not blank (many distinct colours, dark ink)."""
    from PIL import Image

    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    assert image.size == (width, height)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50
    dark = sum(n for n, rgb in colours if sum(rgb) < 300)
    assert dark > 0.002 * width * height  # text and lines, not a white page
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        image.quantize(64).save(Path(SCREENSHOTS) / f"{name}.png", optimize=True)


def test_every_gold_entity_is_a_labelled_span(tmp_path):
    corpus = ROOT / "examples/data/dev/wikiann.iob"
    out = tmp_path / "gold.html"
    assert cli("visualize", corpus, out, "--page-size", 10)[0] == 0
    nlp = plait.blank("en")
    docs = list(read_docs(corpus, nlp.vocab, nlp.make_doc))
    wanted = sorted([n, e.label_, e.label_, e.text] for n, doc in enumerate(docs) for e in doc.ents)
    assert len(wanted) > 300
    with chromium_page(1000, 700) as page:
        requests = open_page(page, out)
        page.wait_for_function("window.plaitReady")
        pages = int(page.get_attribute("#page", "max"))
        assert pages == -(-len(docs) // 10)
        seen = []
        for number in range(pages):
            assert page.get_attribute("body", "data-page") == str(number)
            seen += page.evaluate(MARKS_JS % "")
            if number == 0:
                check_screenshot(page, "entities", 1000, 700)
            page.click("#next")
    assert sorted(seen) == wanted
    assert requests == [out.as_uri()]  # nothing fetched beyond the file itself


def test_parse_arcs_and_tag_rows(tmp_path, fixtures_dir):
    corpus = fixtures_dir / "ud-en-ewt-sample.conllu"
    out = tmp_path / "parse.html"
    assert cli("visualize", corpus, out)[0] == 0
    nlp = plait.blank("en")
    docs = list(read_docs(corpus, nlp.vocab))
    arcs = sorted([n, t.i, t.head.i, t.dep_] for n, doc in enumerate(docs) for t in doc
                  if t.head.i != t.i and t.sent.start <= t.head.i < t.sent.end)
    with chromium_page(1000, 700) as page:
        open_page(page, out)
        page.wait_for_function("window.plaitReady")
        drawn = page.evaluate("""() => Array.from(document.querySelectorAll('path.arc'), p => [
            Number(p.closest('section.doc').dataset.doc), Number(p.dataset.dep), Number(p.dataset.head)])""")
        labels = page.evaluate("() => Array.from(document.querySelectorAll('svg.arcs text'), t => t.textContent)")
        tags = page.evaluate("() => Array.from(document.querySelectorAll('.tok .ann.tag'), t => t.textContent)")
        widths = page.evaluate("() => Array.from(document.querySelectorAll('svg.arcs'), s => Number(s.getAttribute('width')))")
        check_screenshot(page, "parse", 1000, 700)
    assert sorted(drawn) == [a[:3] for a in arcs]
    assert sorted(labels) == sorted(a[3] for a in arcs)
    assert tags == [t.tag_ for doc in docs for t in doc]
    assert min(widths) > 0


def test_example_pipeline_predictions(trained_run, tmp_path):
    texts = tmp_path / "texts.txt"
    sentences = ["Angela Merkel met Emmanuel Macron in Paris on Tuesday.", "The cat sat on the mat in London.",
                 "I don't think Stanford University opens before March."]
    texts.write_text("\n".join(sentences) + "\n")
    out = tmp_path / "pred.html"
    model = trained_run["out"] / "model-best"
    assert cli("visualize", model, texts, out)[0] == 0
    nlp = plait.load(model)
    docs = list(nlp.pipe(sentences))
    with chromium_page(1000, 500) as page:
        open_page(page, out)
        page.wait_for_function("window.plaitReady")
        counts = page.evaluate("() => Array.from(document.querySelectorAll('section.doc'), s => s.querySelectorAll('.tok').length)")
        marks = page.evaluate(MARKS_JS % "")
        titles = page.evaluate("() => Array.from(document.querySelectorAll('.tok'), t => t.title)")
        check_screenshot(page, "predictions", 1000, 500)
    assert counts == [len(doc) for doc in docs]
    assert sorted(marks) == sorted([n, e.label_, e.label_, e.text] for n, doc in enumerate(docs) for e in doc.ents)
    assert titles == [f"tag: {t.tag_}" for doc in docs for t in doc]


def test_evaluation_view_marks_errors(trained_run, tmp_path):
    corpus = tmp_path / "dev.iob"
    corpus.write_text("\n\n".join((ROOT / "examples/data/dev/wikiann.iob").read_text().split("\n\n")[:60]) + "\n")
    out = tmp_path / "eval.html"
    code, stdout, _ = cli("evaluate", trained_run["out"] / "model-best", corpus, "--html", out,
                          "--output", tmp_path / "scores.json")
    assert code == 0
    scores = srsly.read_json(tmp_path / "scores.json")
    nlp = plait.blank("en")
    gold = list(read_docs(corpus, nlp.vocab, nlp.make_doc))
    with chromium_page(1200, 800) as page:
        open_page(page, out)
        page.wait_for_function("window.plaitReady")
        page.select_option("#size", "250")
        gold_marks = page.evaluate(MARKS_JS % ".col.gold")
        flags = page.evaluate("() => Array.from(document.querySelectorAll('mark.ent.fn, mark.ent.fp'), m => m.className)")
        table = page.evaluate("() => Array.from(document.querySelectorAll('table.prf tbody tr'), r => r.cells[0].textContent)")
        check_screenshot(page, "evaluate", 1200, 800)
        page.check("#errors-only")
        with_errors = page.evaluate("() => document.querySelectorAll('section.doc').length")
    assert sorted(gold_marks) == sorted([n, e.label_, e.label_, e.text] for n, doc in enumerate(gold) for e in doc.ents)
    per_type = scores["ents_per_type"]
    assert set(per_type) <= set(table)
    # each missed gold entity and each wrong prediction is flagged once
    tp = {label: round(prf["r"] * sum(e.label_ == label for d in gold for e in d.ents)) for label, prf in per_type.items()}
    missed = sum(e.label_ == label for d in gold for e in d.ents for label in per_type) - sum(tp.values())
    assert flags.count("ent fn") == missed
    assert 0 < with_errors <= len(gold)


def test_training_report_curves(trained_run):
    report = trained_run["out"] / "report.html"
    records = list(srsly.read_jsonl(trained_run["out"] / "metrics.jsonl"))
    best = [r for r in records if r["is_best"]][-1]
    with chromium_page(1100, 800) as page:
        open_page(page, report)
        charts = page.evaluate("""() => Array.from(document.querySelectorAll('svg.chart[data-axis=step]'), c => [
            c.dataset.title, Array.from(c.querySelectorAll('g.series'), g => g.querySelectorAll('circle.pt').length),
            Array.from(c.querySelectorAll('line.best'), l => Number(l.dataset.step))])""")
        visible = page.evaluate("() => document.querySelectorAll('svg.chart[data-axis=seconds]')[0].getBoundingClientRect().width")
        check_screenshot(page, "report", 1100, 800)
        page.check("input[value=seconds]")
        after = page.evaluate("() => document.querySelectorAll('svg.chart[data-axis=seconds]')[0].getBoundingClientRect().width")
    titles = [c[0] for c in charts]
    assert titles[:2] == ["loss", "score"] and {"tag_acc", "ents_f", "training words/s"} <= set(titles)
    for title, points, best_lines in charts:
        assert points and all(n == len(records) for n in points), title
        assert best_lines == [best["step"]], title
    assert visible == 0 and after > 0


def test_plot_overlays_runs(trained_run, tmp_path):
    out = tmp_path / "plot.html"
    code, _, err = cli("plot", trained_run["out"], trained_run["out"] / "metrics.jsonl", "-o", out, "--png")
    assert code == 0, err
    from PIL import Image

    assert Image.open(out.with_suffix(".png")).size[0] > 400
    records = list(srsly.read_jsonl(trained_run["out"] / "metrics.jsonl"))
    with chromium_page(1100, 800) as page:
        open_page(page, out)
        loss = page.evaluate("""() => Array.from(document.querySelectorAll('svg.chart[data-title=loss][data-axis=step] g.series'),
            g => [g.dataset.run, g.querySelectorAll('circle').length])""")
        check_screenshot(page, "plot", 1100, 800)
    assert loss == [["0", len(records)], ["0", len(records)], ["1", len(records)], ["1", len(records)]]


SPAN_BOXES_JS = """() => Array.from(document.querySelectorAll('.spans'), g => Array.from(
  g.querySelectorAll('.sbar.on'), b => {
  const r = b.getBoundingClientRect(), l = b.querySelector('.slbl'), lr = l && l.getBoundingClientRect();
  return [g.dataset.key, Number(b.dataset.span), Number(b.closest('.stok').dataset.i),
          [r.left, r.top, r.right, r.bottom], l ? [l.textContent, lr.left, lr.top, lr.right, lr.bottom] : null];
}))"""


def test_overlapping_spans_are_stacked_without_overlapping_on_screen(tmp_path):
    """Nested and overlapping spans from a span_ruler: each drawn under exactly its tokens, labelled once, no two
    bars (or labels) of different spans sharing a pixel, in a viewport narrow enough to wrap the lines."""
    nlp = plait.blank("de")
    nlp.add_pipe("span_ruler").add_patterns([
        {"label": "ORG", "pattern": "Bundesbank Deutschland"}, {"label": "ORG", "pattern": "Bank von England"},
        {"label": "LOC", "pattern": [{"IS_TITLE": True, "LENGTH": {">=": 7}}]},
        {"label": "LOCderiv", "pattern": [{"LOWER": {"IN": ["deutschland", "england", "deutsche"]}}]},
        {"label": "ZUSAMMEN", "pattern": [{"IS_TITLE": True, "OP": "+"}, {"LOWER": "und"}, {"IS_TITLE": True}]}])
    texts = ["Die Bundesbank Deutschland und die Deutsche Bank von England in Frankfurt am Main .",
             "Deutschland und England ."]
    docs = list(nlp.pipe(texts))
    out = tmp_path / "spans.html"
    out.write_text(plait.render(docs), encoding="utf8")
    with chromium_page(420, 900) as page:
        open_page(page, out)
        page.wait_for_function("window.plaitReady")
        groups = page.evaluate(SPAN_BOXES_JS)
    for doc, bars in zip(docs, groups):
        spans = sorted(doc.spans["ruler"], key=lambda s: (s.start, -s.end, s.label_))
        assert sorted({(n, i) for _, n, i, _, _ in bars}) == sorted((n, i) for n, s in enumerate(spans)
                                                                   for i in range(s.start, s.end))
        assert sorted(label[0] for *_, label in bars if label) == sorted(s.label_ for s in spans)
        for a in bars:
            for b in bars:
                if a[1] < b[1]:
                    (l1, t1, r1, b1), (l2, t2, r2, b2) = a[3], b[3]
                    assert min(r1, r2) - max(l1, l2) <= 0.5 or min(b1, b2) - max(t1, t2) <= 0.5, (a, b)
            if a[4]:  # the label lies inside its own bar
                left, top, right, bottom = a[3]
                assert left - 0.5 <= a[4][1] and a[4][3] <= right + 0.5 and top - 0.5 <= a[4][2] <= bottom
    assert max(len({round(box[1]) for *_, box, _ in bars}) for bars in groups) > 3  # stacked, and wrapped
