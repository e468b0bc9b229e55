"""Loading, overriding, validating and filling confection configs, with errors that name the dotted path."""
from __future__ import annotations

import difflib
import inspect
import json
import traceback
import typing
from pathlib import Path
from typing import Any, Iterable

from confection import Config, ConfigValidationError

from plait.core.component_defaults import with_default_model
from plait.core.errors import ConfigError, UserError
from plait.core.model_memory import check_fits
from plait.core.registry import catalog, ensure_registered, registry

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.cfg")
PRETRAINING_CONFIG_PATH = Path(__file__).with_name("pretraining_config.cfg")
SECTIONS = ("paths", "system", "nlp", "components", "corpora", "training", "initialize", "pretraining")
# Sections whose keys are fixed by the default config (unknown keys are errors, missing keys too).
FIXED_SECTIONS = ("system", "nlp", "training", "initialize", "pretraining")
# Settings added after configs were written with their sections: a config without one gets its default.
OPTIONAL_SETTINGS = ("system.threads", "system.gpu_allocator")


def load_config(path: str | Path, overrides: dict[str, Any] | None = None, *, interpolate: bool = False) -> Config:
    """Read a config file (`-` for stdin), apply `--section.key value` overrides, optionally interpolate."""
    path_str = str(path)
    try:
        text = _read_stdin() if path_str == "-" else Path(path).read_text(encoding="utf8")
    except FileNotFoundError:
        raise UserError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read config file ({err})") from err
    try:
        config = Config().from_str(text, interpolate=False)
    except Exception as err:  # confection raises several types for syntax errors
        detail = " ".join(str(err).split())
        raise ConfigError(f"{path}: cannot parse config: {detail}") from err
    config = apply_overrides(config, overrides or {})
    return interpolate_config(config, path) if interpolate else config


def _read_stdin() -> str:
    import sys

    return sys.stdin.read()


def interpolate_config(config: Config, source: str | Path = "config") -> Config:
    """Resolve `${section.key}` references; a reference to a missing key names it."""
    try:
        return config.interpolate()
    except Exception as err:
        detail = " ".join(str(err).split())
        raise ConfigError(f"{source}: cannot interpolate: {detail}") from err


def parse_override_args(args: Iterable[str]) -> dict[str, Any]:
    """Turn extra CLI arguments `--section.key value` (or `--section.key=value`) into typed overrides."""
    args = list(args)
    overrides: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or "." not in arg:
            raise UserError(f"unexpected argument {arg!r}: config overrides look like --section.key value")
        key = arg[2:]
        if "=" in key:
            key, value = key.split("=", 1)
        elif i + 1 < len(args) and not args[i + 1].startswith("--"):
            i += 1
            value = args[i]
        else:
            value = "true"  # a bare flag `--training.mixed_precision` means true
        overrides[key.replace("-", "_")] = parse_value(value)
        i += 1
    return overrides


