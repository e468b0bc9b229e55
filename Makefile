# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Torch goes in first, pinned: an unpinned torch pulls a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: run test venv clean

$(BIN)/plait: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/plait

venv: $(BIN)/plait

# Train the example pipeline (shared tok2vec -> tagger + ner) on the bundled sample, score it, show predictions.
run: venv
	$(BIN)/plait train examples/configs/shared.cfg --output training --overwrite
	$(BIN)/plait evaluate training/model-best examples/data/dev
	$(BIN)/python examples/show.py training/model-best

test: venv
	$(BIN)/python -m pytest -q -n 2

clean:
	rm -rf $(VENV) build *.egg-info training
