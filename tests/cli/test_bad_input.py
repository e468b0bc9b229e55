"""One test per root cause of issue 13, through the console script: exit 2, one `error:` line naming the
file:line or config key, no traceback, nothing on disk lost."""
from pathlib import Path

import pytest
import srsly

from bad_input import ROOT, assert_user_error, plait, plait_in_process, small_pipeline, write_corpus

pytestmark = pytest.mark.slow
SHARED = ROOT / "examples" / "configs" / "shared.cfg"


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return small_pipeline(tmp_path_factory.mktemp("model"))


def test_1_non_utf8_bytes_name_file_line_and_byte(capsys, tmp_path, model):
    bad = tmp_path / "x.conllu"
    bad.write_bytes("# text = a\n1\ta\ta\tX\tX\t_\t0\troot\t_\t_\n".encode() + b"2\tcaf\xe9\tx\tX\tX\t_\t1\tdep\t_\t_\n")
    assert_user_error(plait("evaluate", model, bad), f"{bad}:3: not UTF-8 (byte 0xe9 at column 6)")
    texts = tmp_path / "in.txt"
    texts.write_bytes(b"fine\nna\xefve\n")
    assert_user_error(plait_in_process(capsys, "apply", model, texts, tmp_path / "out.jsonl"),
                      f"{texts}:2: not UTF-8 (byte 0xef")
    assert not (tmp_path / "out.jsonl").exists()


def test_2_empty_texts_run_and_keep_every_doc(tmp_path, model):
    texts = tmp_path / "in.jsonl"
    srsly.write_jsonl(texts, [{"text": "Ada met Bob."}, {"text": ""}, {"text": "   "}, {"text": "Paris"}])
    result = plait("apply", model, texts, tmp_path / "out.jsonl")
    assert result.code == 0, result.err
    docs = list(srsly.read_jsonl(tmp_path / "out.jsonl"))
    assert [d["text"] for d in docs] == ["Ada met Bob.", "", "   ", "Paris"]


def test_3_wrong_json_types_name_the_key_and_line(capsys, tmp_path, model):
    corpus = tmp_path / "c.jsonl"
    srsly.write_jsonl(corpus, [{"words": ["a", "b"]}, {"words": "John Smith went"}])
    assert_user_error(plait("evaluate", model, corpus), f'{corpus}:2: "words" must be a list of non-empty strings')
    srsly.write_jsonl(corpus, [{"text": "a b", "cats": ["POS"]}])
    assert_user_error(plait_in_process(capsys, "evaluate", model, corpus), f'{corpus}:1: "cats" must be an object')


def test_4_a_zero_eval_frequency_stops_debug_config_and_train():
    for command in ("debug-config", "train"):
        assert_user_error(plait(command, SHARED, "--training.eval_frequency", "0"), "training.eval_frequency")


@pytest.mark.parametrize("override, key", [
    (("--training.max_steps", "abc"), "training.max_steps"),
    (("--training.max_steps", "-5"), "training.max_steps"),
    (("--training.dropout", "1.5"), "training.dropout"),
    (("--training.optimizer", "5"), "training.optimizer"),
    (("--training.mixed_precision", "maybe"), "training.mixed_precision"),
    (("--nlp.disabled", '["parser"]'), "nlp.disabled"),
    (("--paths.vector", "x"), "--paths.vector"),
])
def test_4_section_values_are_typed_and_ranged(capsys, override, key):
    for command in ("debug-config", "train"):
        assert_user_error(plait_in_process(capsys, command, SHARED, *override), key)


@pytest.mark.parametrize("override, key", [
    (("--components.tok2vec.model.encode.maxout_pieces", "1"), "components.tok2vec.model.encode.maxout_pieces"),
    (("--components.tok2vec.model.embed.rows", "[10, 10]"), "components.tok2vec.model.embed: "),
    (("--components.tok2vec.model.embed.attrs", '["BOGUS", "NORM", "PREFIX", "SUFFIX"]'), "'BOGUS'"),
    (("--components.tok2vec.model.embed.width", "64"), "embed.width 64 must equal encode.width 96"),
])
def test_5_builder_refusals_are_config_errors_naming_the_block(capsys, override, key):
    assert_user_error(plait_in_process(capsys, "debug-config", SHARED, *override), key)


def test_5_through_the_console_script():
    result = plait("debug-config", SHARED, "--components.tok2vec.model.embed.width", "64")
    assert_user_error(result, "components.tok2vec.model: embed.width 64 must equal encode.width 96")


def test_6_unknown_score_weight_lists_the_pipelines_scores():
    result = plait("debug-config", SHARED, "--training.score_weights.tag_ac", "1")
    assert_user_error(result, "training.score_weights.tag_ac", "tag_acc", "ents_f")


