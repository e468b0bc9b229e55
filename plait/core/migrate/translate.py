"""Translate a spaCy v3 training config (spacy-transformers blocks included) into a plait config, noting every
setting changed or dropped; a block with no plait equivalent is a ConfigError naming it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from confection import Config

from plait.core.errors import ConfigError
from plait.core.migrate.rules import FACTORIES, LOGGERS, RULES, Lift, Rule

_KEPT = {
    "system": ("seed",),
    "nlp": ("lang", "pipeline", "batch_size", "disabled"),
    "training": ("seed", "dropout", "accumulate_gradient", "patience", "max_epochs", "max_steps", "eval_frequency",
                 "frozen_components", "annotating_components", "dev_corpus", "train_corpus"),
    "initialize": ("vectors", "init_tok2vec"),
    "pretraining": ("max_epochs", "dropout", "n_save_every", "n_save_epoch", "component", "layer", "corpus"),
}
_BLOCKS = {"nlp": ("tokenizer",), "training": ("optimizer", "batcher"), "pretraining": ("batcher", "optimizer",
                                                                                         "objective")}
_WHY = {
    "gpu_allocator": "plait allocates GPU memory through PyTorch alone (gpu_allocator is \"pytorch\" or null)",
    "vectors": "plait loads static vectors from [initialize] vectors",
    "scorer": "plait's components score themselves, under spaCy's score names",
    "before_creation": "plait has no creation callbacks", "after_creation": "plait has no creation callbacks",
    "after_pipeline_creation": "plait has no creation callbacks", "before_to_disk": "plait has no callbacks",
    "before_update": "plait has no callbacks", "before_init": "plait has no callbacks",
    "after_init": "plait has no callbacks", "vocab_data": "plait builds its vocab from the data",
    "lookups": "plait has no lookup tables", "tokenizer": "plait's tokenizer needs no initialization data",
}
# spaCy's transition-based parser becomes plait's biaffine parser
_PARSER = Rule("plait.BiaffineParser.v1", {"tok2vec": "tok2vec"}, {
    key: "plait's parser is a biaffine graph parser, not a transition-based one"
    for key in ("state_type", "extra_state_tokens", "hidden_width", "maxout_pieces", "use_upper", "nO")})


@dataclass
class Notes:
    """What migration changed: notes for the whole file, per section, and per setting (by (section, key))."""

    header: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)

    def dropped(self, section: str, key: str, value: Any, why: str) -> None:
        self.sections.setdefault(section, []).append(f"dropped {key} = {_show(value)}: {why}")


def _show(value: Any) -> str:
    """A setting's value as JSON (a dropped block whole, so that none of its settings goes unmentioned)."""
    return json.dumps(value, ensure_ascii=False)


