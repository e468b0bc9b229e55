"""What starting plait costs: a pipeline of tables alone (what `plait init-vectors` writes) loads without torch
or the config schema's pydantic models, which only validation needs."""
import json
import subprocess
import sys

import numpy as np

LOAD = """import json, sys
import plait
nlp = plait.load(sys.argv[1])
heavy = ("torch", "plait.core.config_schema", "plait.models.settings", "pydantic.types")
print(json.dumps({"imported": [m for m in heavy if m in sys.modules], "words": nlp.vocab.vectors.words,
                  "data": nlp.vocab.vectors.data.tolist(), "tokens": [t.text for t in nlp("a cat sat")]}))
"""


def test_a_vectors_only_pipeline_loads_without_torch_or_the_schema(tmp_path):
    import plait
    from plait.core.vectors.table import Vectors

    data = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    nlp = plait.blank("en")
    nlp.vocab.vectors = Vectors(data, ["a", "cat", "sat"], name="toy")
    nlp.to_disk(tmp_path / "pipeline")
    out = subprocess.run([sys.executable, "-c", LOAD, str(tmp_path / "pipeline")], capture_output=True, text=True,
                         check=True)
    loaded = json.loads(out.stdout)
    assert loaded["imported"] == []
    assert loaded["words"] == ["a", "cat", "sat"] and np.allclose(loaded["data"], data)
    assert loaded["tokens"] == ["a", "cat", "sat"]


def test_import_plait_imports_nothing_heavy():
    code = "import sys, plait\nprint(sorted(m for m in ('torch', 'numpy', 'typer') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
