"""spaCy's spellings of plait's commands (`plait init config`, `plait debug data`, ...), through the console entry."""
import subprocess
import sys
from pathlib import Path

from cli_run import run

ROOT = Path(__file__).resolve().parents[2]


def test_init_config_and_init_fill_config_write_what_the_plain_commands_write(capsys, tmp_path):
    assert run(capsys, "init", "config", tmp_path / "a.cfg", "--pipeline", "tagger")[0] == 0
    assert run(capsys, "init-config", tmp_path / "b.cfg", "--pipeline", "tagger")[0] == 0
    assert (tmp_path / "a.cfg").read_text() == (tmp_path / "b.cfg").read_text()
    partial = tmp_path / "partial.cfg"
    partial.write_text('[nlp]\nlang = "en"\npipeline = ["tagger"]\n\n[components]\n\n[components.tagger]\nfactory = "tagger"\n')
    assert run(capsys, "init", "fill-config", partial, tmp_path / "c.cfg")[0] == 0
    assert run(capsys, "fill-config", partial, tmp_path / "d.cfg")[0] == 0
    assert (tmp_path / "c.cfg").read_text() == (tmp_path / "d.cfg").read_text()


def test_debug_config_and_debug_data_run_their_commands(capsys, tmp_path):
    run(capsys, "init-config", tmp_path / "config.cfg", "--pipeline", "tagger")
    code, out, err = run(capsys, "debug", "config", tmp_path / "config.cfg")
    assert code == 0 and "[components.tagger]" in out, err
    code, out, err = run(capsys, "debug", "data", tmp_path / "config.cfg",
                         "--paths.train", ROOT / "examples/data/dev/ewt.conllu",
                         "--paths.dev", ROOT / "examples/data/dev/ewt.conllu")
    assert code == 0 and "[tagger] learns TAG" in out, err


def test_group_help_lists_its_subcommands_and_an_unknown_one_is_a_usage_error(capsys):
    done = subprocess.run([sys.executable, "-m", "plait", "init", "--help"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=60)
    assert done.returncode == 0
    listed = done.stdout.split("Commands:")[1].split()
    assert {"config", "fill-config", "vectors"} <= set(listed)
    assert "init" in run(capsys, "--help")[1]
    code, _, err = run(capsys, "debug", "bogus")
    assert code == 2 and err.startswith("error: No such command 'bogus'")