def parse_value(text: str) -> Any:
    """A CLI value as JSON where it parses (numbers, bools, null, lists), else as the plain string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        return text


def apply_overrides(config: Config, overrides: dict[str, Any]) -> Config:
    """Set dotted keys; the section of each key must exist (a typo in an override is an error)."""
    if not overrides:
        return config
    data = Config(config, is_interpolated=False).copy()
    for dotted, value in overrides.items():
        *sections, key = dotted.split(".")
        node = data
        for depth, name in enumerate(sections):
            if not isinstance(node, dict) or name not in node:
                path = ".".join(sections[: depth + 1])
                raise ConfigError(f"override --{dotted}: no section [{path}] in the config{_did_you_mean(name, node)}")
            node = node[name]
        if sections == ["paths"] and key not in node:  # nothing can refer to a path the file does not name
            raise ConfigError(f"override --{dotted}: no setting {key!r} in [paths]{_did_you_mean(key, node)}; "
                              f"known: {', '.join(node) or 'none'}")
        node[key] = value
    return Config(data, section_order=list(SECTIONS), is_interpolated=False)


def default_config(*, pretraining: bool = False) -> Config:
    """The built-in defaults (uninterpolated); with `pretraining`, also [pretraining], [corpora.pretrain], paths.raw."""
    config = Config().from_disk(DEFAULT_CONFIG_PATH, interpolate=False)
    if pretraining:
        config = config.merge(Config().from_disk(PRETRAINING_CONFIG_PATH, interpolate=False))
    return config


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------------------------------
# Validation: every problem at once, each as `dotted.path: what is wrong`.


def validate_config(config: Config) -> None:
    """Check sections, keys, registered names, and the type and range of every value of an interpolated config.

    Raises ConfigError whose message has one line per problem, each starting with the dotted path. Nothing
    is built and no data is read; an int given where a float is expected is stored as a float.
    """
    from plait.core.config_schema import section_problems  # pydantic's models: only validation needs them

    ensure_registered()
    errors: list[str] = []
    defaults = default_config(pretraining="pretraining" in config)
    for section in config:
        if section not in SECTIONS:
            errors.append(f"[{section}]: unknown section{_did_you_mean(section, SECTIONS)}")
    for section in ("nlp", "components", "training", "initialize"):
        if section not in config:
            errors.append(f"[{section}]: missing section")
    for section in FIXED_SECTIONS:
        if section in config and section in defaults:
            _check_fixed(section, config[section], defaults[section], errors)
    errors.extend(section_problems(config))
    for name, block in config.get("components", {}).items():
        _check_component(f"components.{name}", block, errors)
    for name, block in config.get("corpora", {}).items():
        _check_block(f"corpora.{name}", block, errors)
    nlp = config.get("nlp", {})
    pipeline = nlp.get("pipeline") if isinstance(nlp, dict) else None
    for name in pipeline if isinstance(pipeline, list) else []:  # a string here is reported by the schema
        if name not in config.get("components", {}):
            errors.append(f"nlp.pipeline: component {name!r} has no [components.{name}] block"
                          f"{_did_you_mean(name, config.get('components', {}))}")
    if errors:
        raise ConfigError("\n".join(errors))


def _check_fixed(path: str, block: dict, default: dict, errors: list[str]) -> None:
    """Keys of a fixed section must be exactly the default's; promise sub-blocks are checked by signature."""
    for key, value in block.items():
        where = f"{path}.{key}"
        if key not in default:
            if isinstance(value, dict) and _is_promise(value):
                _check_block(where, value, errors)  # e.g. [initialize.tokenizer] or [training.logger]
            elif path in ("initialize.components",) or path.startswith("initialize.components."):
                continue  # per-component settings: checked by the component's initialize
            else:
                errors.append(f"{where}: unknown setting{_did_you_mean(key, default)}")
            continue
        if _is_promise(value):
            _check_block(where, value, errors)
        elif isinstance(value, dict) and isinstance(default[key], dict) and default[key] and not _is_promise(default[key]):
            _check_fixed(where, value, default[key], errors)
        elif isinstance(value, dict) and _is_promise(default[key]):
            _check_block(where, value, errors)
    for key in default:
        if key not in block and f"{path}.{key}" not in OPTIONAL_SETTINGS:
            errors.append(f"{path}.{key}: missing setting (run `plait fill-config` to add defaults)")


def _is_promise(value: Any) -> bool:
    return isinstance(value, dict) and any(str(k).startswith("@") for k in value)


def _check_component(path: str, block: Any, errors: list[str]) -> None:
    if not isinstance(block, dict):
        errors.append(f"{path}: must be a section")
        return
    if "source" in block:  # copied from a saved pipeline, whose config was checked when it was trained
        extra = sorted(set(block) - {"source", "component"})
        if extra:
            errors.append(f"{path}.{extra[0]}: a sourced component takes only source and component")
        for key in ("source", "component"):
            if key in block and not isinstance(block[key], str):
                errors.append(f"{path}.{key}: must be a string, got {block[key]!r}")
        return
    factory = block.get("factory")
    if not isinstance(factory, str):
        errors.append(f"{path}.factory: missing setting (which component to build, e.g. \"tagger\")" if factory is None
                      else f"{path}.factory: must be a component factory name, got {factory!r}")
        return
    promise = {"@factories": factory, **{k: v for k, v in block.items() if k != "factory"}}
    _check_block(path, promise, errors, label="factory")
    block.update({k: v for k, v in promise.items() if k != "@factories"})  # values _check_block typed


