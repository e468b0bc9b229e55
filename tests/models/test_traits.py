"""The optional model attributes are declared once (plait/models/traits.py) and read only through it."""
import re
from pathlib import Path

from plait.models import traits
from plait.models.traits import ModelTraits

PLAIT = Path(traits.__file__).resolve().parents[1]


class _DeclaresAll:
    width, tokenwise, receptive_field, keeps_own_dropout = 7, True, 3, True
    mixed_precision, grad_scaler_config, exclusive_classes = True, {"init_scale": 8.0}, False


def test_each_declared_attribute_is_read_by_the_function_of_its_name():
    names = list(ModelTraits.__annotations__)
    assert {name: getattr(traits, name)(_DeclaresAll()) for name in names} == \
        {name: getattr(_DeclaresAll, name) for name in names}
    assert {name: getattr(traits, name)(object()) for name in names} == {
        "width": None, "tokenwise": False, "receptive_field": None, "keeps_own_dropout": False,
        "mixed_precision": False, "grad_scaler_config": {}, "exclusive_classes": None}


def test_no_module_but_traits_probes_a_model_attribute():
    probe = re.compile(r"getattr\((model|module|self\.model|layer)\b")
    found = [f"{path.relative_to(PLAIT.parent)}:{number}" for path in sorted(PLAIT.rglob("*.py"))
             if path.name != "traits.py"
             for number, line in enumerate(path.read_text(encoding="utf8").splitlines(), 1) if probe.search(line)]
    assert found == []
