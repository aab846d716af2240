"""Load rules/logs.yaml: which files are logs, what field names and phrases say, how to mask.

Like the column rules, a typo here must fail with file:line rather than silently match nothing,
so every entry is checked and every problem reported at once.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import phonenumbers

from pdscan.ruleset.checker import Checker, PolicyError
from pdscan.ruleset.identifiers import split_identifier
from pdscan.ruleset.suggestions import did_you_mean
from pdscan.ruleset.taxonomy import load_taxonomy
from pdscan.ruleset.value_checks import CHECKS
from pdscan.ruleset.yaml_lines import Marked, YamlError, load_marked_text

BUNDLED_LOG_RULES = "logs.yaml"
_ROOT_KEYS = {
    "version",
    "files",
    "not_log_suffixes",
    "technical_keys",
    "placeholders",
    "default_phone_region",
    "plaintext_sensitive",
    "keys",
    "contexts",
}
_KEY_RULE_KEYS = {"data_type", "key", "trigger", "value", "examples"}
_KEY_RULE_OPTIONAL = {"trigger", "not_under"}
_CONTEXT_KEYS = {"name", "data_type", "pattern", "value", "examples"}


@dataclass(frozen=True)
class KeyRule:
    """A field name that says what its value is, and the check that value must pass."""

    data_type: str
    key: re.Pattern[str]
    trigger: str
    value_check: str
    matches: tuple[str, ...]
    non_matches: tuple[str, ...]
    # a parent object that makes the key name something else: `name` under `job` is no person's
    not_under: re.Pattern[str] | None = None

    def matches_path(self, path: str) -> bool:
        """Whether the last segment of a field path (or the last two, dotted) is this key."""
        return any(self.key.fullmatch(candidate) for candidate in compared_keys(path)) and (
            self.parent_rules_out(path) is None
        )

    def parent_rules_out(self, path: str) -> str | None:
        """The parent segment (normalised) under which the key names something else (`not_under`)."""
        if self.not_under is None:
            return None
        segments = [segment for segment in path.split(".") if segment]
        parent = normalise_key(segments[-2]) if len(segments) > 1 else None
        return parent if parent is not None and self.not_under.fullmatch(parent) else None


@dataclass(frozen=True)
class ContextRule:
    """A phrase in free text around a value (`Invalid user X from`); group `value` is the value."""

    name: str
    data_type: str
    pattern: str
    value_check: str
    matches: tuple[str, ...]
    non_matches: tuple[str, ...]
    trigger: str | None = None  # what the engine searches for: the phrase without lookaround
    linear_only: ClassVar[bool] = False  # phrases come only from the bundled, reviewed rules


@dataclass(frozen=True)
class LogRules:
    files: tuple[str, ...]
    not_log_suffixes: tuple[str, ...]
    technical_keys: re.Pattern[str]
    # the technical key names that must match and that must not (the rules' own proof)
    technical_examples: tuple[tuple[str, ...], tuple[str, ...]]
    placeholders: frozenset[str]
    # where a phone number written without `+` is read as dialled from: the one place it is set
    default_phone_region: str
    plaintext_sensitive: tuple[str, ...]
    keys: tuple[KeyRule, ...]
    contexts: tuple[ContextRule, ...]

    def key_rule(self, path: str) -> KeyRule | None:
        """The first rule whose key names this field, if any."""
        return next((rule for rule in self.keys if rule.matches_path(path)), None)

    def is_technical(self, path: str) -> bool:
        """Whether a field's name says its values are technical (a version, a hash, a trace id)."""
        segment = normalise_key(path.rsplit(".", 1)[-1])
        return bool(self.technical_keys.fullmatch(segment))

    def is_plaintext_sensitive(self, data_type: str) -> bool:
        return any(data_type == prefix or data_type.startswith(prefix + ".") for prefix in self.plaintext_sensitive)


def compared_keys(path: str) -> list[str]:
    """What key rules compare a field path with: its last segment, and its last two joined by `.`,
    normalised (`request.headers.User-Agent` -> `user_agent`, `headers.user_agent`)."""
    segments = [normalise_key(segment) for segment in path.split(".") if segment]
    if not segments:
        return []
    return [segments[-1]] + ([".".join(segments[-2:])] if len(segments) > 1 else [])


def normalise_key(segment: str) -> str:
    """`User-Agent`, `userAgent`, `cs(User-Agent)` -> `user_agent`, `cs_user_agent`."""
    return "_".join(split_identifier(segment)) or segment.lower()


@cache
def bundled_log_rules() -> LogRules:
    return load_log_rules()


def load_log_rules(text: str | None = None, display: str = f"rules/{BUNDLED_LOG_RULES}") -> LogRules:
    """The bundled log rules, or rules given as text; raises PolicyError listing every problem."""
    if text is None:
        text = (importlib.resources.files("pdscan.rules") / BUNDLED_LOG_RULES).read_text(encoding="utf-8")
    try:
        marked = load_marked_text(text, display)
    except YamlError as error:
        raise PolicyError(error.problems) from None
    return _LogRulesBuilder(marked, load_taxonomy()).build()