class Migrator:
    def __init__(self) -> None:
        self.notes = Notes()

    def block(self, block: Any, path: str, rule: Rule | None = None) -> Any:
        """A registered-function block (or a plain section) translated by its rule, recursively."""
        if not isinstance(block, dict):
            return block
        refs = [k for k in block if str(k).startswith("@")]
        if not refs and rule is None:
            return {k: self.block(v, f"{path}.{k}") for k, v in block.items()}
        ref = refs[0] if refs else None
        if rule is None:
            rule = RULES.get(block[ref])
            if rule is None:
                raise ConfigError(f"{path}: cannot translate {ref} = {block[ref]!r}: plait has no equivalent "
                                  "(replace it, or remove the block, then migrate again)")
        settings = {k: v for k, v in block.items() if k != ref}
        if rule.build is not None:
            self.notes.keys[(path, ref)] = f"was {block[ref]} {_show(settings)}, written out as plait's layers"
            return rule.build(settings)
        out: dict[str, Any] = {}
        if ref:
            out[ref] = rule.plait
            self.notes.keys[(path, ref)] = f"was {block[ref]}"
        for key, value in settings.items():
            if key in rule.lift:
                out.update(self.lifted(value, f"{path}.{key}", path, rule.lift[key]))
            elif key in rule.keep:
                new = rule.keep[key]
                out[new] = self.block(value, f"{path}.{new}")
                notes = [f"spaCy's {key} = {_show(value)}"] if new != key else []
                if key in rule.advice:
                    notes.append(rule.advice[key])
                if notes:
                    self.notes.keys[(path, new)] = ": ".join(notes)
            else:
                self.notes.dropped(path, key, value, rule.drop.get(key) or _WHY.get(key)
                                   or f"not a setting of {rule.plait}")
        return out

    def lifted(self, block: Any, path: str, parent: str, lift: Lift) -> dict[str, Any]:
        """The settings of sub-block `path` that plait keeps on the block above (`parent`), each noted."""
        ref = next((k for k in block if str(k).startswith("@")), None) if isinstance(block, dict) else None
        if ref is None or block[ref] not in lift.functions:
            raise ConfigError(f"{path}: cannot translate {_show(block)}: plait translates only "
                              f"{' or '.join(lift.functions)} here (replace it, then migrate again)")
        out: dict[str, Any] = {}
        for key, value in block.items():
            if key == ref:
                continue
            if key in lift.keep:
                out[lift.keep[key]] = value
                self.notes.keys[(parent, lift.keep[key])] = (f"spaCy's {path.rsplit('.', 1)[-1]} block (was "
                                                             f"{block[ref]}) set {key} = {_show(value)}")
            else:
                self.notes.dropped(parent, f"{path.rsplit('.', 1)[-1]}.{key}", value, "not a setting of plait's model")
        return out

    def section(self, config: Config, name: str) -> dict[str, Any]:
        """A top-level section: plain settings kept or dropped, its blocks translated."""
        special = {("training", "score_weights"): self.score_weights,
                   ("training", "logger"): lambda block: self.logger(block, "training.logger"),
                   ("initialize", "components"): self.initialize_components}
        out: dict[str, Any] = {}
        for key, value in config[name].items():
            if key in _KEPT.get(name, ()) or (name, key) == ("system", "gpu_allocator") and value in (None, "pytorch"):
                out[key] = value  # spaCy's allocators: torch's is plait's, and the setting says so
            elif (name, key) in special:
                translated = special[(name, key)](dict(value))
                if translated is not None:
                    out[key] = translated
            elif key in _BLOCKS.get(name, ()):
                out[key] = self.block(value, f"{name}.{key}")
            else:
                self.notes.dropped(name, key, value, _WHY.get(key, f"plait's [{name}] has no {key}"))
        return out

    def component(self, name: str, block: dict[str, Any]) -> dict[str, Any]:
        path = f"components.{name}"
        if "source" in block:
            raise ConfigError(f"{path}.source: cannot translate a component sourced from a spaCy pipeline "
                              "(plait cannot load spaCy's weights): train it from a factory instead")
        factory = block.get("factory")
        rule = FACTORIES.get(factory)
        if rule is None:
            raise ConfigError(f"{path}: cannot translate factory {factory!r}: plait has no such component")
        out: dict[str, Any] = {"factory": rule.plait}
        for key, value in block.items():
            if key == "factory":
                continue
            if key == "model" and factory == "parser":
                out[key] = self.block(value, f"{path}.model", _PARSER)
                self.notes.keys[(f"{path}.model", "@architectures")] = f"was {value.get('@architectures')}"
            elif key in rule.keep:
                out[key] = self.block(value, f"{path}.{key}")
            else:
                self.notes.dropped(path, key, value, rule.drop.get(key) or _WHY.get(key)
                                   or f"not a setting of plait's {rule.plait}")
        return out

    def logger(self, block: dict[str, Any], path: str) -> dict[str, Any] | None:
        """A logger block translated; spaCy's ChainLogger becomes plait's MultiLogger of the translated ones."""
        name = block.get("@loggers")
        settings = {k: v for k, v in block.items() if k != "@loggers"}
        if name == "spacy.ChainLogger.v1":
            self.notes.keys[(path, "@loggers")] = f"was {name}"
            chained = {key: self.logger(dict(value), f"{path}.loggers.{key}")
                       for key, value in settings.items() if isinstance(value, dict)}
            return {"@loggers": "plait.MultiLogger.v1", "loggers": {k: v for k, v in chained.items() if v}}
        if name not in LOGGERS:
            self.notes.dropped(path.rsplit(".", 1)[0], path.rsplit(".", 1)[1], block,
                               f"plait has no equivalent of {name}; plait train prints its table and writes "
                               "metrics.jsonl")
            return None
        return self.block(block, path, LOGGERS[name])

    def score_weights(self, weights: dict[str, Any]) -> dict[str, float]:
        kept = {k: v for k, v in weights.items() if v is not None}
        nulls = sorted(set(weights) - set(kept))
        if nulls:
            self.notes.sections.setdefault("training.score_weights", []).append(
                f"dropped {', '.join(nulls)} = null (reported, not weighted)")
        return kept

    def initialize_components(self, components: dict[str, Any]) -> dict[str, Any]:
        """[initialize.components]: a `srsly.read_jsonl.v1` reader becomes the file path plait reads itself."""
        out: dict[str, Any] = {}
        for name, settings in components.items():
            out[name] = {}
            for key, value in settings.items():
                if isinstance(value, dict) and value.get("@readers") == "srsly.read_jsonl.v1":
                    out[name][key] = value["path"]
                    self.notes.keys[(f"initialize.components.{name}", key)] = "spaCy's srsly.read_jsonl.v1 reader"
                elif isinstance(value, dict):
                    raise ConfigError(f"initialize.components.{name}.{key}: cannot translate this block")
                else:
                    out[name][key] = value
        return out


