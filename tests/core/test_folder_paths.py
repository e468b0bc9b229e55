"""Issue 39 item 8, the saving and loading half: whatever a component is named, to_disk writes and from_disk
reads only inside the pipeline folder."""
from __future__ import annotations

from pathlib import Path

import pytest
import srsly

import plait
from plait.core import fs
from plait.core.errors import UserError
from plait.core.pipeline import Language


def test_to_disk_never_writes_outside_the_folder(tmp_path):
    outside = tmp_path / "outside"
    name = str(outside)  # a relative escape ("../x") cannot pass add_pipe: its dots break the config's sections
    nlp = Language.blank("en")
    try:  # the name may be refused where it enters; if not, saving refuses it
        nlp.add_pipe("token_splitter", name=name)
    except (UserError, ValueError):
        return
    with pytest.raises(UserError, match="leads outside the folder"):
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
    with pytest.raises(UserError, match="leads outside the folder|component name"):  # refused here, or where
        plait.load(tmp_path / "model")  # names enter (issue 39 item 8's other half)


@pytest.mark.parametrize("name", ["/etc/passwd", "../x", "a/../../x", "up/x"])
def test_a_path_leading_out_of_the_folder_is_refused(tmp_path, name):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "up").symlink_to(tmp_path)  # "up/x" leads out through a link
    with pytest.raises(UserError, match="leads outside the folder"):
        fs.path_inside(folder, name)


def test_files_inside_are_read_within_their_bound(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.json").write_bytes(b"[1, 2]")
    (tmp_path / "link.json").symlink_to("a/f.json")
    assert fs.read_bytes_inside(tmp_path, "link.json", limit=6) == b"[1, 2]"
    with pytest.raises(UserError, match="larger than"):
        fs.read_bytes_inside(tmp_path, "a/f.json", limit=5)
    with pytest.raises(FileNotFoundError):
        fs.read_bytes_inside(tmp_path, "missing.json", limit=5)
    with pytest.raises(UserError, match="not a regular file .a folder."):
        fs.read_bytes_inside(tmp_path, "a", limit=5)
