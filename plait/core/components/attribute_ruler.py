"""attribute_ruler: token attributes (TAG, POS, MORPH, LEMMA, ...) set by token patterns, as spaCy's
AttributeRuler documents it.

    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add(patterns=[[{"ORTH": "Who"}]], attrs={"TAG": "WP", "POS": "PRON"}, index=0)

Each rule is a list of token patterns (see plait.core.matching), the attributes to set and the index of the token
of the match that gets them (negative from the end). Where rules set the same token, the rule added last wins.
The rules are saved with the pipeline, as JSON.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from plait.core.components.declaration import ComponentKind, declare
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.matching.matcher import Matcher
from plait.core.registries import registry

_COLUMNS = ("TAG", "POS", "MORPH", "LEMMA", "DEP")


def _morph_string(value: Any, where: str) -> str:
    """A MORPH value as UD FEATS: a string as given, a dict {"Number": "Sing"} as "Number=Sing" (fields sorted)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return "|".join(f"{field}={value[field]}" for field in sorted(value))
    raise ValueError(f"{where}: MORPH is a string (\"Number=Sing\") or a dict of strings")


def _checked_attrs(attrs: Any, where: str) -> dict[str, Any]:
    """The attributes of a rule with their names in upper case; ValueError naming a bad one."""
    if not isinstance(attrs, dict) or not attrs:
        raise ValueError(f"{where}: attrs is a non-empty dict such as {{\"TAG\": \"NN\"}}")
    checked: dict[str, Any] = {}
    for name, value in attrs.items():
        upper = name.upper() if isinstance(name, str) else name
        if name == "_":
            if not isinstance(value, dict):
                raise ValueError(f"{where}: \"_\" takes a dict of extension names and values")
            checked["_"] = dict(value)
        elif upper == "MORPH":
            checked["MORPH"] = _morph_string(value, where)
        elif upper in _COLUMNS:
            if not isinstance(value, str):
                raise ValueError(f"{where}: {upper} takes a string, not {value!r}")
            checked[upper] = value
        elif upper in ("IS_SENT_START", "SENT_START"):
            checked["IS_SENT_START"] = bool(value)
        else:
            raise ValueError(f"{where}: attribute {name!r} cannot be set; use {', '.join(_COLUMNS)}, "
                             "IS_SENT_START or \"_\"")
    return checked


class AttributeRuler:
    """Sets token attributes where its rules match; `add`, `add_patterns`, `patterns`, and a call."""

    model = None

    def __init__(self, nlp: Any, name: str) -> None:
        self.name, self.vocab = name, nlp.vocab
        self._rules: list[dict[str, Any]] = []  # as added: {"patterns", "attrs", "index"}
        self._matcher = Matcher(nlp.vocab)

    def add(self, patterns: Sequence[list[dict[str, Any]]], attrs: dict[str, Any], index: int = 0) -> None:
        """Add a rule: where one of `patterns` matches, set `attrs` on the match's token `index`."""
        where = f"{self.name}: rule {len(self._rules)}"
        checked = _checked_attrs(attrs, where)
        if isinstance(index, bool) or not isinstance(index, int):
            raise ValueError(f"{where}: index is an int, not {index!r}")
        self._matcher.add(f"{self.name} rule {len(self._rules)}", list(patterns))
        self._rules.append({"patterns": [list(p) for p in patterns], "attrs": dict(attrs), "index": index,
                            "checked": checked})

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Add rules given as {"patterns": [...], "attrs": {...}, "index": 0} ("index" optional)."""
        for i, rule in enumerate(patterns):
            if not isinstance(rule, dict) or set(rule) - {"patterns", "attrs", "index"} or "patterns" not in rule:
                raise ValueError(f"{self.name}: rule {i}: a rule is {{\"patterns\": [...], \"attrs\": {{...}}, "
                                 "\"index\": 0}")
            self.add(rule["patterns"], rule.get("attrs"), rule.get("index", 0))

    @property
    def patterns(self) -> list[dict[str, Any]]:
        """Every rule as added: {"patterns", "attrs", "index"}."""
        return [{key: rule[key] for key in ("patterns", "attrs", "index")} for rule in self._rules]

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   patterns: Sequence[dict[str, Any]] | None = None, **_: Any) -> None:
        """`[initialize.components.NAME] patterns`: a list of rules to add."""
        if patterns:
            try:
                self.add_patterns(patterns)
            except ValueError as err:
                raise ConfigError(f"initialize.components.{self.name}.patterns: {err}") from None

    def __call__(self, doc: Doc) -> Doc:
        matches = self._matcher(doc, allow_missing=True)
        rule_of = {self.vocab.strings[f"{self.name} rule {i}"]: i for i in range(len(self._rules))}
        # rules in the order they were added, so a later rule overwrites an earlier one
        for rule_index, start, end in sorted((rule_of[m[0]], m[1], m[2]) for m in matches):
            rule = self._rules[rule_index]
            index = rule["index"]
            if not -(end - start) <= index < end - start:
                raise ValueError(f"{self.name}: index {index} lies outside the match {doc[start:end].text!r} "
                                 f"of {end - start} tokens")
            _set_attrs(doc[start:end][index], rule["checked"])
        return doc

    def get_state(self) -> dict[str, Any]:
        return {"patterns": self.patterns}

    def set_state(self, state: dict[str, Any]) -> None:
        self._rules, self._matcher = [], Matcher(self.vocab)
        self.add_patterns(state["patterns"])


def _set_attrs(token: Any, attrs: dict[str, Any]) -> None:
    for name, value in attrs.items():
        if name == "_":
            for extension, extension_value in value.items():
                setattr(token._, extension, extension_value)
        elif name == "IS_SENT_START":
            token.is_sent_start = value
        else:
            setattr(token, name.lower() + "_", value)


@registry.factories.register("attribute_ruler")
@declare(kind=ComponentKind.OTHER)
def make_attribute_ruler(*, validate: bool = False) -> Callable[[Any, str], AttributeRuler]:
    """Factory `attribute_ruler`: token attributes from rules (`validate` is accepted for spaCy configs: plait
    always validates a rule when it is added)."""
    return lambda nlp, name: AttributeRuler(nlp, name)
