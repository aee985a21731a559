"""A competition's stages and ranking rules as data: the standard pipelines, and the checks that keep a
competition's rules coherent before it is announced."""

from __future__ import annotations

from typing import Any

from recruit.i18n import N_

KIND_NAMES = {"internal_body": N_("internal, within the state body"),
              "internal_service": N_("internal, across the civil service"), "general": N_("general (open to all)")}
KINDS = tuple(KIND_NAMES)
STAGE_KINDS = ("test", "essay", "interview")
STAGE_NAMES = {"legislation": N_("Legislation test"), "competency": N_("Competency assessment"), "essay": N_("Essay"),
               "interview": N_("Interview")}
HURDLES = ("pass", "minimum", "top")
TIE_KEYS_FIXED = ("applied_at", "lottery")

LEGISLATION = {"code": "legislation", "kind": "test", "program": "corps-b", "hurdle": {"rule": "pass"}}
COMPETENCY = {"code": "competency", "kind": "test", "program": "competency", "hurdle": {"rule": "top", "count": 5}}
ESSAY = {"code": "essay", "kind": "essay", "hurdle": {"rule": "minimum", "minimum": 3}}
INTERVIEW = {"code": "interview", "kind": "interview", "hurdle": {"rule": "minimum", "minimum": 3}}


def standard_stages(essay: bool = False) -> list[dict[str, Any]]:
    """The corps B pipeline: legislation test, competency assessment (top 5 go on), [essay], interview."""
    return [dict(s) for s in (LEGISLATION, COMPETENCY, *((ESSAY,) if essay else ()), INTERVIEW)]


def standard_rules(stages: list[dict[str, Any]]) -> dict[str, Any]:
    codes = [s["code"] for s in stages]
    return {
        "weights": {"legislation": 1.0, "competency": 1.0, **({"essay": 1.0} if "essay" in codes else {}),
                    "interview": 2.0},
        "tie_keys": ["stage:interview", "stage:legislation", "applied_at", "lottery"],
        "reserve": 2, "item_appeal_days": 3, "review_days": 10,
    }


def problems(stages: list[dict[str, Any]], rules: dict[str, Any], posts: int) -> list[str]:
    """Message ids of everything wrong with a competition's rules; empty when they can be announced."""
    found: list[str] = []
    codes = [s.get("code") for s in stages]
    if not stages or len(set(codes)) != len(codes):
        found.append(N_("Stages must be listed once each."))
    for stage in stages:
        hurdle = stage.get("hurdle", {})
        if stage.get("kind") not in STAGE_KINDS or hurdle.get("rule") not in HURDLES:
            found.append(N_("Each stage needs a known kind and hurdle rule."))
        elif stage["kind"] == "test" and not stage.get("program"):
            found.append(N_("A test stage needs a program."))
        elif hurdle["rule"] == "top" and not (isinstance(hurdle.get("count"), int) and hurdle["count"] >= 1):
            found.append(N_("A top-N hurdle needs N of at least one."))
        elif hurdle["rule"] == "minimum" and not isinstance(hurdle.get("minimum"), (int, float)):
            found.append(N_("A minimum hurdle needs a minimum."))
    if any(code not in codes for code in rules.get("weights", {})):
        found.append(N_("Weights may only name the competition's stages."))
    keys = rules.get("tie_keys", [])
    if any(not (k in TIE_KEYS_FIXED or (k.startswith("stage:") and k[6:] in codes)) for k in keys):
        found.append(N_("Unknown tie-break key."))
    if "lottery" in keys and keys[-1] != "lottery":
        found.append(N_("The lottery may only be the last tie-break key."))
    if posts < 1 or rules.get("reserve", 0) < 0:
        found.append(N_("A competition needs at least one post and a reserve of zero or more."))
    return found
