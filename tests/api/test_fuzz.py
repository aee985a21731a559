"""Every operation of the API, fuzzed by schemathesis from the app's own OpenAPI document, as the candidate, as
staff and without a token: never a 5xx, and every answer is one the document declares (status code, content
type, headers, body schema)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation import GenerationMode

from recruit.app import create_app
from recruit.settings import Settings
from tests.api.conftest import CANDIDATE, STAFF, World

# The document comes from the app itself (its database is never opened to serve it). Binding the schema to an app
# makes schemathesis call in-process; every call names the app under test, which its auth probes reuse.
_DOCUMENT_APP = create_app(Settings(database_url="sqlite:////dev/null", secret_key="document-only-" + "x" * 32,
                                    env="test"))
DOCUMENT = TestClient(_DOCUMENT_APP).get("/schema/openapi.json").json()
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = _DOCUMENT_APP
# Tokens come from the identities below, not from the generator; unknown query parameters are ignored, as HTTP
# servers do, rather than counted as bad input.
schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)
IDENTITIES = (CANDIDATE, STAFF, None)  # open operations are called once, without a token
# Rules the document can only say in words, so a valid-looking request may rightly be refused: a stage and a
# dimension must go together (tests have no position category, competition stages no test language, track or
# program: 400), and a score sheet must cover exactly its interview's rubric, a revision with a written
# justification (422).
SCHEMA_CANNOT_SAY = {"GET /api/v1/reports/pass-rates": [positive_data_acceptance],
                     "POST /api/v1/interviews/{interview_id}/scores": [positive_data_acceptance]}


def aim_at_real_things(case: Any, world: World, data: st.DataObject) -> None:
    """Swap some made-up ids and bodies for real ones, so operations get past 404 to the rules behind it.
    Only valid (positive) cases: a negative case must stay exactly as schemathesis made it."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    for name in list(case.path_parameters or {}):
        if name in world.path_ids and data.draw(st.booleans()):
            case.path_parameters[name] = data.draw(st.sampled_from(world.path_ids[name]))
    body = case.body
    if not isinstance(body, dict) or not data.draw(st.booleans()):
        return
    if "sitting_id" in body:
        body["sitting_id"] = data.draw(st.sampled_from(world.path_ids["sitting_id"]))
        body["language"] = data.draw(st.sampled_from(["en", "ru", "kk", body.get("language")]))
    if "choice_ids" in body:
        body["choice_ids"] = data.draw(st.lists(st.sampled_from(world.option_ids), max_size=2))
    if "scores" in body:
        body["scores"] = data.draw(st.fixed_dictionaries({code: st.fixed_dictionaries({
            "level": st.integers(0, 6), "evidence": st.text(max_size=3)}) for code in world.competencies}))


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=50, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_documented(case, data, world: World):
    aim_at_real_things(case, world, data)
    revokes = case.operation.label == "DELETE /api/v1/tokens/current"
    protected = "security" in DOCUMENT["paths"][case.operation.path][case.operation.method]
    for identity in IDENTITIES if protected else (None,):
        case.call_and_validate(app=world.app, headers=world.headers(identity, spare=revokes),
                               excluded_checks=SCHEMA_CANNOT_SAY.get(case.operation.label))


def test_the_fuzzed_document_is_the_one_the_app_serves(world: World):
    assert world.client.get("/schema/openapi.json").json() == DOCUMENT
