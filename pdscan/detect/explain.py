"""Why a place came out as it did (`pdscan explain`): the rules tried on a column, a log field
or a value, what each found, why the result is what it is, and the policy's word on it.

Nothing here decides anything. Every step is read from the classifiers' own trials
(`NameClassifier.trials`, `ValueDetector.candidates`, the log phrases' `phrase_trials`, the key
rules' `matches_path`, the line analyser's field check), and every result from the calls a scan
makes, so an explanation cannot drift from what a scan reports. What is added is only for
people: the words of a rule's ranking, and the patterns nearest to a name nothing matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pdscan.detect.line_analyser import LineAnalyser, Occurrence
from pdscan.detect.masking import mask, mask_name, mask_text
from pdscan.detect.names import (
    BOOLEAN,
    EXACT,
    EXCLUDE,
    EXCLUDE_TYPES,
    QUALIFIERS,
    TABLE_IS,
    TABLE_PREFIX,
    TABLES,
    NameClassifier,
    Trial,
    type_family,
)
from pdscan.detect.text_values import phrase_trials, values_found
from pdscan.detect.values import VALIDATOR_REFUSED, ValueDetector, ValueMatch, widest_first
from pdscan.model import Evidence, Field
from pdscan.ruleset.log_rules import KeyRule, LogRules, compared_keys
from pdscan.ruleset.taxonomy import as_phrase
from pdscan.ruleset.validators import VALIDATORS
from pdscan.ruleset.value_checks import CHECKS

# What became of a rule tried on the place.
MATCHED = "matched"  # the rule that gives the result
ALSO_FITS = "also fits"  # held too, but a better-ranked rule won
DROPPED = "dropped"  # the pattern was there, and something else ruled it out
REFUSED = "refused"  # a value's validator or check said no
OVERLAPPED = "overlapped"  # a valid value inside a wider one that was kept
NO_MATCH = "no match"  # a value rule's trigger was found but its pattern matched nothing
NEAR = "near"  # shares a word with a name nothing matched
NEAREST_SHOWN = 8  # word-sharing patterns listed when no rule matched


class ExplainError(Exception):
    """A place that cannot be explained (a malformed PLACE, a table or column the source lacks)."""


class PolicyCategory(Protocol):
    """What an explanation says of the category a data type falls in (a policy's `Category`)."""

    @property
    def id(self) -> str: ...
    @property
    def title_en(self) -> str: ...
    @property
    def purposes(self) -> tuple[str, ...]: ...


class PolicyWord(Protocol):
    """The policy an explanation quotes: detection reads it, and never imports `pdscan.policy`."""

    def category_for(self, data_type: str) -> PolicyCategory | None: ...


@dataclass(frozen=True)
class Step:
    """One rule tried on the place: which, what it looks for, what became of it and why."""

    rule: str  # a data type, a value detector, a log key rule or phrase
    looks_for: str  # a name pattern's words, a key pattern, a validator
    outcome: str
    reason: str
    found: str | None = None  # the text it found in a value, masked unless asked otherwise
    condition: str | None = None  # the rules' key that dropped a name pattern (`qualifiers`, `tables`…)


@dataclass(frozen=True)
class Result:
    """A data type the place holds, its confidence and evidence, and what the policy says of it."""

    data_type: str
    title: str
    confidence: float | None
    evidence: tuple[Evidence, ...]
    category: str | None
    category_title: str | None
    purposes: tuple[str, ...]
    value: str | None = None  # the value found, masked unless asked otherwise


@dataclass(frozen=True)
class Explanation:
    kind: str  # "column", "log field", "value"
    place: dict[str, object]  # what was explained, as given or read from the source
    steps: tuple[Step, ...]
    results: tuple[Result, ...]
    conclusion: str
    nearest: tuple[Step, ...] = ()
    table_contexts: dict[str, str] = field(default_factory=dict)
    overruled_contexts: dict[str, str] = field(default_factory=dict)  # named, but another context overrules it


@dataclass(frozen=True)
class Explainer:
    """What a scan would classify with: the rules (the bundled ones and --rules files), the
    policy, the value detectors and log rules; `show_data` leaves values unmasked."""

    classifier: NameClassifier
    values: ValueDetector
    log_rules: LogRules
    policy: PolicyWord
    taxonomy: dict[str, str]
    show_data: bool = False

    def column(
        self,
        column: str,
        table: str,
        sql_type: str | None = None,
        sibling_columns: tuple[str, ...] = (),
        source: str | None = None,
    ) -> Explanation:
        """Each name pattern tried on the column, as `classify` tries them, and the detection."""
        detections = self.classifier.classify_name(column, table, sql_type, sibling_columns)
        trials = self.classifier.trials(column, table, sql_type, sibling_columns)
        steps = self._name_steps(trials, column, table, sql_type)
        results = tuple(
            self._result(detection.data_type, detection.confidence, detection.evidence) for detection in detections
        )
        place: dict[str, object] = {
            "table": table,
            "column": column,
            "words": list(self.classifier.words(column)),
            "sql_type": sql_type,
            "sibling_columns": list(sibling_columns),
        }
        if source is not None:
            place["source"] = source
        nearest: tuple[Step, ...] = ()
        if results:
            held = next(step for step in steps if step.outcome == MATCHED)
            conclusion = f"`{column}` holds {as_phrase(results[0].title)}: {held.reason}"
        else:
            nearest = (*(step for step in steps if step.outcome == DROPPED), *self._word_neighbours(column, trials))
            conclusion = f"no rule matched `{column}`" + (": nearest candidates below" if nearest else "")
            conclusion += "" if nearest else ": no name pattern shares a word with it"
        held_contexts, overruled_contexts = self.classifier.table_contexts(table, sibling_columns)
        return Explanation("column", place, steps, results, conclusion, nearest, held_contexts, overruled_contexts)

    def log_field(self, path: str, value: str | None = None) -> Explanation:
        """The key rules a log field's name meets (the first listed wins), and with a value, the
        check the key asks of it and the value patterns found in it, as a log line reads them."""
        keys = compared_keys(path)
        steps: list[Step] = []
        chosen = self.log_rules.key_rule(path)
        for rule in self.log_rules.keys:
            shown = f"key `{rule.key.pattern}`"
            if rule is chosen:
                steps.append(Step(rule.data_type, shown, MATCHED, f"the key pattern names `{path}`"))
            elif rule.matches_path(path):
                steps.append(Step(rule.data_type, shown, ALSO_FITS, "names it too; the key rule listed first wins"))
            elif (parent := rule.parent_rules_out(path)) is not None and any(map(rule.key.fullmatch, keys)):
                reason = f"the key pattern names it, but under `{parent}` it names something else (`not_under`)"
                steps.append(Step(rule.data_type, shown, DROPPED, reason, condition="not_under"))
            elif (word := re.search(rule.trigger, path, re.IGNORECASE)) is not None:
                reason = f"its word `{word.group()}` is in the name, but the key pattern names none of {_quoted(keys)}"
                steps.append(Step(rule.data_type, shown, NEAR, reason))
        technical = self.log_rules.is_technical(path)
        if technical:
            reason = "the field's name says its values are technical: value patterns found in it are dropped"
            steps.append(Step("technical_keys", f"key `{self.log_rules.technical_keys.pattern}`", MATCHED, reason))
        place: dict[str, object] = {"field": path, "compared_as": keys}
        results: list[Result] = []
        if value is None:
            if chosen is not None:
                results.append(self._result(chosen.data_type))
                conclusion = f"a value under `{path}` is {as_phrase(results[0].title)} once it passes the check"
                conclusion += f" `{chosen.value_check}`"
            else:
                conclusion = f"no key rule names `{path}`: only value patterns and phrases find data in it"
            return Explanation("log field", place, tuple(steps), tuple(results), conclusion)
        self._keyed(path, value, chosen, steps)
        occurrences = self._as_log_field(path, value)
        steps.extend(self._value_steps(value, {(o.detector, o.start, o.end) for o in occurrences}, technical))
        results.extend(
            self._result(found.data_type, value=self._masked(found.value, found.data_type)) for found in occurrences
        )
        place["value"] = self._masked_text(value)
        if results:
            conclusion = f"`{path}` holds " + ", ".join(as_phrase(result.title) for result in results)
        else:
            conclusion = f"nothing personal is found in this value of `{path}`"
        return Explanation("log field", place, tuple(steps), tuple(results), conclusion)

    def value(self, text: str) -> Explanation:
        """The value detectors and log phrases run on free text, each candidate's verdict, and
        the values kept (overlaps give way to the widest, as in a scan)."""
        found = values_found(text, self.values)
        steps = self._value_steps(text, {(match.detector, match.start, match.end) for match in found})
        results = tuple(self._result(m.data_type, value=self._masked(m.text, m.data_type)) for m in found)
        place: dict[str, object] = {"value": self._masked_text(text)}
        if results:
            conclusion = "the text holds " + ", ".join(as_phrase(result.title) for result in results)
            nearest: tuple[Step, ...] = ()
        else:
            nearest = tuple(step for step in steps if step.outcome in (REFUSED, NO_MATCH))
            conclusion = "no value detector or log phrase found a value" + (
                ": nearest candidates below" if nearest else ": no detector's trigger is in the text"
            )
        return Explanation("value", place, tuple(steps), results, conclusion, nearest)

    def _name_steps(self, trials: Sequence[Trial], column: str, table: str, sql_type: str | None) -> tuple[Step, ...]:
        steps = []
        winner: Trial | None = None
        for trial in trials:
            words = _looks_for(trial, sql_type)
            if trial.misfit is not None:
                reason = self._misfit_in_words(trial, table, sql_type)
                if trial.read_as:
                    reason = f"read with its run-together words apart (`{' '.join(trial.read_as)}`): {reason}"
                steps.append(Step(trial.rule.data_type, words, DROPPED, reason, condition=trial.misfit[0]))
            elif winner is None:
                winner = trial
                steps.append(
                    Step(
                        trial.rule.data_type,
                        words,
                        MATCHED,
                        self._why_held(trial, table, sql_type, self.classifier.words(column)),
                    )
                )
            else:
                steps.append(Step(trial.rule.data_type, words, ALSO_FITS, self._outranked(trial, winner)))
        return tuple(dict.fromkeys(steps))  # patterns alike but for conditions that did not decide: once

    def _misfit_in_words(self, trial: Trial, table: str, sql_type: str | None) -> str:
        """What ruled a name pattern (or the SQL type's rule) out, as rules/datatypes.yaml's
        header explains its keys."""
        assert trial.misfit is not None
        key, words = trial.misfit
        rule = trial.rule
        meaning = as_phrase(rule.title.en)
        shown = f"table `{mask_name(table)}`" if table else "no table given: the table"
        name = min(words, default="")
        context = self.classifier.rules.table_contexts.get(name)
        subject = "the pattern" if trial.pattern is not None else f"SQL type `{sql_type}`"
        if key == BOOLEAN:
            return f"SQL type `{sql_type}` is a yes or no: it says whether, never what, so no name pattern counts"
        if key == TABLE_PREFIX:
            return f"the rest of the name has it, but `{name}` does not abbreviate the name of {shown}"
        if key == EXACT:
            return "the pattern must be the whole name (`exact`), and the name has other words"
        if key == QUALIFIERS:
            about = f"the column about the {meaning}, or a reference to it, not the {meaning}"
            return f"{_listed(words)} {_is(words)} a qualifier (it makes {about})"
        if key == EXCLUDE:
            return f"{_listed(words)} {_is(words)} among the words {rule.data_type} excludes (`exclude`)"
        if key == EXCLUDE_TYPES:
            return f"SQL type `{sql_type}` is {name}, which {meaning} never is (`exclude_types`)"
        if key == TABLE_IS:
            return f"the pattern counts only in a table of {_listed(words, 'or')}; {shown} is not one"
        if key == TABLES and context is None:
            return f"the pattern needs the word `{name}` in the table's name; {shown} has none"
        if key == TABLES and context is not None:
            return f"the pattern needs a table that {context.means.en} ({name}); {shown} is not one"
        if context is None:
            return f"{subject} does not count in a table named with `{name}`, as {shown} is"
        return f"{subject} does not count in a table that {context.means.en} ({name}), as {shown} does"

    def _why_held(self, trial: Trial, table: str, sql_type: str | None, words_of_name: tuple[str, ...]) -> str:
        if trial.pattern is None:
            return (
                f"no name pattern held, and SQL type `{sql_type}` is made for {as_phrase(trial.rule.title.en)} "
                "whatever the column is called (`held_by_types`)"
            )
        words = " ".join(trial.pattern.words)
        held = "the name is exactly" if trial.whole else "the name contains"
        if trial.table_prefix:
            held = (
                f"with `{trial.table_prefix}` set aside (it abbreviates the name of table `{mask_name(table)}`), {held}"
            )
        if trial.read_as:
            held = f"read with its run-together words apart (`{' '.join(trial.read_as)}`), {held}"
        kept = sorted(trial.rule.keeps.intersection(trial.read_as or words_of_name))
        conditions = [f"in {_a(name)} `{name}` table" for name in trial.pattern.tables]
        conditions += [f"not in {_a(name)} `{name}` table" for name in trial.pattern.not_tables]
        if trial.pattern.table_is:
            conditions.append(f"in a table of {' or '.join(trial.pattern.table_is)}")
        met = f"; its table conditions hold ({', '.join(conditions)})" if conditions else ""
        keeps = f" ({_listed(kept)} kept: `keeps`)" if kept else ""
        return f"{held} `{words}`, no qualifier or excluded word{keeps}, no excluded SQL type{met}"

    def _outranked(self, trial: Trial, winner: Trial) -> str:
        """Why the candidate search ranked `trial` below `winner`: its order, in words."""
        assert trial.pattern is not None and winner.pattern is not None  # a SQL type's rule comes only last
        lost = f"ranked below `{' '.join(winner.pattern.words)}` ({winner.rule.data_type})"
        if winner.table_prefix != trial.table_prefix:
            return f"{lost}: the whole name's patterns come before those with a table prefix set aside"
        if len(trial.pattern.words) != len(winner.pattern.words):
            return f"{lost}: the longer pattern wins"
        if trial.whole != winner.whole:
            return f"{lost}: a pattern naming the whole name wins"
        return f"{lost}: on a tie the data type listed first in the rules wins"

    def _word_neighbours(self, column: str, trials: Sequence[Trial]) -> list[Step]:
        """Patterns that share a word with the name but whose words do not stand together in it."""
        words = self.classifier.words(column)
        tried = {(trial.rule.data_type, trial.pattern) for trial in trials}  # a rule's patterns are distinct
        near = []
        for rule in self.classifier.rules.data_types:
            for pattern in rule.patterns:
                shared = set(pattern.words).intersection(words)
                if not shared or (rule.data_type, pattern) in tried:
                    continue
                missing = [word for word in pattern.words if word not in words]
                if missing:
                    reason = f"the name has {_quoted(sorted(shared))} but not {_quoted(missing)}"
                else:
                    reason = f"the name has its words, but not together in the order `{' '.join(pattern.words)}`"
                near.append(
                    (len(shared) / len(pattern.words), Step(rule.data_type, " ".join(pattern.words), NEAR, reason))
                )
        near.sort(key=lambda item: item[0], reverse=True)
        return [step for _, step in near[:NEAREST_SHOWN]]

    def _value_steps(self, text: str, kept: set[tuple[str, int, int]], technical: bool = False) -> list[Step]:
        """Every candidate of the value detectors and log phrases in `text` with its verdict;
        `kept` holds the (detector, start, end) of those the scan kept, the rest gave way to a
        wider value (or, in a `technical` log field, the field's name dropped them)."""
        steps = []
        matched_rules = set()
        for order, rule, match, refused in self.values.candidates(text):
            matched_rules.add(order)
            masked = self._masked(match.group(), rule.data_type)
            looks_for = f"pattern, then validator `{rule.validator}`"
            if refused == VALIDATOR_REFUSED:
                reason = f"validator `{rule.validator}` refused it: it checks {_doc(VALIDATORS[rule.validator])}"
                steps.append(Step(rule.name, looks_for, REFUSED, reason, masked))
            elif refused is not None:
                reason = f"the text before it matches the rule's `not_after` ({rule.not_after})"
                steps.append(Step(rule.name, looks_for, REFUSED, reason, masked))
            elif (rule.name, *match.span()) in kept:
                reason = f"the pattern matched and validator `{rule.validator}` confirmed it"
                steps.append(Step(rule.name, looks_for, MATCHED, reason, masked))
            elif technical:
                reason = "the field's name says its values are technical (`technical_keys` of rules/logs.yaml)"
                steps.append(Step(rule.name, looks_for, DROPPED, reason, masked))
            else:
                steps.append(Step(rule.name, looks_for, OVERLAPPED, "a wider value overlapping it was kept", masked))
        for order in sorted(self.values.triggered(text) - matched_rules):
            rule = self.values.rules[order]
            reason = "its trigger is in the text, but its pattern matched nothing there"
            steps.append(Step(rule.name, f"pattern, then validator `{rule.validator}`", NO_MATCH, reason))
        for phrase, match, verdict in phrase_trials(text):
            value = match.group("value")
            looks_for = f"log phrase, then check `{phrase.value_check}`"
            data_type = verdict or phrase.data_type
            if verdict is None:
                reason = f"the phrase matched; check `{phrase.value_check}` refused the value: it wants "
                reason += _doc(CHECKS[phrase.value_check])
                steps.append(Step(phrase.name, looks_for, REFUSED, reason, self._masked(value, phrase.data_type)))
            elif (phrase.name, *match.span("value")) in kept:
                reason = f"the phrase matched and check `{phrase.value_check}` accepted the value"
                steps.append(Step(phrase.name, looks_for, MATCHED, reason, self._masked(value, data_type)))
            else:
                reason = "a wider value overlapping it was kept"
                steps.append(Step(phrase.name, looks_for, OVERLAPPED, reason, self._masked(value, data_type)))
        return steps

    def _keyed(self, path: str, value: str, rule: KeyRule | None, steps: list[Step]) -> None:
        """A step saying what the key rule's check (and the placeholders) made of the value, as
        the line analyser reads a field by its name alone."""
        if rule is None:
            return
        keyed = LineAnalyser((), self.log_rules).analyse(value, [Field(path, 0, len(value))], [], read_keys=True)
        looks_for = f"check `{rule.value_check}`"
        if keyed:
            reason = f"the value passes check `{rule.value_check}`"
            steps.append(Step(rule.data_type, looks_for, MATCHED, reason, self._masked(value, keyed[0].data_type)))
            return
        if value.strip().lower() in self.log_rules.placeholders:
            reason = "the value only says it was removed (a placeholder of rules/logs.yaml)"
        else:
            reason = f"check `{rule.value_check}` refused the value: it wants {_doc(CHECKS[rule.value_check])}"
        steps.append(Step(rule.data_type, looks_for, REFUSED, reason, self._masked(value, rule.data_type)))

    def _as_log_field(self, path: str, value: str) -> list[Occurrence]:
        """What a log line holding only this field yields: the line analyser given the value
        candidates and phrases the engine would mark (its own checks decide the rest: technical
        fields, the key rule, one occurrence per value)."""
        analyser = LineAnalyser(self.values.rules, self.log_rules)
        events = [(order, *match.span()) for order, _, match, refused in self.values.candidates(value) if not refused]
        phrases = {rule: index for index, rule in enumerate(self.log_rules.contexts)}
        events += [
            (len(self.values.rules) + phrases[rule], *match.span())
            for rule, match, _ in phrase_trials(value)
            if rule in phrases
        ]
        return analyser.analyse(value, [Field(path, 0, len(value))], sorted(events, key=lambda event: event[1]), True)

    def _result(
        self,
        data_type: str,
        confidence: float | None = None,
        evidence: tuple[Evidence, ...] = (),
        value: str | None = None,
    ) -> Result:
        category = self.policy.category_for(data_type)
        return Result(
            data_type=data_type,
            title=self.taxonomy.get(data_type, data_type),
            confidence=confidence,
            evidence=evidence,
            category=category.id if category else None,
            category_title=category.title_en if category else None,
            purposes=category.purposes if category else (),
            value=value,
        )

    def _masked(self, value: str, data_type: str) -> str:
        return value if self.show_data else mask(value, data_type)

    def _masked_text(self, text: str) -> str:
        """The text as given, with every candidate the rules found in it masked (those refused
        too: a number that fails Luhn is still shaped like a card)."""
        if self.show_data:
            return text
        spans = []
        for _, rule, match, _ in self.values.candidates(text):
            spans.append(ValueMatch(rule.data_type, rule.name, *match.span(), match.group()))
        for phrase, match, verdict in phrase_trials(text):
            spans.append(
                ValueMatch(verdict or phrase.data_type, phrase.name, *match.span("value"), match.group("value"))
            )
        kept = widest_first([(span.start, span.end, order) for order, span in enumerate(spans)])
        return mask_text(text, sorted((spans[index] for index in kept), key=lambda span: span.start))


def _looks_for(trial: Trial, sql_type: str | None) -> str:
    """A name pattern's words, or the SQL type family its rule holds (`held_by_types`)."""
    if trial.pattern is None:
        return f"SQL type {type_family(sql_type)} (`held_by_types`)"
    return " ".join(trial.pattern.words)


def split_place(place: str) -> tuple[str, str]:
    """`customers.email` -> (`customers`, `email`); `public.users.token` -> (`public.users`, `token`)."""
    table, _, column = place.rpartition(".")
    if not table or not column or table.startswith(".") or table.endswith("."):
        raise ExplainError(
            f"PLACE {place!r} is not table.column (like customers.email or public.users.token); "
            "for a log field use --field, for a value --value"
        )
    return table, column


def _doc(function: object) -> str:
    """The first sentence of a check's docstring, which says what it checks."""
    doc = (getattr(function, "__doc__", None) or "").strip().split("\n\n")[0]
    text = " ".join(doc.split())
    return text[:1].lower() + text[1:].rstrip(".")


def _listed(words: Iterable[str], joint: str = "and") -> str:
    """`a`; `a` and `b`: words in backticks, sorted (sets have no order of their own)."""
    quoted = [f"`{word}`" for word in sorted(words)]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {joint} {quoted[-1]}"


def _is(words: frozenset[str] | set[str]) -> str:
    return "is" if len(words) == 1 else "are"


def _quoted(words: Sequence[str]) -> str:
    return ", ".join(f"`{word}`" for word in words)


def _a(word: str) -> str:
    """The article before a word read aloud: `an organisation`, `a business`."""
    return "an" if word[:1].lower() in "aeiou" else "a"
