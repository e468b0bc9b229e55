"""`[components.x] source = "path"` through the console script, as the README documents it: fill-config keeps the
sourced blocks, debug-config builds them, train copies the trained components and trains the rest."""
import re
from pathlib import Path

import pytest
from test_bounded_inputs import plait_child

import plait

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests/fixtures/pipeline-0.1.0/model"
EXAMPLES = ROOT / "examples/data"
CONFIG = f'''[paths]
train = null
dev = null

[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger", "ner"]

[components]

[components.tok2vec]
source = "{SOURCE}"

[components.tagger]
source = "{SOURCE}"

[components.ner]
factory = "ner"

[corpora]

[corpora.train]
@readers = "plait.Corpus.v1"
path = ${{paths.train}}

[corpora.dev]
@readers = "plait.Corpus.v1"
path = ${{paths.dev}}

[training]
frozen_components = ["tok2vec", "tagger"]
max_steps = 4
eval_frequency = 2
'''


@pytest.mark.slow
def test_sourced_components_through_the_command_line(tmp_path):
    (tmp_path / "partial.cfg").write_text(CONFIG, encoding="utf8")
    done = plait_child("fill-config", tmp_path / "partial.cfg", tmp_path / "config.cfg")
    assert done.code == 0, done.err
    assert f'source = "{SOURCE}"' in (tmp_path / "config.cfg").read_text(encoding="utf8")
    done = plait_child("debug-config", tmp_path / "config.cfg")
    assert done.code == 0 and "['tok2vec', 'tagger', 'ner']" in done.err, done.err
    done = plait_child("train", tmp_path / "config.cfg", "--output", tmp_path / "out",
                       "--paths.train", EXAMPLES / "train", "--paths.dev", EXAMPLES / "dev")
    assert done.code == 0, done.err
    trained, source = plait.load(tmp_path / "out/model-last"), plait.load(SOURCE)
    text = "The cat sat on the mat in Paris ."
    assert trained.pipe_names == ["tok2vec", "tagger", "ner"]
    assert [t.tag_ for t in trained(text)] == [t.tag_ for t in source(text)]  # frozen: the source's own tagger


def test_a_sourced_block_with_extra_settings_or_everything_frozen_is_refused(tmp_path):
    bad = CONFIG.replace(f'[components.tagger]\nsource = "{SOURCE}"\n',
                         f'[components.tagger]\nsource = "{SOURCE}"\nfactory = "tagger"\n')
    (tmp_path / "bad.cfg").write_text(bad, encoding="utf8")
    done = plait_child("fill-config", tmp_path / "bad.cfg", tmp_path / "config.cfg")
    assert done.code == 0, done.err
    done = plait_child("debug-config", tmp_path / "config.cfg")
    assert done.code == 2 and re.match(r"error: components\.tagger\.\w+: a sourced component takes only source and "
                                       "component", done.err), done.err
    frozen = CONFIG.replace('frozen_components = ["tok2vec", "tagger"]', 'frozen_components = ["tok2vec", "tagger", "ner"]')
    (tmp_path / "frozen.cfg").write_text(frozen, encoding="utf8")
    assert plait_child("fill-config", tmp_path / "frozen.cfg", tmp_path / "config.cfg").code == 0
    done = plait_child("train", tmp_path / "config.cfg", "--paths.train", EXAMPLES / "train",
                       "--paths.dev", EXAMPLES / "dev")
    assert done.code == 2 and done.err.startswith("error: training.frozen_components: nothing to train"), done.err
    assert len(done.err.strip().splitlines()) == 1