def _check_block(path: str, block: dict, errors: list[str], label: str | None = None) -> None:
    """Check one `@registry = "name"` block against the registered function's signature, recursively."""
    if not _is_promise(block):
        for key, value in block.items():
            if isinstance(value, dict):
                _check_block(f"{path}.{key}", value, errors)
        return
    refs = [k for k in block if str(k).startswith("@")]
    if len(refs) != 1:
        errors.append(f"{path}: a block names one registered function, found {refs}")
        return
    reg_name, func_name = refs[0][1:], block[refs[0]]
    key_path = f"{path}.factory" if label == "factory" else f"{path}.{refs[0]}"
    found = catalog(reg_name)
    if found is None:
        errors.append(f"{key_path}: unknown registry {reg_name!r}")
        return
    if not isinstance(func_name, str):
        errors.append(f"{key_path}: must name a registered {reg_name} function, got {func_name!r}")
        return
    if func_name not in found:
        known = list(found.get_all())
        errors.append(f"{key_path}: no {reg_name} function named {func_name!r}{_did_you_mean(func_name, known)}")
        return
    func = found.get(func_name)
    params = inspect.signature(func).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception:  # unresolvable forward references: skip type checks, keep name checks
        hints = {}
    named = {n: p for n, p in params.items() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    for name, param in named.items():
        if name not in block and param.default is inspect.Parameter.empty:
            errors.append(f"{path}.{name}: missing required setting for {func_name!r}")
    for key, value in block.items():
        if str(key).startswith("@") or key == "*":
            continue
        if key not in named and not takes_any:
            errors.append(f"{path}.{key}: unknown setting for {func_name!r}{_did_you_mean(key, named)}")
            continue
        if isinstance(value, dict) and (_is_promise(value) or any(isinstance(v, dict) for v in value.values())):
            _check_block(f"{path}.{key}", value, errors)
        elif key in hints and not _is_promise(value):
            from plait.core.config_schema import value_problem

            problem, block[key] = value_problem(value, hints[key])  # an int given for a float becomes a float
            if problem:
                errors.append(f"{path}.{key}: {problem}")


# --------------------------------------------------------------------------------------------------
# Filling and resolving.


def fill_config(config: Config, *, pretraining: bool = False) -> Config:
    """Merge the defaults under `config` and fill every registered function's default arguments.

    A component block without a model gets its factory's declared one, with its own encoder (as `add_pipe`).
    With `pretraining` (or when `config` has a [pretraining] section) the pretraining defaults are added too.
    """
    ensure_registered()
    merged = default_config(pretraining=pretraining or "pretraining" in config).merge(config)
    components = {name: _as_promise(with_default_model(block))
                  for name, block in merged.get("components", {}).items()}
    data = dict(merged)
    data["components"] = components
    try:
        filled = registry.fill(Config(data, is_interpolated=False), validate=False)
    except (ConfigValidationError, Exception) as err:
        raise ConfigError(" ".join(str(err).split())) from err
    filled = Config(filled, is_interpolated=False)
    filled["components"] = {name: _from_promise(block) for name, block in filled["components"].items()}
    return Config(filled, section_order=list(SECTIONS), is_interpolated=False)


def _as_promise(block: dict) -> dict:
    rest = {k: v for k, v in block.items() if k != "factory"}
    return {"@factories": block["factory"], **rest} if "factory" in block else dict(block)


def _from_promise(block: dict) -> dict:
    rest = {k: v for k, v in block.items() if k != "@factories"}
    return {"factory": block["@factories"], **rest} if "@factories" in block else dict(block)


def unregistered_functions(config: dict) -> list[str]:
    """Names in `@registry = "name"` references (and component factories) that nothing has registered.

    The built-ins are imported only when a name is not registered yet: a config that names only the
    tokenizer (a pipeline of tables) is checked and built without importing the components, or torch.
    """
    missing = _unregistered(config)
    if missing:
        ensure_registered()
        missing = _unregistered(config)
    return missing


def _unregistered(config: dict) -> list[str]:
    missing: list[str] = []
    for key, value in config.items():
        if isinstance(value, dict):
            missing += _unregistered(value)
        elif key == "factory" and isinstance(value, str) and value not in registry.factories:
            missing.append(value)
        elif str(key).startswith("@") and (found := catalog(key[1:])) is not None and \
                (not isinstance(value, str) or value not in found):
            missing.append(str(value))
    return missing


def resolve_block(block: dict, path: str) -> Any:
    """Build the object a `@registry` block describes (sub-blocks first); errors name `path`."""
    unregistered_functions(block)  # imports the built-ins if the block needs them
    errors: list[str] = []
    _check_block(path, block, errors)  # names and settings first, each problem with its dotted path
    if errors:
        raise ConfigError("\n".join(errors))
    check_fits(block, path)  # nothing is allocated for a model that cannot fit in memory
    try:
        return registry.resolve({"x": dict(block)}, validate=True)["x"]
    except ConfigValidationError as err:
        first = (err.errors or [{}])[0]
        loc = ".".join(str(p) for p in first.get("loc", [])[1:])
        where = f"{path}.{loc}" if loc else path
        raise ConfigError(f"{where}: {first.get('msg', err.title)}") from err
    except ValueError as err:  # a builder refused its settings (e.g. widths that do not fit together)
        raise ConfigError(f"{_failing_block(block, path, err)}: {err}") from err


def _failing_block(block: dict, path: str, err: BaseException) -> str:
    """The dotted path of the innermost block whose registered function is on `err`'s traceback."""
    paths: dict[Any, str] = {}

    def collect(node: dict, where: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                collect(value, f"{where}.{key}")
            elif str(key).startswith("@") and isinstance(value, str) and (found := catalog(key[1:])) is not None \
                    and value in found:
                code = getattr(found.get(value), "__code__", None)
                paths.setdefault(code, where)

    collect(block, path)
    where = path
    for frame, _ in traceback.walk_tb(err.__traceback__):
        where = paths.get(frame.f_code, where)
    return where


def resolve_component_builder(name: str, block: dict) -> Any:
    """The builder `(nlp, name) -> component` for `[components.NAME]`."""
    return resolve_block(_as_promise(block), f"components.{name}")
