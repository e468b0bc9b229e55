"""Issue 39 item 8, the saving and loading half: whatever a component is named, to_disk writes and from_disk
reads only inside the pipeline folder."""
from __future__ import annotations

from pathlib import Path

import pytest
import srsly

import plait
from plait.core.errors import UserError
from plait.core.pipeline import Language


@pytest.mark.parametrize("escape", ["abs", "../outside"])
def test_to_disk_never_writes_outside_the_folder(tmp_path, escape):
    outside = tmp_path / "outside"
    name = str(outside) if escape == "abs" else escape
    nlp = Language.blank("en")
    try:  # the name may be refused where it enters; if not, saving refuses it
        nlp.add_pipe("token_splitter", name=name)
    except (UserError, ValueError):
        return
    with pytest.raises(UserError, match="outside"):
        nlp.to_disk(tmp_path / "model")
    assert not outside.exists() and not (tmp_path / "model").exists()


def test_from_disk_never_reads_outside_the_folder(tmp_path):
    nlp = Language.blank("en")
    nlp.add_pipe("token_splitter", name="splitter")
    nlp.to_disk(tmp_path / "model")
    outside = tmp_path / "outside"
    (tmp_path / "model" / "splitter").rename(outside)  # what a component named by this absolute path would read
    for name in ("config.cfg", "meta.json"):
        path = tmp_path / "model" / name
        path.write_text(path.read_text().replace('"splitter"', f'"{outside}"').replace("[components.splitter]",
                                                                                      f"[components.{outside}]"))
    assert str(outside) in srsly.read_json(tmp_path / "model" / "meta.json")["pipeline"]
    with pytest.raises(UserError, match="outside"):
        plait.load(tmp_path / "model")
