"""The commands read each component's declared defaults: fill-config gives a bare component block the model
add_pipe builds, evaluate shows the scores the pipeline's components declare, in pipeline order."""
from pathlib import Path

from cli_run import run
from confection import Config

import plait

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PARTIAL = """[nlp]
lang = "en"
pipeline = ["tagger"]

[components]

[components.tagger]
factory = "tagger"
column = "POS"
"""


def test_fill_config_gives_a_bare_component_the_model_add_pipe_builds(capsys, tmp_path):
    partial, full = tmp_path / "partial.cfg", tmp_path / "full.cfg"
    partial.write_text(PARTIAL, encoding="utf8")
    assert run(capsys, "fill-config", partial, full)[0] == 0
    filled = Config().from_disk(full, interpolate=False)["components"]["tagger"]
    nlp = plait.blank("en")
    nlp.add_pipe("tagger", config={"column": "POS"})
    assert filled == nlp.config["components"]["tagger"]
    assert filled["model"]["tok2vec"]["@architectures"] == "plait.Tok2Vec.v1"  # its own encoder
    code, _, err = run(capsys, "debug-config", full)
    assert code == 0, err


def test_evaluate_shows_every_declared_score_in_pipeline_order(capsys, tmp_path):
    page = tmp_path / "eval.html"
    code, out, err = run(capsys, "evaluate", FIXTURES / "pipeline-9c55767/model",
                         FIXTURES / "pipeline-0.1.0/dev/ewt.conllu", "--html", page)
    assert code == 0, err
    shown = [line.split()[0] for line in out.splitlines() if line and line.split()[0].isupper()]
    assert shown[:shown.index("SPEED")] == ["TAG_ACC", "POS_ACC", "MORPH_ACC", "DEP_UAS", "DEP_LAS", "SENTS_P",
                                            "SENTS_R", "SENTS_F", "LEMMA_ACC"]  # no entities in this corpus
    html = page.read_text(encoding="utf8")
    assert html.index("dep_las") < html.index("lemma_acc")
