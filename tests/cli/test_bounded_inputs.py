"""Issue 39, items 1, 2 and 10: what a file or a setting may make plait read or allocate is bounded, and checked
before anything is read or built; each refusal is one `error:` line and exit 2, through the console script."""
from __future__ import annotations

import gzip
import os
import resource
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from srsly import msgpack

from bad_input import ROOT, Result, assert_user_error, small_pipeline, write_corpus
from special_files import replace_with_special

SHARED = ROOT / "examples" / "configs" / "shared.cfg"


# The children run this checkout's plait on one torch thread.
CHILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def python_child(*argv: object, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python ARGV` in a child process; the timeout turns a hang into a failure instead of a stalled suite."""
    return subprocess.run([sys.executable, *map(str, argv)], capture_output=True, text=True, env=CHILD_ENV,
                          timeout=timeout)


def plait_child(*args: object, timeout: float = 120) -> Result:
    """`python -m plait ARGS` in a child process."""
    done = python_child("-m", "plait", *args, timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr)


def exit_code_and_torch(*args: object) -> tuple[str, str]:
    """`plait ARGS` run in a fresh child: ("exit CODE LOADED", stderr), LOADED saying whether torch was imported."""
    code = ("import sys\nfrom plait.cli.main import main\n"
            f"try:\n    main({[str(a) for a in args]!r})\n"
            "except SystemExit as done:\n    print('exit', done.code, 'torch' in sys.modules)\n")
    done = python_child("-c", code, timeout=60)
    return done.stdout.strip(), done.stderr


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return small_pipeline(tmp_path_factory.mktemp("model"))


def _copy(model: Path, folder: Path) -> Path:
    copy = folder / "model"
    shutil.copytree(model, copy)
    return copy


@pytest.mark.parametrize("name, special", [("strings.json", "/dev/urandom"), ("strings.json", "folder"),
                                           ("meta.json", "fifo"), ("config.cfg", "link to a fifo"),
                                           ("tagger/cfg.json", "fifo"), ("tagger/model.safetensors", "link to a fifo")])
def test_a_special_file_in_a_pipeline_folder_is_refused_before_it_is_opened(tmp_path, model, name, special):
    broken = _copy(model, tmp_path)
    replace_with_special(broken / name, special, tmp_path)
    corpus = write_corpus(tmp_path / "c.jsonl")
    result = plait_child("evaluate", broken, corpus, timeout=60)  # a hang fails here instead of stalling
    assert_user_error(result, name)


def test_a_link_out_of_the_pipeline_folder_is_not_followed_nor_quoted(tmp_path, model):
    broken = _copy(model, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET first line\n")
    (broken / "config.cfg").unlink()
    (broken / "config.cfg").symlink_to(secret)
    result = plait_child("evaluate", broken, write_corpus(tmp_path / "c.jsonl"))
    assert_user_error(result, "config.cfg", "outside")
    assert "TOP-SECRET" not in result.err


def test_a_link_inside_the_pipeline_folder_is_followed(tmp_path, model):
    broken = _copy(model, tmp_path)
    (broken / "meta.copy.json").write_bytes((broken / "meta.json").read_bytes())
    (broken / "meta.json").unlink()
    (broken / "meta.json").symlink_to("meta.copy.json")
    result = plait_child("evaluate", broken, write_corpus(tmp_path / "c.jsonl"))
    assert result.code == 0, result.err


def _docbin_bomb(path: Path, mib: int = 1430) -> Path:
    """A 1.5 MB `.spacy` file whose "tokens" inflate to 1.5 GB of zeros: one compressed MiB repeated (each piece
    ends in a full flush, so the copies are independent deflate blocks), with the right checksum."""
    zeros = bytes(1 << 20)
    head = b"\x83" + msgpack.packb("attrs") + msgpack.packb([65]) + msgpack.packb("tokens") + b"\xc6" + \
        (mib << 20).to_bytes(4, "big")
    tail = msgpack.packb("lengths") + msgpack.packb((1).to_bytes(4, "little"))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.compress(tail) + deflate.flush()
    check = zlib.adler32(head)
    for _ in range(mib):
        check = zlib.adler32(zeros, check)
    path.write_bytes(b"\x78\xda" + start + block * mib + end + zlib.adler32(tail, check).to_bytes(4, "big"))
    return path


def test_a_spacy_docbin_bomb_is_refused_in_bounded_memory(tmp_path):
    bomb = _docbin_bomb(tmp_path / "bomb.spacy")
    assert bomb.stat().st_size < 2_000_000
    # a fresh parent, so that the peak of getrusage(RUSAGE_CHILDREN) is this command's alone
    measure = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
               "sys.stderr.write(done.stderr); "
               "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = python_child("-c", measure, sys.executable, "-m", "plait", "convert", bomb, tmp_path / "out", timeout=300)
    code, peak_kib = map(int, done.stdout.split())
    assert_user_error(Result(code, "", done.stderr), "bomb.spacy:1", "inflates to more than")
    assert peak_kib < 200 * 1024, f"peak RSS {peak_kib} KiB"


@pytest.mark.parametrize("override, value, key", [
    ("components.tok2vec.model.encode.width", "1000000000", "components.tok2vec.model.encode.width"),
    ("components.tok2vec.model.embed.rows", "[1000000000000, 1000, 2500, 2500]", "components.tok2vec.model.embed.rows"),
    ("components.tok2vec.model.encode.depth", "1000000", "components.tok2vec.model.encode.depth")])
def test_debug_config_refuses_a_model_too_large_for_the_machine(override, value, key):
    result = plait_child("debug-config", SHARED, f"--{override}", value)
    assert_user_error(result, key, "would need about", "B of memory", "more than this machine's")


def test_debug_config_prints_the_estimate_of_each_component():
    result = plait_child("debug-config", SHARED)
    assert result.code == 0, result.err
    assert "# components.tok2vec: about 6.02 MB (1.5e+06 weights" in result.err
    assert "# components.ner: about" in result.err and "# components.tagger: about" in result.err


def test_a_migrated_spacy_config_with_a_huge_width_is_caught_the_same_way(tmp_path):
    spacy_config = tmp_path / "spacy.cfg"
    text = (ROOT / "tests/fixtures/spacy_configs/tagger_ner_efficiency.cfg").read_text()
    spacy_config.write_text(text.replace("width = 96", "width = 1000000000"))
    plait_child("migrate-config", spacy_config, tmp_path / "plait.cfg")  # its own checks are another issue's
    assert (tmp_path / "plait.cfg").exists()
    result = plait_child("debug-config", tmp_path / "plait.cfg")
    assert_user_error(result, "components.tok2vec.model.encode.width", "would need about")


@pytest.mark.parametrize("head, body, named", [
    (b"", b"a" * (1 << 26), "vectors.gz:1: a line longer than"),  # one endless line
    (b"w 0.1 0.2\n", b"b" * (1 << 26), "vectors.gz:2: a line longer than"),
    (b"2 3\n", bytes(1 << 26), "vectors.gz:2: no word of at most"),  # binary rows without a word's end
    (b"2 1000000000\n", b"w 1\n", "vectors.gz:1: 1000000000 values per vector")])
def test_a_compressed_vectors_file_cannot_make_plait_buffer_without_bound(tmp_path, head, body, named):
    vectors = tmp_path / "vectors.gz"
    vectors.write_bytes(gzip.compress(head + body, compresslevel=1))
    assert_user_error(plait_child("init-vectors", "en", vectors, tmp_path / "out"), named)


@pytest.mark.parametrize("name, special", [("config.cfg", "fifo"), ("strings.json", "fifo"),
                                           ("strings.json", "/dev/urandom")])
def test_a_sourced_pipeline_is_read_through_the_same_checks(tmp_path, model, name, special):
    """`[components.x] source = "path"` reads the source pipeline's files as plait.load does."""
    broken = _copy(model, tmp_path)
    replace_with_special(broken / name, special, tmp_path)
    code = ("from confection import Config\nfrom plait.core.errors import UserError\n"
            "from plait.core.sourcing import expand_sources, load_sources\nimport plait\n"
            f"config = Config({{'components': {{'tagger': {{'source': {str(broken)!r}}}}}}})\n"
            "try:\n    config, sources = expand_sources(config)\n"
            "    load_sources(plait.load(" + repr(str(model)) + "), sources)\n"
            "except UserError as err:\n    print('refused:', err)\n")
    done = python_child("-c", code, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("refused:") and name in done.stdout, done.stderr


def test_a_checkpoint_whose_training_json_is_a_fifo_is_refused(tmp_path):
    """The checkpoint's training.json goes through the checked reader: a FIFO is refused, never opened."""
    folder = tmp_path / "checkpoint"
    folder.mkdir()
    os.mkfifo(folder / "training.json")
    code = ("from confection import Config\nfrom pathlib import Path\nfrom plait.core.errors import UserError\n"
            "from plait.core.training.checkpoint import read_checkpoint\n"
            f"try:\n    read_checkpoint(Path({str(folder)!r}), config=Config(), kind='train')\n"
            "except UserError as err:\n    print('refused:', err)\n")
    done = python_child("-c", code, timeout=60)
    assert done.returncode == 0 and "refused: damaged checkpoint:" in done.stdout, done.stderr
    assert "not a regular file" in done.stdout


def test_debug_config_refuses_a_huge_model_before_importing_torch():
    """The refusal costs what reading the config costs: torch (about 2 s to import) is never loaded for it."""
    width = ("--components.tok2vec.model.encode.width", "1000000000")
    outcome, stderr = exit_code_and_torch("debug-config", SHARED, *width)
    assert outcome == "exit 2 False", (outcome, stderr)


@pytest.mark.parametrize("name, special", [("tagger/cfg.json", "fifo"), ("strings.json", "/dev/urandom")])
def test_a_special_file_in_a_pipeline_folder_is_refused_before_torch_loads(tmp_path, model, name, special):
    """The whole folder is checked first, so the refusal costs what reading the folder's names costs (torch,
    about 2 s to import, is never loaded for it)."""
    broken = _copy(model, tmp_path)
    replace_with_special(broken / name, special, tmp_path)
    corpus = write_corpus(tmp_path / "c.jsonl")
    outcome, stderr = exit_code_and_torch("evaluate", broken, corpus)
    assert outcome == "exit 2 False", (outcome, stderr)
    assert name in stderr
