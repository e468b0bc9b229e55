#!/usr/bin/env python3
"""LoRA adapters against full fine-tuning (issue 36, acceptance 1): all-MiniLM-L6-v2 + tagger + parser on
ud-en-ewt, CPU, one run after the other in the same invocation, then spacy-transformers on the same task.

Usage (from the repo root, with ../shared beside it):
    .venv/bin/python benchmarks/lora_vs_full.py [--out /tmp/lora-bench] [--epochs 2] [--limit 0] [--no-spacy]
                                                [--data ../shared/data/ud-en-ewt]

plait: `plait init-config --gpu -p tagger,parser` (full) and the same with `--adapter lora` (rank 8 on every
linear layer), the model swapped for MiniLM, trained for --epochs with evaluation only at the end, scored on test
with `plait evaluate`. spaCy: `spacy init config -p tagger,parser -G` with the same model (benchmarks/
transformer_vs_spacy.py's settings). Training words/s = training words x epochs / wall seconds of the whole train
command; peak RSS of the train command from /usr/bin/time -v. Trainable parameters: those the optimizer updates
(the adapters and the heads with LoRA, every weight without), over all the pipeline's weights, and the
transformer's alone (its adapters over its weights, the adapters included). Saved adapter
bytes: the transformer's weights file in model-last. --limit N trains and scores on the first N sentences of
each split (a smoke run; figures need --limit 0).

Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transformer_vs_spacy import EWT, count_words, minilm_path, train_plait, train_spacy  # noqa: E402


def limited_copy(corpus: Path, out: Path, limit: int) -> Path:
    """`corpus` (ud-en-ewt) with each split cut to its first `limit` sentences, in `out` (`corpus` itself for 0)."""
    if limit == 0:
        return corpus
    out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev", "test"):
        sentences = (corpus / f"{split}.conllu").read_text(encoding="utf8").split("\n\n")
        (out / f"{split}.conllu").write_text("\n\n".join(sentences[:limit]).strip() + "\n\n", encoding="utf8")
    return out


def parameter_counts(model_dir: Path) -> dict:
    """What the optimizer would update in the saved pipeline (`trainable_parameters`, as `plait train` builds
    it), against every weight of the pipeline."""
    from plait.core.components.contract import model_of
    from plait.core.training.objective import trainable_parameters

    import plait

    nlp = plait.load(model_dir)
    groups = trainable_parameters(nlp, [])
    trainable = sum(p.numel() for group in groups.values() for p in group)
    seen: dict[int, int] = {}
    for _, component in nlp.components:
        model = model_of(component)
        for p in model.parameters() if model is not None else ():
            seen[id(p)] = p.numel()
    total = sum(seen.values())
    encoder = sum(p.numel() for p in groups["transformer"])
    encoder_total = sum(p.numel() for p in model_of(nlp.get_pipe("transformer")).parameters())
    return {"trainable_params": trainable, "total_params": total, "trainable_fraction": round(trainable / total, 4),
            "transformer_trainable_params": encoder, "transformer_params": encoder_total,
            "transformer_trainable_fraction": round(encoder / encoder_total, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("/tmp/lora-bench"))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="Sentences per split (0: all).")
    parser.add_argument("--data", type=Path, default=EWT, help="The ud-en-ewt folder (train/dev/test.conllu).")
    parser.add_argument("--no-spacy", action="store_true", help="Skip the spacy-transformers run.")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = limited_copy(args.data, args.out / "data", args.limit)
    model = minilm_path()
    words = count_words(data / "train.conllu") * args.epochs
    runs = {"full": train_plait(args.out / "full", args.epochs, model, "tagger,parser", data=data),
            "lora": train_plait(args.out / "lora", args.epochs, model, "tagger,parser", ("--adapter", "lora"),
                                data=data)}
    for name, rec in runs.items():
        rec.update(parameter_counts(args.out / name / "model" / "model-last"))
    weights = args.out / "lora" / "model" / "model-last" / "transformer" / "model.safetensors"
    runs["lora"]["saved_adapter_bytes"] = weights.stat().st_size
    if not args.no_spacy:
        runs["spacy"] = train_spacy(args.out / "spacy", args.epochs, model, "tagger,parser", data=data)
    for rec in runs.values():
        rec["train_words"] = words
        rec["train_words_per_s"] = round(words / rec["train_wall_s"])
    full, lora = runs["full"], runs["lora"]
    result = {"epochs": args.epochs, "limit": args.limit, **runs,
              "las_diff": round(100 * (lora["dep_las"] - full["dep_las"]), 2),
              "tag_acc_diff": round(100 * (lora["tag_acc"] - full["tag_acc"]), 2),
              "train_words_per_s_ratio": round(lora["train_words_per_s"] / full["train_words_per_s"], 2)}
    if "spacy" in runs:
        result["lora_peak_rss_vs_spacy"] = round(lora["train_peak_rss_kb"] / runs["spacy"]["train_peak_rss_kb"], 2)
        result["full_peak_rss_vs_spacy"] = round(full["train_peak_rss_kb"] / runs["spacy"]["train_peak_rss_kb"], 2)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