class _LogRulesBuilder(Checker):
    def __init__(self, marked: Marked, taxonomy: dict[str, str]) -> None:
        super().__init__(marked, PolicyError)
        self.taxonomy = taxonomy

    def build(self) -> LogRules:
        root = self.marked.value
        if not isinstance(root, dict):
            self.fail(root, "a log rules file is a mapping with 'keys' and 'contexts'")
            self.raise_if_any()
        self.unknown_keys(root, _ROOT_KEYS, "a log rules file")
        technical, technical_examples = self.technical_keys(root)
        rules = LogRules(
            files=tuple(self.string_list(root, "files")),
            not_log_suffixes=tuple(self.string_list(root, "not_log_suffixes")),
            technical_keys=technical or re.compile(r"(?!)"),
            technical_examples=technical_examples,
            placeholders=frozenset(s.lower() for s in self.string_list(root, "placeholders")),
            default_phone_region=self.region(root, "default_phone_region"),
            plaintext_sensitive=tuple(self.data_types(root, "plaintext_sensitive")),
            keys=tuple(rule for entry, index in self.entries(root, "keys") if (rule := self.key(entry, index))),
            contexts=tuple(
                context for entry, index in self.entries(root, "contexts") if (context := self.context(entry, index))
            ),
        )
        self.raise_if_any()
        return rules

    def technical_keys(
        self, root: dict[str, Any]
    ) -> tuple[re.Pattern[str] | None, tuple[tuple[str, ...], tuple[str, ...]]]:
        """`technical_keys: {key: …, examples: …}`: the pattern and its proof, like a key rule's."""
        entry = root.get("technical_keys")
        if entry is None:
            return None, ((), ())
        if not isinstance(entry, dict) or set(entry) != {"key", "examples"}:
            self.fail(root, "'technical_keys' needs exactly 'key' and 'examples'", "technical_keys")
            return None, ((), ())
        return self.pattern(entry, "key", re.IGNORECASE), self.examples(entry)

    def region(self, root: dict[str, Any], key: str) -> str:
        """A region `phonenumbers` knows, as its two capital letters (`JP`)."""
        region = root.get(key)
        if region not in phonenumbers.SUPPORTED_REGIONS:
            message = f"'{key}' must be a region phonenumbers knows, in two capital letters (JP, US, GB)"
            self.fail(root, message, key if key in root else None)
            return ""
        return str(region)

    def string_list(self, root: dict[str, Any], key: str) -> list[str]:
        value = root.get(key) or []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(root, f"'{key}' must be a list of strings", key)
            return []
        return value

    def data_types(self, root: dict[str, Any], key: str) -> list[str]:
        names = self.string_list(root, key)
        for index, name in enumerate(names):
            if name not in self.taxonomy:
                self.fail(root[key], f"'{name}' is not a data type of rules/taxonomy.yaml", index)
        return names

    def entries(self, root: dict[str, Any], key: str) -> list[tuple[Any, int]]:
        value = root.get(key) or []
        if not isinstance(value, list):
            self.fail(root, f"'{key}' must be a list", key)
            return []
        self._parent = value
        return [(entry, index) for index, entry in enumerate(value)]

    def checked(self, entry: Any, index: int, required: set[str], what: str) -> bool:
        if not isinstance(entry, dict) or required - set(entry):
            self.fail(self._parent, f"a {what} needs {', '.join(sorted(required))}", index)
            return False
        self.unknown_keys(entry, required | _KEY_RULE_OPTIONAL, f"a {what}")
        if entry["data_type"] not in self.taxonomy:
            self.fail(entry, f"'{entry['data_type']}' is not a data type of rules/taxonomy.yaml", "data_type")
        if entry["value"] not in CHECKS:
            hint = did_you_mean(entry["value"], CHECKS) or f" (known: {', '.join(CHECKS)})"
            self.fail(entry, f"unknown value check '{entry['value']}'{hint}", "value")
        return True

    def pattern(self, entry: dict[str, Any], key: str, flags: int = 0) -> re.Pattern[str] | None:
        try:
            return re.compile(str(entry[key]), flags)
        except re.error as error:
            self.fail(entry, f"the pattern does not compile: {error}", key)
            return None

    def examples(self, entry: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        examples = entry["examples"] if isinstance(entry["examples"], dict) else {}
        if not examples.get("match") or not examples.get("no_match"):
            self.fail(entry, "a rule needs examples that must match and that must not", "examples")
        return (
            tuple(str(example) for example in examples.get("match") or []),
            tuple(str(example) for example in examples.get("no_match") or []),
        )

    def key(self, entry: Any, index: int) -> KeyRule | None:
        if not self.checked(entry, index, _KEY_RULE_KEYS, "key rule"):
            return None
        key = self.pattern(entry, "key", re.IGNORECASE)
        trigger = self.pattern(entry, "trigger", re.IGNORECASE)
        not_under = self.pattern(entry, "not_under", re.IGNORECASE) if "not_under" in entry else None
        matches, non_matches = self.examples(entry)
        if key is None or trigger is None:
            return None
        data_type, check = str(entry["data_type"]), str(entry["value"])
        return KeyRule(data_type, key, trigger.pattern, check, matches, non_matches, not_under)

    def context(self, entry: Any, index: int) -> ContextRule | None:
        if not self.checked(entry, index, _CONTEXT_KEYS, "context rule"):
            return None
        compiled = self.pattern(entry, "pattern")
        if compiled is not None and "value" not in compiled.groupindex:
            self.fail(entry, "a context pattern needs a group named `value`: (?P<value>…)", "pattern")
        matches, non_matches = self.examples(entry)
        if compiled is None:
            return None
        trigger = str(entry["trigger"]) if entry.get("trigger") else None
        return ContextRule(
            str(entry["name"]),
            str(entry["data_type"]),
            compiled.pattern,
            str(entry["value"]),
            matches,
            non_matches,
            trigger,
        )
