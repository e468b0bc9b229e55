"""`plait package`: a wheel that installs into a fresh virtual environment, where `plait.load(NAME)` annotates as the
folder it came from; bad names and versions are refused before anything is built."""
import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from cli_run import run

import plait

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests/fixtures/pipeline-0.1.0/model"
TEXT = "The cat sat on the mat in Paris ."


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_venv_and_loads_by_name(capsys, tmp_path):
    (tmp_path / "meta.json").write_text(json.dumps({"license": "CC BY-SA 4.0", "sources": ["examples/data"]}))
    code, _, err = run(capsys, "package", MODEL, tmp_path / "dist", "--name", "en-plait-test", "--version", "1.0.0",
                       "--meta", tmp_path / "meta.json")
    assert code == 0, err
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        meta = json.loads(z.read("en_plait_test/pipeline/meta.json"))
    assert meta["license"] == "CC BY-SA 4.0" and meta["pipeline"] == ["tok2vec", "tagger", "ner"]
    assert meta["requires_plait"].startswith(f"plait>={plait.__version__},<")
    # a new environment that sees this one's packages (torch, plait) through a .pth file, so nothing is downloaded
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin/python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # addsitedir also reads that folder's own .pth files (plait is an editable install there)
    Path(site, "parent-env.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    done = subprocess.run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "-q", wheel],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    script = (f"import plait; nlp = plait.load('en_plait_test'); doc = nlp({TEXT!r}); "
              "print(([t.tag_ for t in doc], [(e.text, e.label_) for e in doc.ents]))")
    done = subprocess.run([python, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = plait.load(MODEL)(TEXT)
    assert done.stdout.strip() == str(([t.tag_ for t in doc], [(e.text, e.label_) for e in doc.ents]))


@pytest.mark.parametrize("args, message", [
    (["--name", "en core", "--version", "1.0.0"], "--name: 'en core' is not a valid distribution name"),
    (["--name", "-en", "--version", "1.0.0"], "--name: '-en' is not a valid distribution name"),
    (["--name", "en_x", "--version", "one"], "--version: 'one' is not a valid version"),
])
def test_bad_names_and_versions_exit_2(capsys, tmp_path, args, message):
    code, _, err = run(capsys, "package", MODEL, tmp_path / "dist", *args)
    assert code == 2 and err.startswith(f"error: {message}"), err
    assert not (tmp_path / "dist").exists()


def test_a_folder_that_is_not_a_pipeline_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "package", tmp_path, tmp_path / "dist", "--name", "x", "--version", "1")
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
