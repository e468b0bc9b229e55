"""Issue 39, through the console script: what is not a spaCy config, output paths checked before any work,
the .tsv line that breaks the format, component names that are not paths, a closed stdout, gold labels the
model does not know, what a killed write leaves behind, and a tab-separated .vec."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confection import Config

import plait
from bad_input import ROOT, assert_user_error, plait_in_process, small_pipeline, write_corpus
from bad_input import plait as plait_cli
from plait.core import fs
from plait.core.errors import UserError

pytestmark = pytest.mark.slow
SHARED = ROOT / "examples" / "configs" / "shared.cfg"
SPACY = ROOT / "tests" / "fixtures" / "spacy_configs" / "tagger_ner_efficiency.cfg"
SST2 = ROOT / "tests" / "fixtures" / "sst2-dev-sample.tsv"


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return small_pipeline(tmp_path_factory.mktemp("model"))


def dead_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_4_migrate_config_refuses_what_is_not_a_spacy_config(capsys, tmp_path):
    empty = tmp_path / "empty.cfg"
    empty.write_text("")
    assert_user_error(plait_cli("migrate-config", empty, tmp_path / "out.cfg"), f"{empty}: not a spaCy config",
                      "[nlp]")
    ini = tmp_path / "other.cfg"
    ini.write_text("[nlp]\nlang = \"en\"\n")
    assert_user_error(plait_in_process(capsys, "migrate-config", ini, tmp_path / "out.cfg"), f"{ini}:",
                      "no [components] section")
    assert not (tmp_path / "out.cfg").exists()


def test_5_the_atomic_write_refuses_a_folder_or_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    for dest, named in ((tmp_path, "is a folder"), (tmp_path / "pipe", "not a regular file")):
        with pytest.raises(UserError, match=named):
            fs.write_text_atomic(dest, "x")
    assert hidden(tmp_path) == []


def test_5_migrate_config_into_a_folder_is_one_line(tmp_path):
    folder = tmp_path / "some_dir"
    folder.mkdir()
    assert_user_error(plait_cli("migrate-config", SPACY, folder), f"{folder}: is a folder")
    assert list(folder.iterdir()) == [] and hidden(tmp_path) == []


def test_11_apply_checks_its_output_before_annotating(model, tmp_path):
    """The output is refused before the input is read: a bad input line further on is never reached."""
    folder = tmp_path / "some_dir"
    folder.mkdir()
    texts = tmp_path / "in.txt"
    texts.write_bytes(b"fine\nna\xefve\n")
    assert_user_error(plait_cli("apply", model, texts, folder), f"{folder}: is a folder")


@pytest.mark.parametrize("command", [
    ("apply", "{model}", "{corpus}", "{out}"),
    ("migrate-config", str(SPACY), "{out}"),
    ("fill-config", str(SHARED), "{out}"),
    ("init-config", "{out}"),
    ("plot", "{model}", "--output", "{out}"),
    ("visualize", "{corpus}", "{out}"),
    ("evaluate", "{model}", "{corpus}", "--output", "{out}"),
    ("evaluate", "{model}", "{corpus}", "--html", "{out}"),
])
def test_11_every_output_file_is_checked_before_work(capsys, tmp_path, model, command):
    corpus = write_corpus(tmp_path / "c.jsonl")
    for out, named in ((tmp_path / "dir", "is a folder"), (tmp_path / "fifo", "not a regular file"),
                       (corpus / "x", "is not a folder")):
        out.mkdir() if out.name == "dir" else os.mkfifo(out) if out.name == "fifo" else None
        args = [a.format(model=model, corpus=corpus, out=out) for a in command]
        assert_user_error(plait_in_process(capsys, *args), f"{out}:", named)


@pytest.mark.parametrize("command", [
    ("convert", "{corpus}", "{out}"),
    ("init-vectors", "en", "{corpus}", "{out}"),
    ("train", str(SHARED), "--output", "{out}"),
    ("pretrain", str(SHARED), "{out}"),
])
def test_11_every_output_folder_is_checked_before_work(capsys, tmp_path, command):
    corpus = write_corpus(tmp_path / "c.jsonl")
    args = [a.format(corpus=corpus, out=corpus) for a in command]
    assert_user_error(plait_in_process(capsys, *args), f"{corpus}: is a file, not a folder")


def test_6_the_tsv_sniff_names_the_line_that_breaks_the_format(capsys, tmp_path, model):
    tsv = tmp_path / "bad.tsv"
    tsv.write_text("x\tO\ny\tO\n" + "no tab here " * 100 + "\n")
    result = plait_cli("evaluate", model, tsv)
    assert_user_error(result, f"{tsv}:3:", "'no tab here no tab")
    assert len(result.error_lines[0]) < 400, result.err  # a short excerpt, not the line
    tsv.write_text("x\tO\n\nz\tO\tO\n")
    assert_user_error(plait_in_process(capsys, "evaluate", model, tsv), f"{tsv}:3:")


@pytest.mark.parametrize("name", ["/tmp/plait-escape", "../escape", "a/../../b", "", "a\x00b", "..", "C:x"])
def test_8_a_path_is_not_a_component_name(name):
    nlp = plait.blank("en")
    with pytest.raises(plait.ConfigError, match="add_pipe name: component name"):
        nlp.add_pipe("tagger", name=name)
    assert nlp.component_names == []


def test_8_a_config_naming_a_component_by_a_path_is_refused(capsys, tmp_path):
    outside = tmp_path / "outside"
    config = Config().from_disk(SHARED, interpolate=False)
    config["components"][str(outside)] = config["components"].pop("tagger")
    config["nlp"]["pipeline"] = ["tok2vec", str(outside), "ner"]
    cfg = tmp_path / "c.cfg"
    cfg.write_text(config.to_str())
    assert_user_error(plait_cli("debug-config", cfg), f"nlp.pipeline: component name '{outside}'")
    assert_user_error(plait_in_process(capsys, "train", cfg, "--output", tmp_path / "run"), "nlp.pipeline")
    assert not outside.exists() and not (tmp_path / "run").exists()


def test_8_a_saved_pipeline_naming_a_component_by_a_path_does_not_load(capsys, tmp_path, model):
    outside = tmp_path / "outside"
    broken = tmp_path / "m"
    shutil.copytree(model, broken)
    config = broken / "config.cfg"
    saved = Config().from_disk(config, interpolate=False)
    saved["components"][str(outside)] = saved["components"].pop("tagger")
    saved["nlp"]["pipeline"] = [str(outside) if n == "tagger" else n for n in saved["nlp"]["pipeline"]]
    config.write_text(saved.to_str())
    with pytest.raises(plait.ModelLoadError, match="nlp.pipeline: component name"):
        plait.load(broken)
    assert_user_error(plait_cli("evaluate", broken, write_corpus(tmp_path / "c.jsonl")), f"{config}:",
                      f"component name '{outside}'")
    assert not outside.exists()


@pytest.mark.parametrize("reader", ["true", "head -1"])
def test_11_a_closed_stdout_ends_quietly(tmp_path, model, reader):
    corpus = write_corpus(tmp_path / "c.jsonl")
    err = tmp_path / "err.txt"
    command = (f"{sys.executable} -m plait evaluate {model} {corpus} 2>{err} | {reader} >/dev/null; "
               "exit ${PIPESTATUS[0]}")
    done = subprocess.run(["bash", "-c", command], env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode in (0, 141), err.read_text()
    assert "error" not in err.read_text() and "Traceback" not in err.read_text()


@pytest.fixture(scope="module")
def textcat(tmp_path_factory) -> Path:
    """A textcat pipeline whose labels are SST-2's '0' and '1' (initialized, not trained)."""
    from plait.core.config import apply_overrides, interpolate_config
    from plait.core.init_config import init_config
    from plait.core.training.initialize import init_nlp

    config = apply_overrides(init_config(lang="en", pipeline=["textcat"]), {"paths.train": str(SST2),
                                                                            "paths.dev": str(SST2)})
    nlp, _ = init_nlp(interpolate_config(config))
    out = tmp_path_factory.mktemp("textcat") / "model"
    nlp.to_disk(out)
    return out


