"""Why a verdict was reached, as one sentence in the report's language.

Written at output time from the verdict's facts (audit.py decides; this only words it), from
the `explanation.*` templates of rules/labels.yaml: whole clauses per language, so Russian is
written as Russian rather than English words swapped one by one.
"""

from __future__ import annotations

from pdscan.formats.wording import Wording
from pdscan.model import Location, SourceKind, Verdict, VerdictKind
from pdscan.ruleset.taxonomy import as_phrase


def explanation(verdict: Verdict, words: Wording) -> str:
    finding = verdict.finding
    where = _where(finding.location, words)
    if verdict.kind is VerdictKind.IGNORED:
        unignored = verdict.unignored_kind.value if verdict.unignored_kind else ""
        text = words(
            "explanation.ignored",
            where=where,
            ignored_in=verdict.ignored_in,
            reason=verdict.ignore_reason,
            unignored=unignored,
        )
    elif verdict.kind is VerdictKind.NOT_IN_POLICY or finding.category is None:
        title = as_phrase(words.data_type_title(finding.data_type))
        text = words("explanation.not_in_policy", where=where, data_type_title=title, data_type=finding.data_type)
    else:
        text = _judged(verdict, finding.category, where, words)
    return text[:1].upper() + text[1:]


def _judged(verdict: Verdict, category_id: str, where: str, words: Wording) -> str:
    clause = verdict.clause or ""
    held = words("explanation.held", where=where, category=as_phrase(words.category_title(category_id)), clause=clause)
    permitted = ", ".join(verdict.permitted_purposes)
    declared_in = f" ({', '.join(verdict.declared_in)})" if verdict.declared_in else ""
    facts = {"held": held, "permitted": permitted, "category_id": category_id, "clause": clause}
    if verdict.kind is VerdictKind.NO_POLICY_PURPOSE:
        return words("explanation.no_policy_purpose", **facts)
    if verdict.kind is VerdictKind.UNDECLARED:
        return words("explanation.undeclared", **facts)
    if verdict.kind is VerdictKind.PURPOSE_NOT_PERMITTED:
        refused = [purpose for purpose in verdict.declared_purposes if purpose not in verdict.permitted_purposes]
        key = "explanation.purpose_not_permitted_one" if len(refused) == 1 else "explanation.purpose_not_permitted_many"
        return words(key, refused=", ".join(refused), declared_in=declared_in, **facts)
    key = "explanation.ok_one" if len(verdict.declared_purposes) == 1 else "explanation.ok_many"
    return words(key, declared=", ".join(verdict.declared_purposes), declared_in=declared_in, **facts)


def _where(location: Location, words: Wording) -> str:
    if location.kind is SourceKind.LOG:
        if location.column:
            return words("explanation.where_field", source=location.source, field=location.column)
        return words("explanation.where_free_text", source=location.source)
    return words("explanation.where_place", place=location.place or location.source)
