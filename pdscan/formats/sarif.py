"""`--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, IDE viewers).

One rule per verdict kind (plus stale baseline entries and each warning); one result per
finding that needs attention, pointing at the file:line that defined the column (or where a log value was first
seen), its message naming the category and the policy clause. `ok` places are not results:
there is nothing to act on. Ignored findings are results with a suppression (`inSource` for
an ignore written in the DDL, `external` for pdscan.yml), so code scanning shows them closed.
`partialFingerprints` carry pdscan's own fingerprint (no line numbers), and with --baseline
each result says `baselineState` new or unchanged; stale baseline entries are `absent`.
A finding's warning (`plaintext_sensitive`: a card number in clear text in a log) is a result
of its own rule at level `warning`, on `ok` places too: a permitted purpose does not make clear
text safe. Warnings never fail the scan; an ignored finding's warnings are ignored with it. A
warning a `silence:` entry covers is a `note` suppressed (`external`) with the entry's reason,
its location the entry's line in pdscan.yml.
Nothing here is judged again: levels follow the verdicts and --fail-on as audit.py decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pdscan.audit import PLAINTEXT_SENSITIVE, WARNING_EXPLANATIONS
from pdscan.formats.code_locations import (
    CodeLocation,
    baseline_location,
    declaration_location,
    failing,
    place_name,
    skipped_location,
    stale_fails,
    verdict_location,
    written_location,
)
from pdscan.formats.explanations import explanation
from pdscan.formats.interface import FormatOptions
from pdscan.formats.summary import in_place_order, silenced, warned
from pdscan.formats.wording import Wording
from pdscan.model import (
    BaselineEntry,
    Report,
    SilencedWarning,
    Skipped,
    SourceKind,
    StaleDeclaration,
    Verdict,
    VerdictKind,
)
from pdscan.sentences import sentence
from pdscan.visible import json_text

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "pdscanFingerprint/v1"
STALE_BASELINE_ENTRY = "stale_baseline_entry"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    short: str
    full: str
    help: str
    level: str  # the default level; a result's own level says whether it fails this scan


RULES = (
    Rule(
        VerdictKind.UNDECLARED.value,
        "UndeclaredPersonalData",
        "Personal data held without a declared purpose",
        "A column or log field holds personal data of a policy category and no declaration gives it a purpose.",
        "Declare why the place holds it, with a purpose the policy permits for the category: in pdscan.yml "
        "(`columns: {phone: [customer_support]}`) or inline (`-- pdscan: purpose=customer_support`); or stop "
        "holding it.",
        "error",
    ),
    Rule(
        VerdictKind.PURPOSE_NOT_PERMITTED.value,
        "PurposeNotPermitted",
        "Personal data declared for a purpose the policy does not permit",
        "A declared purpose is not among those the policy's clause allows for the data's category.",
        "Remove the purpose from the declaration, or have the policy permit it for this category.",
        "error",
    ),
    Rule(
        VerdictKind.NO_POLICY_PURPOSE.value,
        "NoPolicyPurpose",
        "Personal data whose category has no purpose in the policy",
        "The policy collects this category but names no purpose for it, so no declaration can make holding it "
        "permitted.",
        "Stop holding it, or have the policy name a purpose for the category.",
        "error",
    ),
    Rule(
        VerdictKind.NOT_IN_POLICY.value,
        "NotInPolicy",
        "Personal data no category of the policy covers",
        "The data type belongs to no category of the policy: the policy never says this data is collected.",
        "Stop holding it, or extend the policy with a category that covers it.",
        "error",
    ),
    Rule(
        VerdictKind.STALE_DECLARATION.value,
        "StaleDeclaration",
        "A declaration names a table or column the scan no longer finds",
        "The data map declares purposes for a place that is not in the scanned schema any more.",
        "Remove the entry from pdscan.yml, or rename it after the column.",
        "warning",
    ),
    Rule(
        VerdictKind.IGNORED.value,
        "IgnoredPersonalData",
        "Personal data ignored, with a reason",
        "An ignore entry in pdscan.yml or an inline `pdscan: ignore reason=…` comment covers this place.",
        "Nothing to do while the reason holds; remove the ignore when it does not.",
        "note",
    ),
    Rule(
        VerdictKind.OK.value,
        "DeclaredPersonalData",
        "Personal data declared for purposes the policy permits",
        "Declared, and every declared purpose is permitted for the category. Not reported as a result.",
        "Nothing to do.",
        "none",
    ),
    Rule(
        PLAINTEXT_SENSITIVE,
        "PlaintextSensitiveData",
        "Card, bank-account or identity-document numbers readable in clear text",
        "A log holds values the policy promises to protect by encryption (§1a) in clear text. A warning: it "
        "never fails the scan, whatever the place's verdict.",
        "Mask or encrypt these values before they are logged, or stop logging the field; purge the copies "
        "already written.",
        "warning",
    ),
    Rule(
        STALE_BASELINE_ENTRY,
        "StaleBaselineEntry",
        "A baseline entry matches no finding any more",
        "The baseline accepts a finding the scan did not make: the column was dropped or renamed, or its data is "
        "no longer recognised.",
        "Write the baseline again with `pdscan baseline`.",
        "note",
    ),
)
RULE_INDEX = {rule.id: index for index, rule in enumerate(RULES)}


class SarifFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.words = options.wording.in_english()  # a document for programs: English whatever --lang says

    def format(self, report: Report) -> str:
        return json_text(sarif_document(report, self.words), indent=2) + "\n"


def sarif_document(report: Report, words: Wording) -> dict[str, Any]:
    results = [_result(report, v, words) for v in in_place_order(report.verdicts) if v.kind is not VerdictKind.OK]
    results += [_warning(verdict, warning) for verdict, warning in warned(report.verdicts)]
    results += [_silenced(verdict, silence) for verdict, silence in silenced(report.verdicts)]
    results += [_stale_declaration(report, s) for s in sorted(report.stale_declarations, key=_stale_order)]
    if report.baseline is not None:
        results += [_stale_entry(report, entry) for entry in report.baseline.stale]
    every_source_skipped = bool(report.sources) and all(s.status == "skipped" for s in report.sources)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pdscan",
                "version": report.tool_version,
                "semanticVersion": report.tool_version.split("+")[0],
                "rules": [_rule(rule) for rule in RULES],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not every_source_skipped,
                "toolExecutionNotifications": [_skipped(item) for item in report.skipped],
            }
        ],
        "results": results,
        "properties": {
            "policy": {
                "id": report.policy.policy_id,
                "version": report.policy.version,
                "sha256": report.policy.sha256,
            },
            "rulesVersion": report.rules_version,
            "failOn": report.fail_on,
            "baseline": report.baseline.path if report.baseline else None,
            "changedSince": report.changed_since.ref if report.changed_since else None,
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": rule.level},
        "properties": {"tags": ["privacy", "personal-data"]},
    }


def _result(report: Report, verdict: Verdict, words: Wording) -> dict[str, Any]:
    finding = verdict.finding
    result: dict[str, Any] = {
        "ruleId": verdict.kind.value,
        "ruleIndex": RULE_INDEX[verdict.kind.value],
        "level": _level(report, verdict),
        "message": {"text": f"{_headline(verdict)} {explanation(verdict, words)}"},
        "locations": [_location(verdict)],
        "partialFingerprints": {FINGERPRINT_KEY: verdict.fingerprint},
        "properties": {
            "category": finding.category,
            "clause": verdict.clause,
            "dataType": finding.data_type,
            "declaredPurposes": list(verdict.declared_purposes),
            "declaredIn": list(verdict.declared_in),
            "permittedPurposes": list(verdict.permitted_purposes),
            "confidence": round(finding.confidence, 3),
            "evidence": [sentence(evidence) for evidence in finding.evidence],
            "warnings": list(verdict.warnings),
        },
    }
    if verdict.baseline_state is not None:
        result["baselineState"] = verdict.baseline_state.value
    if verdict.kind is VerdictKind.IGNORED:
        suppression: dict[str, Any] = {
            "kind": _suppression_kind(verdict),
            "status": "accepted",
            "justification": verdict.ignore_reason or "",
        }
        if verdict.ignored_in:
            suppression["location"] = {"physicalLocation": _physical(written_location(verdict.ignored_in))}
        result["suppressions"] = [suppression]
    return result


def _warning(verdict: Verdict, warning: str) -> dict[str, Any]:
    finding = verdict.finding
    result: dict[str, Any] = {
        "ruleId": warning,
        "ruleIndex": RULE_INDEX[warning],
        "level": "warning",
        "message": {"text": f"{place_name(verdict)}: {_held(verdict)} is {WARNING_EXPLANATIONS[warning]}."},
        "locations": [_location(verdict)],
        "partialFingerprints": {FINGERPRINT_KEY: f"{warning}:{verdict.fingerprint}"},
        "properties": {
            "category": finding.category,
            "clause": verdict.clause,
            "dataType": finding.data_type,
            "verdict": verdict.kind.value,
        },
    }
    if verdict.baseline_state is not None:
        result["baselineState"] = verdict.baseline_state.value
    return result


def _silenced(verdict: Verdict, silence: SilencedWarning) -> dict[str, Any]:
    result = _warning(verdict, silence.warning)
    result["level"] = "note"
    result["message"]["text"] += f" Silenced ({silence.silenced_in}): {silence.reason}"
    result["suppressions"] = [
        {
            "kind": "external",
            "status": "accepted",
            "justification": silence.reason,
            "location": {"physicalLocation": _physical(written_location(silence.silenced_in))},
        }
    ]
    return result


def _held(verdict: Verdict) -> str:
    finding = verdict.finding
    return f"category `{finding.category}` ({verdict.clause})" if finding.category else f"`{finding.data_type}`"


def _headline(verdict: Verdict) -> str:
    """The first sentence, what viewers show when space is short: the place, category and clause."""
    place = place_name(verdict)
    held = _held(verdict)
    return {
        VerdictKind.UNDECLARED: f"{place}: {held} is held without a declared purpose.",
        VerdictKind.PURPOSE_NOT_PERMITTED: f"{place}: {held} is declared for a purpose the policy does not permit.",
        VerdictKind.NO_POLICY_PURPOSE: f"{place}: {held} has no purpose in the policy.",
        VerdictKind.NOT_IN_POLICY: f"{place}: {held} is personal data no category of the policy covers.",
        VerdictKind.IGNORED: f"{place}: {held} is ignored ({verdict.ignore_reason}).",
    }[verdict.kind]


def _level(report: Report, verdict: Verdict) -> str:
    if verdict.kind is VerdictKind.IGNORED:
        return "note"
    return "error" if failing(report, verdict) else "warning"


def _suppression_kind(verdict: Verdict) -> str:
    """`inSource` when the ignore is written in the file the finding is in, else `external`."""
    written_in = (verdict.ignored_in or "").rpartition(":")[0]
    return "inSource" if written_in == verdict.finding.location.source else "external"


def _location(verdict: Verdict) -> dict[str, Any]:
    location = verdict.finding.location
    logical: dict[str, Any] = {"fullyQualifiedName": place_name(verdict)}
    if location.column:
        logical["name"] = location.column
    where: dict[str, Any] = {"logicalLocations": [logical]}
    code = verdict_location(verdict)
    if code is not None:
        where["physicalLocation"] = _physical(code)
    if location.kind is SourceKind.DATABASE:
        where["message"] = {"text": f"database {location.database or location.source}"}
    return where


def _stale_declaration(report: Report, stale: StaleDeclaration) -> dict[str, Any]:
    return {
        "ruleId": VerdictKind.STALE_DECLARATION.value,
        "ruleIndex": RULE_INDEX[VerdictKind.STALE_DECLARATION.value],
        "level": "error" if stale_fails(report) else "warning",
        "message": {"text": f"{stale.place}: declared but not found. {sentence(stale)}"},
        "locations": [{"physicalLocation": _physical(declaration_location(stale))}],
        "partialFingerprints": {FINGERPRINT_KEY: f"stale:{stale.place}"},
    }


def _stale_entry(report: Report, entry: BaselineEntry) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": STALE_BASELINE_ENTRY,
        "ruleIndex": RULE_INDEX[STALE_BASELINE_ENTRY],
        "level": "note",
        "message": {
            "text": f"{entry.source} {entry.place}: the baseline accepts category `{entry.category}` "
            f"({entry.verdict.value}) here, but the scan no longer finds it; write the baseline again with "
            "`pdscan baseline`."
        },
        "partialFingerprints": {FINGERPRINT_KEY: entry.fingerprint},
        "baselineState": "absent",
    }
    where: dict[str, Any] = {"logicalLocations": [{"fullyQualifiedName": f"{entry.source} {entry.place}"}]}
    code = baseline_location(report, entry)
    if code is not None:
        where["physicalLocation"] = _physical(code)
    result["locations"] = [where]
    return result


def _skipped(item: Skipped) -> dict[str, Any]:
    notification: dict[str, Any] = {"level": "warning", "message": {"text": f"skipped: {item}"}}
    code = skipped_location(item)
    if code is not None:
        notification["locations"] = [{"physicalLocation": _physical(code)}]
    return notification


def _physical(code: CodeLocation) -> dict[str, Any]:
    """A relative URI (resolved against the repository root by code scanning), a file:// URI, or
    the URL of an object in remote storage."""
    if "://" in code.path:
        uri = quote(code.path, safe=":/")
    else:
        uri = "file://" + quote(code.path) if code.path.startswith("/") else quote(code.path)
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if code.line:
        physical["region"] = {"startLine": code.line}
    return physical


def _stale_order(stale: StaleDeclaration) -> tuple[str, str]:
    return (stale.declared_in, stale.place)
