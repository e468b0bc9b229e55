"""`plait evaluate --raw` and plait's UD scorer against the CoNLL 2018 evaluation script
(../shared/anchors/ud_eval.py, run on the same files): every F1 equal to 0.01, on output whose tokens, words and
sentences differ from the gold ones in the ways alignment has to handle."""
import importlib.util
import json
import random
from pathlib import Path

import pytest

import plait
from cli_run import run
from plait.core.data.conllu_write import one_tree
from plait.core.data.lines import read_lines
from plait.core.errors import DataError
from plait.core.ud_raw import evaluate_raw, raw_documents, read_gold
from plait.core.ud_read import read_ud
from plait.core.ud_score import METRICS, ud_scores

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"  # as tests/conftest.py finds it
ANCHOR = SHARED_DATA.parent / "anchors" / "ud_eval.py"
NAMES = dict(zip(METRICS, ("Tokens", "Sentences", "Words", "UPOS", "XPOS", "UFeats", "Lemmas", "UAS", "LAS")))


@pytest.fixture(scope="module")
def ud_eval():
    """The evaluation script as a module (called, never copied: it is MPL 2.0)."""
    if not ANCHOR.is_file():
        pytest.skip("../shared/anchors/ud_eval.py not present")
    spec = importlib.util.spec_from_file_location("ud_eval", ANCHOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def head_of(path: Path, sentences: int, dest: Path) -> Path:
    """The first `sentences` sentences of a CoNLL-U file."""
    blocks = path.read_text(encoding="utf8").split("\n\n")[:sentences]
    dest.write_text("\n\n".join(blocks) + "\n\n", encoding="utf8")
    return dest


def assert_same_scores(ud_eval, gold: Path, system: Path, ours: dict) -> None:
    theirs = ud_eval.evaluate(ud_eval.load_conllu_file(str(gold)), ud_eval.load_conllu_file(str(system)))
    for metric, name in NAMES.items():
        assert 100 * ours[metric] == pytest.approx(100 * theirs[name].f1, abs=0.01), metric


def scores_of(gold: Path, system: Path) -> dict:
    scores = ud_scores(read_ud(read_lines(gold), str(gold)), read_ud(read_lines(system), str(system)))
    return {metric: score.f for metric, score in scores.items()}


def row(tid: str, form: str, head: str = "0", misc: str = "_") -> str:
    """A CoNLL-U word line (a multi-word token's with a range ID)."""
    return "\t".join([tid, form, "_", "_", "_", "_", head, "root" if head == "0" else "dep", "_", misc])


@pytest.mark.slow
def test_raw_evaluate_matches_ud_eval(capsys, tmp_path, fixtures_dir, ud_eval):
    """A tagger pipeline on English raw text: its tokenizer splits differently from EWT (which has multi-word
    tokens) and each doc is one sentence."""
    gold = head_of(SHARED_DATA / "ud-en-ewt" / "dev.conllu", 60, tmp_path / "gold.conllu")
    code, out, err = run(capsys, "evaluate", fixtures_dir / "pipeline-0.1.0" / "model", gold, "--raw",
                         "--output", tmp_path / "scores.json", "--output-conllu", tmp_path / "system.conllu")
    assert code == 0, err
    assert "TOKENS" in out and "LAS" in out
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert 0.9 < scores["ud_tokens_f"] < 1.0 and scores["ud_sentences_f"] < 0.2 and scores["ud_xpos_f"] > 0.3
    assert_same_scores(ud_eval, gold, tmp_path / "system.conllu", {m: scores[f"ud_{m}_f"] for m in METRICS})


@pytest.mark.parametrize("lang, treebank", [("fr", "fr_gsd"), ("de", "de_gsd"), ("zh", "zh_gsdsimp")])
def test_sentencizer_on_multiword_treebanks(tmp_path, ud_eval, lang, treebank):
    """Rule tokens against gold multi-word tokens (fr `du` = `de le`), sentences split by punctuation rules,
    and a script written without spaces."""
    gold = head_of(SHARED_DATA / "ud-multi" / treebank / "test.conllu", 100, tmp_path / "gold.conllu")
    nlp = plait.blank(lang)
    nlp.add_pipe("sentencizer")
    result = evaluate_raw(nlp, read_gold(gold))
    (tmp_path / "system.conllu").write_text(result.conllu, encoding="utf8")
    assert_same_scores(ud_eval, gold, tmp_path / "system.conllu",
                       {m: result.scores[f"ud_{m}_f"] for m in METRICS})


def perturbed(gold: Path, seed: int) -> str:
    """The gold file with system-side multi-word tokens over pairs of plain words, arcs moved to the root,
    and changed tags and lemmas: the same text, aligned by the multi-word path where the sides disagree."""
    rng = random.Random(seed)
    out = []
    for block in gold.read_text(encoding="utf8").strip().split("\n\n"):
        rows = [line.split("\t") for line in block.splitlines() if not line.startswith("#")]
        in_range = {k for r in rows if "-" in r[0] for k in range(int(r[0].split("-")[0]), int(r[0].split("-")[1]) + 1)}
        root = next(r[0] for r in rows if r[6] == "0")
        plain = [r for r in rows if r[0].isdigit()]
        lines, skip_until = [], 0
        for row in rows:
            if row[0].isdigit():
                k = int(row[0])
                nxt = plain[k] if k < len(plain) else None
                if (k > skip_until and k not in in_range and nxt is not None and k + 1 not in in_range
                        and rng.random() < 0.15):
                    lines.append("\t".join([f"{k}-{k + 1}", row[1] + nxt[1]] + ["_"] * 8))
                    skip_until = k + 1
                row = list(row)
                if row[6] != "0" and rng.random() < 0.2:
                    row[6], row[7] = root, "dep"
                row[3] = "X" if rng.random() < 0.2 else row[3]
                row[2] = row[2].upper() if rng.random() < 0.2 else row[2]
                if k == skip_until and rng.random() < 0.5:  # a word the gold side does not have
                    row[1] += "x"
            lines.append("\t".join(row))
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n\n"


@pytest.mark.parametrize("treebank", ["fr_gsd", "de_gsd"])
def test_system_multiword_tokens(tmp_path, ud_eval, treebank):
    gold = head_of(SHARED_DATA / "ud-multi" / treebank / "test.conllu", 150, tmp_path / "gold.conllu")
    system = tmp_path / "system.conllu"
    system.write_text(perturbed(gold, seed=3), encoding="utf8")
    ours = scores_of(gold, system)
    assert ours["tokens"] < 0.95 and ours["words"] < 0.99 and ours["uas"] < 0.9
    assert_same_scores(ud_eval, gold, system, ours)


def test_raw_documents_rebuild_missing_text(tmp_path):
    """No `# newdoc`: a doc per 10 sentences; no `# text`: the tokens and their SpaceAfter."""
    sent = "\n".join([row("1-2", "du", "_"), row("1", "de"), row("2", "le", "1"),
                      row("3", "chat", "1", "SpaceAfter=No"), row("4", ".", "1")]) + "\n\n"
    gold = tmp_path / "g.conllu"
    gold.write_text("# text = du chat.\n" + sent + sent * 10, encoding="utf8")
    assert raw_documents(read_gold(gold)) == [" ".join(["du chat."] * 10), "du chat."]
    gold.write_text("# newdoc id = a\n" + sent * 12 + "# newdoc\n# text = le chat .\n" + sent, encoding="utf8")
    with pytest.raises(DataError, match=":75: the sentence's `# text` does not match"):
        read_gold(gold)
    gold.write_text("# newdoc id = a\n" + sent * 12 + "# newdoc\n# text =  du chat. \n" + sent, encoding="utf8")
    assert raw_documents(read_gold(gold)) == [" ".join(["du chat."] * 12), "du chat."]


def test_text_that_does_not_match_its_tokens(capsys, tmp_path, fixtures_dir):
    gold = tmp_path / "g.conllu"
    gold.write_text("# text = Hello world\n1\tHello\t_\t_\t_\t_\t0\troot\t_\t_\n2\tWorld\t_\t_\t_\t_\t1\tdep\t_\t_\n\n",
                    encoding="utf8")
    code, out, err = run(capsys, "evaluate", fixtures_dir / "pipeline-0.1.0" / "model", gold, "--raw")
    assert code == 2 and err.startswith(f"error: {gold}:1: ") and "# text" in err and "Traceback" not in err


def test_raw_refuses_other_formats(capsys, tmp_path, fixtures_dir):
    data = fixtures_dir / "wikiann-en-sample.tsv"
    code, _, err = run(capsys, "evaluate", fixtures_dir / "pipeline-0.1.0" / "model", data, "--raw")
    assert code == 2 and err.count("\n") == 1 and "CoNLL-U" in err
    code, _, err = run(capsys, "evaluate", fixtures_dir / "pipeline-0.1.0" / "model", data,
                       "--output-conllu", tmp_path / "s.conllu")
    assert code == 2 and "only with --raw" in err


@pytest.mark.parametrize("heads, tree", [
    ([0, 0, 2], [0, 1, 2]),  # a second root hangs from the first
    ([2, 1, 0], [3, 1, 0]),  # a cycle is cut where the walk closes it
    ([1, 2, 3], [0, 1, 1]),  # no root: the first word, and every self-loop hangs from it
])
def test_one_tree(heads, tree):
    assert one_tree([0 if h == k else h for k, h in enumerate(heads, 1)]) == tree


@pytest.mark.parametrize("lines, line, says", [
    (["# text =", row("1", "a")], 1, "# text"),  # an empty text for a sentence with tokens
    ([row("1-2", "du"), row("1", "de"), row("2-3", "le"), row("2", "le", "1"), row("3", "x", "1")], 3, "overlaps"),
    ([row("1", "a"), row("3", "b", "1")], 2, "out of order"),
    ([row("1", "a"), row("2", "b", "_")], 2, "HEAD '_'"),
    ([row("1", "a"), row("2", "b")], 1, "one root"),
    ([row("1", "a", "2"), row("2", "b", "1")], 1, "one root"),
    ([row("1", "a"), row("2", "b", "3"), row("3", "c", "2")], 2, "cycle"),
    ([row("1", "a"), "2\tb"], 2, "10 tab-separated columns"),
    ([row("1-3", "abc"), row("1", "a"), row("2", "b", "1")], 3, "past the sentence's last word"),
])
def test_bad_gold_files(capsys, tmp_path, fixtures_dir, lines, line, says):
    gold = tmp_path / "g.conllu"
    gold.write_text("\n".join(lines) + "\n\n", encoding="utf8")
    code, _, err = run(capsys, "evaluate", fixtures_dir / "pipeline-0.1.0" / "model", gold, "--raw")
    assert code == 2 and err.startswith(f"error: {gold}:{line}: ") and says in err and err.count("\n") == 1, err