def test_7_damaged_model_folders_are_model_load_errors(capsys, tmp_path, model):
    corpus = write_corpus(tmp_path / "c.jsonl")
    for damage, named in ((lambda m: srsly.write_json(m / "meta.json", [1]), "meta.json"),
                          (lambda m: srsly.write_json(m / "ner" / "cfg.json", {}), "cfg.json"),
                          (lambda m: (m / "config.cfg").write_text((m / "config.cfg").read_text().replace(
                              "plait.EntityTagger.v1", "my.Tagger.v1")), "pass the file that registers it with --code")):
        broken = tmp_path / f"m{len(list(tmp_path.iterdir()))}"
        broken.mkdir()
        for path in model.rglob("*"):
            target = broken / path.relative_to(model)
            target.mkdir(exist_ok=True) if path.is_dir() else target.write_bytes(path.read_bytes())
        damage(broken)
        result = plait("evaluate", broken, corpus) if named == "meta.json" else \
            plait_in_process(capsys, "evaluate", broken, corpus)
        assert_user_error(result, named)


def test_8_a_failing_code_file_names_its_line(capsys, tmp_path, model):
    code = tmp_path / "mine.py"
    code.write_text("import os\n\nimport no_such_module_here\n")
    corpus = write_corpus(tmp_path / "c.jsonl")
    assert_user_error(plait("debug-config", SHARED, "--code", code), f"{code}:3:", "ModuleNotFoundError")
    for args in (("evaluate", model, corpus), ("apply", model, corpus, tmp_path / "o.jsonl")):
        assert_user_error(plait_in_process(capsys, *args, "--code", code), f"{code}:3:", "ModuleNotFoundError")
    code.write_text("x = 1\ndef broken(:\n")
    assert_user_error(plait_in_process(capsys, "debug-config", SHARED, "--code", code), f"{code}:2:", "SyntaxError")


def test_9_odd_inputs(capsys, tmp_path, model):
    conllu = tmp_path / "u.conllu"
    conllu.write_text("1\ta\ta\tX\tX\t_\t¹\tdep\t_\t_\n", encoding="utf8")
    assert_user_error(plait("evaluate", model, conllu), f"{conllu}:1: HEAD '¹'")
    assert_user_error(plait_in_process(capsys, "apply", model, tmp_path, tmp_path / "o.jsonl"), "is a folder")
    assert_user_error(plait_in_process(capsys, "apply", model, conllu, tmp_path / "o.jsonl", "--batch-size", "-1"),
                      "--batch-size: must be at least 1")
    surrogate = tmp_path / "s.jsonl"
    surrogate.write_text('{"text": "a \\ud800 b"}\n')
    assert_user_error(plait_in_process(capsys, "apply", model, surrogate, tmp_path / "o.jsonl"), f"{surrogate}:1:",
                      "surrogate")
    tsv = tmp_path / "t.tsv"
    tsv.write_text("sentence\tcategory\nnice film\tpos\n")
    assert_user_error(plait_in_process(capsys, "evaluate", model, tsv), f"{tsv}:1:", "'label'")
    cfg = tmp_path / "c.cfg"
    cfg.write_text(SHARED.read_text().replace('pipeline = ["tok2vec", "tagger", "ner"]', 'pipeline = ["tok2vec", "tagger"'))
    assert_user_error(plait_in_process(capsys, "debug-config", cfg), "nlp.pipeline: input should be a valid list")  # one line, not 20


def test_9_vectors_cut_short_or_with_a_bom(capsys, tmp_path):
    import gzip

    text = b"3 2\nthe 0.1 0.2\ncat 0.3 0.4\ndog 0.5 0.6\n"
    cut = tmp_path / "v.vec.gz"
    cut.write_bytes(gzip.compress(text)[:30])
    assert_user_error(plait("init-vectors", "en", cut, tmp_path / "out"), f"{cut}:1: damaged or cut-short gzip")
    assert not (tmp_path / "out").exists()
    bom = tmp_path / "b.vec"
    bom.write_bytes(b"\xef\xbb\xbf" + text)
    result = plait_in_process(capsys, "init-vectors", "en", bom, tmp_path / "out2")
    assert result.code == 0 and "3 rows x 2 dims" in result.out, result.err
    nan = tmp_path / "n.vec"
    nan.write_bytes(text.replace(b"0.3", b"nan"))
    assert_user_error(plait_in_process(capsys, "init-vectors", "en", nan, tmp_path / "out3"),
                      f"{nan}: the vector of 'cat' (row 2)")


def test_9_entity_scores_are_null_without_entities(tmp_path, model):
    corpus = tmp_path / "c.jsonl"
    srsly.write_jsonl(corpus, [{"words": ["a", "b"], "tags": ["DT", "NN"], "entities": ["O", "O"]}])
    out = tmp_path / "scores.json"
    result = plait("evaluate", model, corpus, "--output", out)
    assert result.code == 0, result.err
    assert srsly.read_json(out)["ents_f"] is None and "ENTS_F" not in result.out


def test_10_conll2003_columns_named_txt_give_tags_and_entities(capsys, tmp_path, model):
    corpus = tmp_path / "eng.train.txt"
    corpus.write_text("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n"
                      "call NN I-NP O\n. . O O\n")
    result = plait("evaluate", model, corpus)
    assert result.code == 0, result.err
    assert "TAG_ACC" in result.out and "ENTS_F" in result.out
    unknown = tmp_path / "u.jsonl"
    srsly.write_jsonl(unknown, [{"txt": "a typo of text"}])
    assert_user_error(plait_in_process(capsys, "evaluate", model, unknown), f"{unknown}:1: unknown key 'txt'")
