"""Users' own rule files (`--rules`): in-house column names and value formats, added to the
bundled rules.

Each file is checked as the bundled one is (every problem with file:line:column), and more
strictly, since nobody reviewed it: every pattern must run in linear time (RE2), and every
value detector must match its own examples at load, before anything is scanned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pdscan.detect.names import NameClassifier
from pdscan.detect.values import ValueDetector
from pdscan.ruleset.checker import PolicyError, parse_user_yaml, read_user_file
from pdscan.ruleset.datatypes import DetectionRules, ValueRule, bundled_rules, extend_rules
from pdscan.ruleset.yaml_lines import Marked, Problem


def load_user_rules(paths: Sequence[Path]) -> DetectionRules:
    """The bundled rules extended by each file in turn; raises PolicyError with every problem."""
    rules = bundled_rules()
    digest = hashlib.sha256()
    for path in paths:
        raw = read_user_file(path, "rules")
        digest.update(raw)
        marked = parse_user_yaml(raw, str(path))
        extended = extend_rules(rules, marked, _failed_examples)
        problems = _failed_name_examples(rules, extended, marked)
        if problems:
            raise PolicyError(tuple(problems))
        rules = extended
    return replace(rules, extended_by=digest.hexdigest()[:12]) if paths else rules


def _failed_name_examples(before: DetectionRules, after: DetectionRules, marked: Marked) -> list[Problem]:
    """The column examples a file added that the extended rules get wrong, at the data type's line.

    A positive example must come out as exactly its data type: a name two rules claim is as
    broken as a name none does.
    """
    classifier = NameClassifier(after)
    old = {rule.data_type: {*rule.matches, *rule.non_matches} for rule in before.data_types}
    entries = marked.value.get("data_types") or {}
    problems = []
    for rule in after.data_types:
        for must_match, examples in ((True, rule.matches), (False, rule.non_matches)):
            for example in examples:
                if example in old.get(rule.data_type, ()):
                    continue
                detections = classifier.classify_name(example.column, example.table, example.sql_type)
                found = [detection.data_type for detection in detections]
                if found != [rule.data_type] if must_match else rule.data_type in found:
                    verb = "must match" if must_match else "must not match"
                    message = f"data type '{rule.data_type}': the column example '{example.column}' {verb} but "
                    message += f"comes out as {', '.join(found) or 'nothing'}"
                    problems.append(marked.problem(entries, message, rule.data_type, on_key=True))
    return problems


def _failed_examples(rule: ValueRule) -> list[str]:
    """Each example the rule gets wrong, in words."""
    detector = ValueDetector((rule,))
    failures = []
    for text in rule.matches:
        if not any(match.detector == rule.name for match in detector.find(text)):
            failures.append(f"the example {text!r} must match but does not")
    for text in rule.non_matches:
        if any(match.detector == rule.name for match in detector.find(text)):
            failures.append(f"the example {text!r} must not match but does")
    return failures
