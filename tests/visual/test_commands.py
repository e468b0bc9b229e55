"""`plait visualize` and `plait plot` on bad input: one error line naming the file and line, exit 2, nothing written."""
import json

from visual_cli import cli


def test_visualize_rejects_bad_input(tmp_path, fixtures_dir):
    out = tmp_path / "out.html"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"text": "fine"}\n\xff\xfe\n')
    cases = [
        ((bad, out), f"error: {bad}:2: not UTF-8 ("),
        ((tmp_path / "missing.conllu", out), "missing.conllu: not found"),
        ((out,), "visualize takes MODEL INPUT OUT.html or DOCS OUT.html (1 path given)"),
        ((fixtures_dir / "ud-en-ewt-sample.conllu", out, "--page-size", 0), "--page-size: must be at least 1"),
        ((fixtures_dir, fixtures_dir / "wikitext-2-sample.txt", out), "not a pipeline directory"),
    ]
    for args, message in cases:
        code, _, err = cli("visualize", *args)
        assert code == 2 and err.startswith("error: ") and message in err, (args, err)
        assert not out.exists()
    code, _, err = cli("visualize", fixtures_dir / "ud-en-ewt-sample.conllu", out, "--limit", 1)
    assert code == 0 and "wrote 1 docs" in err and out.read_text().startswith("<!DOCTYPE html>")


def test_plot_rejects_bad_runs(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.jsonl").write_text("")
    out = tmp_path / "plot.html"
    assert cli("plot", run, "-o", out)[2] == f"error: {run}: no evaluations recorded yet\n"
    (run / "metrics.jsonl").write_text(json.dumps({"step": 1}) + "\n[1]\n")
    assert cli("plot", run, "-o", out)[2] == f"error: {run}/metrics.jsonl:2: expected a JSON object, found list\n"
    assert cli("plot", tmp_path / "nowhere", "-o", out)[0] == 2
    assert not out.exists()


def test_evaluate_html_draws_gold_and_predicted_span_groups(tmp_path):
    """A span_ruler pipeline evaluated on gold span groups (a .plait file): its scores, and each group drawn with
    every span flagged against the other side."""
    import re

    import plait
    from plait.core.data.docbin import DocBinWriter

    nlp = plait.blank("de")
    nlp.add_pipe("span_ruler", config={"spans_key": "sc"}).add_patterns([
        {"label": "ORG", "pattern": "Bundesbank Deutschland"}, {"label": "LOC", "pattern": "Deutschland"}])
    nlp.to_disk(tmp_path / "model")
    gold = nlp.make_doc("Die Bundesbank Deutschland und die Bank von England .")
    gold.spans["sc"] = [plait.Span(gold, 1, 3, "ORG"), plait.Span(gold, 2, 3, "LOC"), plait.Span(gold, 7, 8, "LOC")]
    with DocBinWriter(tmp_path / "gold.plait") as writer:
        writer.add(gold)
    out = tmp_path / "eval.html"
    code, stdout, err = cli("evaluate", tmp_path / "model", tmp_path / "gold.plait", "--html", out)
    assert code == 0, err
    data = json.loads(re.search(r'id="plait-data">(.*?)</script>', out.read_text(encoding="utf8"), re.S).group(1))
    pair = data["items"][0]
    assert pair["g"]["spans"]["sc"] == [[1, 3, "ORG", 0, "ok"], [2, 3, "LOC", 1, "ok"], [7, 8, "LOC", 0, "fn"]]
    assert pair["p"]["spans"]["sc"] == [[1, 3, "ORG", 0, "ok"], [2, 3, "LOC", 1, "ok"]] and pair["n_err"] == 1
