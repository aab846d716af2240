"""docs/rules.md: what the bundled rules recognise, written out from rules/*.yaml.

The rules are the documentation of what pdscan finds (with the policy's category of each data
type, which is why this module sits above ruleset/); a hand-kept copy would drift from them,
so the page is generated (as sqlfluff generates its rule reference) and a test fails when it is
stale. Regenerate it with `python -m pdscan.rules_reference > docs/rules.md`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pdscan.policy import Policy, load_policy
from pdscan.ruleset.datatypes import (
    DataTypeRule,
    DetectionRules,
    Example,
    FunctionRef,
    NamePattern,
    ValueRule,
    bundled_rules,
)
from pdscan.ruleset.log_rules import LogRules, bundled_log_rules

COMMAND = "python -m pdscan.rules_reference > docs/rules.md"
_BACKTICKS = re.compile(r"`+")


def reference(rules: DetectionRules, log_rules: LogRules, policy: Policy) -> str:
    """The whole page, as Markdown."""
    return "\n".join(_page(rules, log_rules, policy)) + "\n"


def _page(rules: DetectionRules, log_rules: LogRules, policy: Policy) -> Iterator[str]:
    yield "# Detection rules"
    yield ""
    yield f"Generated from `rules/*.yaml` by `{COMMAND}`: edit the rules, not this page."
    yield "Every example below is the rules' own proof, run by the test suite; values in them are"
    yield "reserved documentation values (example.com, 192.0.2.x, test card numbers)."
    yield ""
    yield "A data type is found by the words of a column or field name (`names`), by values in text"
    yield "(`value detectors`, confirmed by a validator) and by log field names and phrases (log rules)."
    yield "Its `mask` is how every report shows its values; its `check` is what a sampled value of a"
    yield "column its name found must pass to confirm it."
    yield ""
    yield "## Data types"
    yield ""
    yield "| data type | title | category | mask | check |"
    yield "|---|---|---|---|---|"
    for rule in rules.data_types:
        category = policy.category_for(rule.data_type)
        yield _row(
            f"[{_code(rule.data_type)}](#{_anchor(rule.data_type)})",
            rule.title.en,
            _code(category.id) if category else "—",
            _function(rule.mask, _code("edges")),
            _function(rule.check, "—"),
        )
    for rule in rules.data_types:
        detectors = [detector for detector in rules.value_detectors if detector.data_type == rule.data_type]
        yield ""
        yield from _data_type(rule, policy, detectors, log_rules)
    yield ""
    yield from _log_rules(log_rules)


def _data_type(rule: DataTypeRule, policy: Policy, detectors: list[ValueRule], log_rules: LogRules) -> Iterator[str]:
    category = policy.category_for(rule.data_type)
    yield f"### {rule.data_type}"
    yield ""
    yield f"{rule.title.en}." + "".join(f" ({lang}: {words})" for lang, words in rule.title.translations)
    yield ""
    yield f"- category: {_code(category.id) + ' (' + category.title_en + ')' if category else 'none'}"
    yield f"- mask: {_function(rule.mask, _code('edges'))}"
    yield f"- check: {_function(rule.check, 'none')}"
    yield f"- names: {'; '.join(_pattern(pattern) for pattern in rule.patterns)}"
    for label, words in (
        ("not with the words", rule.exclude),
        ("not for SQL types", rule.exclude_types),
        ("supported by SQL types", rule.expect_types),
        ("held by SQL types", rule.held_by_types),
        ("keeps the qualifiers", rule.keeps),
    ):
        if words:
            yield f"- {label}: {', '.join(_code(word) for word in sorted(words))}"
    for detector in detectors:
        validator = _code(detector.validator)
        yield f"- value detector {_code(detector.name)} (validator {validator}): {_code(detector.pattern)}"
        yield f"  - finds: {_listed(detector.matches)}; not: {_listed(detector.non_matches)}"
    keys = [key for key in log_rules.keys if key.data_type == rule.data_type]
    if keys:
        fields = (f"{_code(key.key.pattern)} (check {_code(key.value_check)})" for key in keys)
        yield f"- log fields: {'; '.join(fields)}"
    phrases = [phrase for phrase in log_rules.contexts if phrase.data_type == rule.data_type]
    if phrases:
        yield f"- log phrases: {', '.join(_code(phrase.name) for phrase in phrases)}"
    yield f"- columns it names: {_examples(rule.matches)}"
    yield f"- columns it does not: {_examples(rule.non_matches)}"


def _log_rules(log_rules: LogRules) -> Iterator[str]:
    yield "## Log rules"
    yield ""
    yield f"Files read as logs: {', '.join(_code(name) for name in log_rules.files)}."
    yield f"Never logs: {', '.join(_code(suffix) for suffix in log_rules.not_log_suffixes)}."
    yield f"A phone number written without `+` is read as dialled in {_code(log_rules.default_phone_region)}."
    yield "Values that name one person alone (one is enough in a sampled column):"
    yield f"{', '.join(_code(data_type) for data_type in log_rules.plaintext_sensitive)}."
    yield f"Placeholders, never a value: {', '.join(_code(word) for word in sorted(log_rules.placeholders))}."
    yield ""
    yield "Technical field names (their values are never personal data):"
    yield f"{_code(log_rules.technical_keys.pattern)}."
    yield ""
    yield "### Field names"
    yield ""
    yield "A field whose name matches says what its value is, when the value passes the check."
    yield ""
    yield "| data type | field name | check | examples | not |"
    yield "|---|---|---|---|---|"
    for key in log_rules.keys:
        name = _code(key.key.pattern) + (f" (not under {_code(key.not_under.pattern)})" if key.not_under else "")
        yield _row(_code(key.data_type), name, _code(key.value_check), _listed(key.matches), _listed(key.non_matches))
    yield ""
    yield "### Phrases"
    yield ""
    yield "Words around a value in free text that say what it is (the group `value` is the value)."
    yield ""
    yield "| phrase | data type | check | pattern | examples | not |"
    yield "|---|---|---|---|---|---|"
    for phrase in log_rules.contexts:
        yield _row(
            _code(phrase.name),
            _code(phrase.data_type),
            _code(phrase.value_check),
            _code(phrase.pattern),
            _listed(phrase.matches),
            _listed(phrase.non_matches),
        )


def _pattern(pattern: NamePattern) -> str:
    text = _code(" ".join(pattern.words))
    conditions = [
        *(["the whole name"] if pattern.exact else []),
        *([f"in tables {', '.join(pattern.tables)}"] if pattern.tables else []),
        *([f"not in tables {', '.join(pattern.not_tables)}"] if pattern.not_tables else []),
        *([f"table is {', '.join(pattern.table_is)}"] if pattern.table_is else []),
        *([f"means {pattern.means.en}"] if pattern.means else []),
    ]
    return f"{text} ({'; '.join(conditions)})" if conditions else text


def _examples(examples: Iterable[Example]) -> str:
    shown = []
    for example in examples:
        where = ", ".join(
            part for part in (f"table {example.table}" if example.table else "", example.sql_type or "") if part
        )
        shown.append(_code(example.column) + (f" ({where})" if where else ""))
    return "; ".join(shown)


def _function(function: FunctionRef | None, default: str) -> str:
    """The function a rule names with its parameters, or `default` (words) where it names none."""
    if function is None:
        return default
    parameters = ", ".join(f"{name} {value}" for name, value in function.parameters)
    return _code(function.name) + (f" ({parameters})" if parameters else "")


def _listed(texts: Iterable[str]) -> str:
    return ", ".join(_code(text) for text in texts)


def _row(*cells: str) -> str:
    """A table row; a `|` in a cell (a pattern's alternatives) is escaped, even inside code."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _code(text: str) -> str:
    """`text` as inline code, whatever backticks it holds."""
    if not text:
        return "(empty)"
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def _anchor(data_type: str) -> str:
    """GitHub's anchor for a heading that is this data type."""
    return data_type.replace(".", "")


if __name__ == "__main__":
    print(reference(bundled_rules(), bundled_log_rules(), load_policy()), end="")
