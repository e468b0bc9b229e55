"""spancat from the command line: init-config writes a complete block (suggester included) that debug-config
accepts beside ner, and a suggester size of 0 is one `error:` line naming the key, through the console script."""
import re

import pytest

from bad_input import assert_user_error, plait, plait_in_process


def _config(capsys, tmp_path, pipeline: str) -> str:
    cfg = tmp_path / "c.cfg"
    assert plait_in_process(capsys, "init-config", cfg, "--pipeline", pipeline).code == 0
    return cfg.read_text()


def _with_suggester(text: str, block: str) -> str:
    return re.sub(r'(\[components\.spancat\.suggester\]\n(#.*\n)*)(.*\n)+?\n', rf"\g<1>{block}\n\n", text)


@pytest.mark.parametrize("pipeline", ["spancat", "spancat_singlelabel,ner"])
def test_init_config_writes_a_complete_spancat_block(capsys, tmp_path, pipeline):
    text = _config(capsys, tmp_path, pipeline)
    name = pipeline.split(",")[0]
    assert f"[components.{name}.suggester]" in text and '@misc = "plait.ngram_range_suggester.v1"' in text
    assert f"[components.{name}.model.tok2vec]" in text and "spans_sc_f = " in text
    result = plait_in_process(capsys, "debug-config", tmp_path / "c.cfg")
    assert result.code == 0 and f"ok: pipeline ['tok2vec', {', '.join(map(repr, pipeline.split(',')))}]" in result.err


def test_a_suggester_size_of_zero_names_its_key_through_the_console_script(capsys, tmp_path):
    cfg = tmp_path / "c.cfg"
    cfg.write_text(_with_suggester(_config(capsys, tmp_path, "spancat"),
                                   '@misc = "plait.ngram_suggester.v1"\nsizes = [1,0,3]'))
    assert_user_error(plait("debug-config", cfg), "components.spancat.suggester.sizes")


def test_a_range_suggester_size_of_zero_names_its_key(capsys, tmp_path):
    cfg = tmp_path / "c.cfg"
    cfg.write_text(_with_suggester(_config(capsys, tmp_path, "spancat"),
                                   '@misc = "plait.ngram_range_suggester.v1"\nmin_size = 0\nmax_size = 3'))
    assert_user_error(plait_in_process(capsys, "debug-config", cfg), "components.spancat.suggester.min_size")
