"""Commands a spaCy user runs on a ported project: `plait evaluate` shows every component's scores, and a config
keeping spaCy's `[system] gpu_allocator` validates."""
from pathlib import Path

import torch
from cli_run import run

import plait

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "examples/data/dev/ewt.conllu"
TOK2VEC = {  # small: the scores only need to exist
    "@architectures": "plait.Tok2Vec.v1",
    "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": 16, "attrs": ["NORM", "SHAPE"],
              "rows": [300, 50], "include_static_vectors": False},
    "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": 16, "depth": 1, "window_size": 1,
               "maxout_pieces": 2},
}
LISTENER = {"@architectures": "plait.Tok2VecListener.v1", "width": 16, "upstream": "tok2vec"}


def test_evaluate_prints_the_parser_and_lemmatizer_scores(capsys, tmp_path):
    sentences = DEV.read_text(encoding="utf8").split("\n\n")[:12]
    corpus = tmp_path / "small.conllu"
    corpus.write_text("\n\n".join(sentences) + "\n\n", encoding="utf8")
    torch.manual_seed(0)
    nlp = plait.blank("en")
    nlp.add_pipe("tok2vec", config={"model": TOK2VEC})
    for factory, architecture in (("tagger", "plait.Tagger.v1"), ("parser", "plait.BiaffineParser.v3"),
                                  ("trainable_lemmatizer", "plait.Tagger.v1")):
        nlp.add_pipe(factory, config={"model": {"@architectures": architecture, "tok2vec": LISTENER}})
    examples = plait.read_corpus(corpus, nlp)
    nlp.update(examples, sgd=nlp.initialize(lambda: examples))
    nlp.to_disk(tmp_path / "model")
    code, out, err = run(capsys, "evaluate", tmp_path / "model", corpus)
    assert code == 0, err
    printed = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert {"TAG_ACC", "DEP_UAS", "DEP_LAS", "LEMMA_ACC", "SPEED"} <= printed


def test_system_gpu_allocator_pytorch_is_accepted_and_another_is_refused(capsys, tmp_path):
    config = tmp_path / "config.cfg"
    run(capsys, "init-config", config, "--pipeline", "tagger")
    code, out, err = run(capsys, "debug-config", config, "--system.gpu_allocator", "pytorch")
    assert code == 0 and 'gpu_allocator = "pytorch"' in out, err
    code, _, err = run(capsys, "debug-config", config, "--system.gpu_allocator", "cupy")
    assert code == 2 and err.splitlines() == ["error: system.gpu_allocator: input should be 'pytorch' (got 'cupy')"]


def test_migrate_config_keeps_the_pytorch_allocator(capsys, tmp_path):
    code, _, err = run(capsys, "migrate-config", ROOT / "tests/fixtures/spacy_configs/tagger_ner_gpu.cfg",
                       tmp_path / "plait.cfg")
    text = (tmp_path / "plait.cfg").read_text(encoding="utf8")
    system = text.split("[system]")[1].split("\n[")[0]
    assert code == 0 and 'gpu_allocator = "pytorch"' in system and "dropped" not in system, err