def test_11_evaluate_warns_with_counts_about_gold_labels_the_model_does_not_know(capsys, tmp_path, textcat):
    header, *rows = SST2.read_text(encoding="utf8").splitlines()
    renamed = tmp_path / "posneg.tsv"
    renamed.write_text("\n".join([header] + [("pos" if r[0] == "1" else "neg") + r[1:] for r in rows]) + "\n")
    result = plait_cli("evaluate", textcat, renamed)
    assert result.code == 0 and "CATS_SCORE" in result.out, result.err
    assert f"warning: {renamed}: 5 of 5 gold labels of components.textcat are unknown to the model: 'neg' x4, " \
           "'pos' x1; it knows '0', '1'" in result.err
    mixed = tmp_path / "mixed.tsv"
    mixed.write_text("\n".join([header] + [("pos" if r[0] == "1" else "0") + r[1:] for r in rows]) + "\n")
    result = plait_in_process(capsys, "evaluate", textcat, mixed)
    assert result.code == 0 and "CATS_SCORE" in result.out, result.err
    assert f"warning: {mixed}: 1 of 5 gold labels of components.textcat are unknown to the model: 'pos' x1" \
        in result.err


def test_11_a_killed_init_vectors_leaves_nothing_a_force_run_keeps(tmp_path):
    vectors = tmp_path / "v.vec"
    rows = 60000
    with vectors.open("w") as out:
        out.write(f"{rows} 50\n")
        for i in range(rows):
            out.write(f"w{i} " + " ".join(["0.125"] * 50) + "\n")
    dest = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "plait", "init-vectors", "en", vectors, dest], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not hidden(tmp_path) and proc.poll() is None:
        time.sleep(0.005)
    proc.kill()
    proc.wait(timeout=60)
    assert hidden(tmp_path), "init-vectors ended before its temporary folder could be seen"
    small = tmp_path / "small.vec"
    small.write_text("2 2\na 0.1 0.2\nb 0.3 0.4\n")
    done = subprocess.run([sys.executable, "-m", "plait", "init-vectors", "en", small, dest, "--force"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert hidden(tmp_path) == []


def test_11_a_half_swapped_pipeline_is_put_back_when_read(capsys, tmp_path, model):
    """Killed between the two renames of a save: evaluate (through plait.load) puts the old copy back."""
    parent = tmp_path / "run"
    parent.mkdir()
    shutil.copytree(model, parent / f".model-best{fs.OLD_MARK}{dead_pid()}")
    (parent / f".model-best{fs.TMP_MARK}{dead_pid()}-x").mkdir()
    result = plait_in_process(capsys, "evaluate", parent / "model-best", write_corpus(tmp_path / "c.jsonl"))
    assert result.code == 0 and "TAG_ACC" in result.out, result.err
    assert [p.name for p in parent.iterdir()] == ["model-best"]


def test_11_an_unfinished_write_of_a_live_process_is_left_alone(tmp_path):
    mine = tmp_path / f".model{fs.TMP_MARK}{os.getpid()}-x"
    mine.mkdir()
    fs.recover_swap(tmp_path / "model")
    assert mine.is_dir()


def test_11_a_tab_separated_vec_is_one_error_line_without_a_warning(tmp_path):
    vec = tmp_path / "tab.vec"
    vec.write_text("3 2\nthe\t0.1\t0.2\ncat\t0.3\t0.4\ndog\t0.5\t0.6\n")
    result = plait_cli("init-vectors", "en", vec, tmp_path / "out")
    assert_user_error(result, f"{vec}:2:")
    assert "Warning" not in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert hidden(tmp_path) == []