def check_spacy_config(config: Config) -> None:
    """Refuse what is not a spaCy pipeline config (an empty file, a plain .ini) before converting anything."""
    missing = [f"[{name}]" for name in ("nlp", "components") if not isinstance(config.get(name), dict)]
    if missing:
        raise ConfigError(f"not a spaCy config: it has no {' or '.join(missing)} section")


def migrate(config: Config) -> tuple[Config, Notes]:
    """The plait form of an (uninterpolated) spaCy config, and the notes on what changed."""
    check_spacy_config(config)
    m = Migrator()
    out: dict[str, Any] = {}
    for name in config:
        if name == "paths":
            out["paths"] = dict(config["paths"])
            vectors = out["paths"].get("vectors")
            if isinstance(vectors, str) and "/" not in vectors and "\\" not in vectors:
                out["paths"]["vectors"] = None
                m.notes.keys[("paths", "vectors")] = (f"was {vectors!r}, a spaCy package, which plait cannot read: "
                                                      "point it at a table made by `plait init-vectors`")
        elif name == "components":
            out["components"] = {n: m.component(n, dict(b)) for n, b in config["components"].items()}
        elif name == "corpora":
            out["corpora"] = {n: m.block(dict(b), f"corpora.{n}") for n, b in config["corpora"].items()}
        elif name in _KEPT:
            if name == "pretraining" and not config[name]:
                m.notes.header.append("dropped the empty [pretraining] section")
                continue
            out[name] = m.section(config, name)
        else:
            raise ConfigError(f"[{name}]: cannot translate this section: plait has no equivalent")
    return Config(out, is_interpolated=False), m.notes


def render(config: Config, notes: Notes, source: str) -> str:
    """Config text with `# migrate-config:` comments: file notes first, section notes under each header,
    setting notes above the setting."""
    body: list[str] = []
    shown: set[str] = set()
    section = ""
    for line in config.to_str().splitlines():
        if line.startswith("["):
            section = line.strip("[]")
            shown.add(section)
            body += [line, *[f"# migrate-config: {n}" for n in notes.sections.get(section, [])]]
            continue
        key = line.split(" = ", 1)[0]
        if " = " in line and (section, key) in notes.keys:
            body.append(f"# migrate-config: {notes.keys[(section, key)]}")
        body.append(line)
    head = [f"# Migrated from the spaCy config {source} by plait migrate-config: every setting it changed or",
            "# dropped has a `# migrate-config:` comment.", *[f"# migrate-config: {n}" for n in notes.header],
            *[f"# migrate-config: [{s}] {n}" for s, ns in notes.sections.items() if s not in shown for n in ns]]
    return "\n".join(head + [""] + body) + "\n"
