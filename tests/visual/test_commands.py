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
