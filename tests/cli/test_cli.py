"""The `plait` command as a user at a shell sees it: help, version, configs and exit codes."""
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import plait
from plait.cli.main import main


def run(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def test_version_and_help(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"plait {plait.__version__}"
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("init-config", "fill-config", "debug-config", "convert", "train", "pretrain", "init-vectors",
                    "evaluate", "apply"):
        assert command in out


def test_a_command_starts_without_importing_the_others():
    # `plait init-vectors` must not pay for torch (about 1 s) just to parse its arguments
    code = ("import sys\nfrom plait.cli.main import main\ntry:\n    main(['init-vectors', '--help'])\n"
            "except SystemExit as e:\n    assert e.code == 0\nprint('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LANG" in result.stdout and result.stdout.split()[-1] == "False"


def test_root_help_lists_every_command_without_importing_them(capsys):
    # the listing comes from main._COMMANDS; it must read as it does with every command module imported
    code = ("import sys\nfrom plait.cli.main import main\ntry:\n    main(['--help'])\n"
            "except SystemExit as e:\n    assert e.code == 0\nprint('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lazy, torch_imported = result.stdout.rsplit("\n", 2)[0], result.stdout.split()[-1]
    assert torch_imported == "False"
    from plait.cli import main as cli_main

    for module, _ in cli_main._COMMANDS.values():
        importlib.import_module(f"plait.cli.{module}")
    code, full, _ = run(capsys, "--help")
    assert code == 0 and full.rstrip("\n") == lazy.rstrip("\n")
    assert sorted(c.name for c in cli_main.app.registered_commands) == sorted(cli_main._COMMANDS)


def test_console_script_is_installed():
    exe = Path(sys.executable).with_name("plait")
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("plait ")


def test_init_fill_debug_config(capsys, tmp_path):
    cfg, full = tmp_path / "c.cfg", tmp_path / "full.cfg"
    assert run(capsys, "init-config", cfg, "--lang", "en", "--pipeline", "tagger,ner")[0] == 0
    assert run(capsys, "fill-config", cfg, full)[0] == 0
    code, out, err = run(capsys, "debug-config", full)
    assert code == 0 and "[components.ner.model]" in out and "ok: pipeline ['tok2vec', 'tagger', 'ner']" in err
    code, _, err = run(capsys, "init-config", cfg)
    assert code == 2 and "exists" in err


def test_fill_config_takes_overrides(capsys, tmp_path):
    cfg, full = tmp_path / "c.cfg", tmp_path / "full.cfg"
    run(capsys, "init-config", cfg, "--pipeline", "tagger")
    assert run(capsys, "fill-config", cfg, full, "--training.max_steps", "123")[0] == 0
    assert "max_steps = 123" in full.read_text()


def test_deleting_a_required_key_exits_2_naming_it(capsys, tmp_path):
    cfg = tmp_path / "c.cfg"
    run(capsys, "init-config", cfg, "--pipeline", "tagger")
    text = cfg.read_text().replace("depth = 4\n", "")
    cfg.write_text(text)
    code, out, err = run(capsys, "debug-config", cfg)
    assert code == 2
    assert err.strip() == "error: components.tok2vec.model.encode.depth: missing required setting for " \
                          "'plait.MaxoutWindowEncoder.v1'"
    assert "Traceback" not in err


def test_override_typo_and_missing_file(capsys, tmp_path):
    cfg = tmp_path / "c.cfg"
    run(capsys, "init-config", cfg, "--pipeline", "tagger")
    code, _, err = run(capsys, "debug-config", cfg, "--trainng.max_steps", "5")
    assert code == 2 and "did you mean 'training'" in err
    code, _, err = run(capsys, "debug-config", tmp_path / "nope.cfg")
    assert code == 2 and "nope.cfg: config file not found" in err


def test_code_file_registers_user_architectures(capsys, tmp_path):
    code_file = tmp_path / "mine.py"
    code_file.write_text(
        "from plait.core.registry import registry\n"
        "from plait.models.architectures import build_mish_window_encoder\n"
        "@registry.architectures('mine.Encoder.v1')\n"
        "def encoder(*, width: int):\n"
        "    return build_mish_window_encoder(width=width, depth=1, window_size=1)\n")
    cfg = tmp_path / "c.cfg"
    run(capsys, "init-config", cfg, "--pipeline", "tagger")
    text = cfg.read_text().replace('@architectures = "plait.MaxoutWindowEncoder.v1"', '@architectures = "mine.Encoder.v1"')
    text = text.replace("depth = 4\n", "").replace("window_size = 1\n", "").replace("maxout_pieces = 3\n", "")
    cfg.write_text(text)
    assert run(capsys, "debug-config", cfg)[0] == 2
    code, out, _ = run(capsys, "debug-config", cfg, "--code", code_file)
    assert code == 0 and "mine.Encoder.v1" in out
