"""Every answer of the identity, document and account operations validates against the
catalog's response schema (draft 4, with date-time formats and RFC 3339 UTC ``Z``).

One scenario over real HTTP calls each operation on its success path and on its documented
or likely error paths; then one test per operation validates what it answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
from identity_support import PDF, institution, person
from jsonschema import Draft4Validator, FormatChecker

from paxos_nb.catalog import schemas
from paxos_nb.emulator import Clock, Emulator

OPERATIONS = (
    "ListIdentities", "CreateIdentity", "GetIdentity", "UpdateIdentity",
    "SandboxSetIdentityStatus", "ListIdentityDocuments", "DocumentUpload",
    "AddInstitutionMembers", "DeleteInstitutionMember",
    "ListAccounts", "CreateAccount", "GetAccount", "UpdateAccount",
    "AddAccountMembers", "DeleteAccountMember",
)  # fmt: skip
RFC3339_Z = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z\Z")
_TS_KEY = re.compile(r"(_at|_date)\Z")


class Scenario:
    def __init__(self, emu: Emulator, session: requests.Session) -> None:
        self.emu, self.session = emu, session
        client = emu.demo_client
        token = session.post(
            emu.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": client.client_secret,
            },
            timeout=10,
        ).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.answers: dict[str, list[tuple[int, Any]]] = {op: [] for op in OPERATIONS}

    def __call__(
        self, op: str, method: str, path: str, body: Any = None, expect: int = 200, **params: Any
    ) -> Any:
        r = self.session.request(
            method,
            self.emu.api_url + path,
            json=body,
            params=params or None,
            headers=self.headers,
            timeout=10,
        )
        assert r.status_code == expect, (op, r.status_code, r.text)
        expected = "application/json" if expect == 200 else "application/problem+json"
        assert r.headers["Content-Type"].startswith(expected)
        self.answers[op].append((r.status_code, r.json()))
        return r.json()


def _run(call: Scenario) -> None:
    a = call("CreateIdentity", "POST", "/identity/identities", person(1, metadata={"k": "v"}))
    b = call("CreateIdentity", "POST", "/identity/identities", person(2, passthrough="DENIED"))
    c = call("CreateIdentity", "POST", "/identity/identities", person(3, passthrough=None))
    call("CreateIdentity", "POST", "/identity/identities", person(1), expect=409)
    call("CreateIdentity", "POST", "/identity/identities", {}, expect=400)
    members = [
        {
            "identity_id": a["id"],
            "roles": ["BENEFICIAL_OWNER"],
            "ownership": "60",
            "position": "CEO",
        }
    ]
    inst = call(
        "CreateIdentity",
        "POST",
        "/identity/identities",
        institution(members, "TRUST", customer_due_diligence={"has_nominee_shareholders": False}),
    )
    for ident in (a["id"], inst["id"]):
        call("GetIdentity", "GET", f"/identity/identities/{ident}")
        call(
            "GetIdentity",
            "GET",
            f"/identity/identities/{ident}",
            include_details="true",
            include_institution_members="true",
        )
    call("GetIdentity", "GET", "/identity/identities/nope", expect=404)
    call(
        "UpdateIdentity",
        "PUT",
        f"/identity/identities/{a['id']}",
        {"person_details": {"middle_name": "J"}, "last_kyc_refresh_date": "2026-06-01T00:00:00Z"},
    )
    call(
        "UpdateIdentity",
        "PUT",
        f"/identity/identities/{c['id']}",
        {"set_user_disabled": True, "is_merchant": True},
    )
    call(
        "UpdateIdentity", "PUT", f"/identity/identities/{a['id']}", {"ref_id": "user-2"}, expect=409
    )
    sandbox = f"/identity/identities/{c['id']}/sandbox-status"
    call(
        "SandboxSetIdentityStatus",
        "PUT",
        sandbox,
        {"id_verification_status": "ERROR", "user_disabled": {"disabled": False}},
    )
    call(
        "SandboxSetIdentityStatus",
        "PUT",
        sandbox,
        {"document_verification_status": "APPROVED"},
        expect=400,
    )
    call("ListIdentities", "GET", "/identity/identities", limit=2)
    call(
        "ListIdentities",
        "GET",
        "/identity/identities",
        summary_status="DENIED",
        identity_type="PERSON",
    )
    call("ListIdentities", "GET", "/identity/identities", page_cursor="junk", expect=400)
    added = call(
        "AddInstitutionMembers",
        "POST",
        "/identity/institution-members",
        {
            "institution_id": inst["id"],
            "members": [{"identity_id": b["id"], "roles": ["GRANTOR"], "name": "B"}],
        },
    )
    call(
        "AddInstitutionMembers",
        "POST",
        "/identity/institution-members",
        {"institution_id": "nope", "members": [{"identity_id": b["id"], "roles": ["GRANTOR"]}]},
        expect=404,
    )
    call(
        "DeleteInstitutionMember",
        "DELETE",
        f"/identity/institution-members/{added['members'][0]['id']}",
    )
    call("DeleteInstitutionMember", "DELETE", "/identity/institution-members/nope", expect=404)
    docs = f"/identity/identities/{inst['id']}/documents"
    asked = call(
        "DocumentUpload", "PUT", docs, {"name": "trust.pdf", "document_types": ["TRUST_DOCUMENTS"]}
    )
    assert requests.put(asked["upload_url"], data=PDF, timeout=10).status_code == 200
    call(
        "DocumentUpload",
        "PUT",
        docs,
        {"name": "trust.pdf", "document_types": ["TRUST_DOCUMENTS"]},
        expect=409,
    )
    call("DocumentUpload", "PUT", docs, {"name": ""}, expect=400)
    call(
        "DocumentUpload",
        "PUT",
        "/identity/identities/nope/documents",
        {"name": "a.pdf", "document_types": ["APPLICATION"]},
        expect=404,
    )
    call("ListIdentityDocuments", "GET", docs, include_pending_docs="true")
    call("ListIdentityDocuments", "GET", docs)
    call("ListIdentityDocuments", "GET", "/identity/identities/nope/documents", expect=404)
    account = call(
        "CreateAccount",
        "POST",
        "/identity/accounts",
        {
            "create_profile": True,
            "account": {
                "identity_id": a["id"],
                "ref_id": "acc",
                "description": "d",
                "metadata": {"m": "1"},
                "members": [{"identity_id": b["id"], "roles": ["BENEFICIAL_OWNER"]}],
            },
        },
    )
    call(
        "CreateAccount",
        "POST",
        "/identity/accounts",
        {"account": {"identity_id": a["id"], "ref_id": "acc"}},
        expect=409,
    )
    call(
        "CreateAccount",
        "POST",
        "/identity/accounts",
        {"account": {"identity_id": "nope"}},
        expect=404,
    )
    call("GetAccount", "GET", f"/identity/accounts/{account['id']}")
    call("GetAccount", "GET", "/identity/accounts/nope", expect=404)
    call(
        "UpdateAccount",
        "PUT",
        "/identity/accounts",
        {
            "account": {
                "id": account["id"],
                "members": [
                    {"identity_id": b["id"], "roles": ["BENEFICIAL_OWNER"]},
                    {"identity_id": c["id"], "roles": ["AUTHORIZED_USER"]},
                ],
            },
            "set_user_disabled": True,
        },
    )
    call(
        "UpdateAccount",
        "PUT",
        "/identity/accounts",
        {"account": {"id": account["id"], "members": []}},
        expect=400,
    )
    more = call(
        "AddAccountMembers",
        "POST",
        "/identity/account-members",
        {
            "account_id": account["id"],
            "members": [{"identity_id": inst["id"], "roles": ["FINANCIAL_ADVISOR"]}],
        },
    )
    call(
        "AddAccountMembers",
        "POST",
        "/identity/account-members",
        {"account_id": "nope", "members": [{"identity_id": b["id"], "roles": ["AUTHORIZED_USER"]}]},
        expect=404,
    )
    call("DeleteAccountMember", "DELETE", f"/identity/account-members/{more['members'][0]['id']}")
    call("DeleteAccountMember", "DELETE", "/identity/account-members/nope", expect=404)
    call("ListAccounts", "GET", "/identity/accounts", identity_id=a["id"])
    call("ListAccounts", "GET", "/identity/accounts", limit=0, expect=400)


@pytest.fixture(scope="module")
def answers() -> Iterator[dict[str, list[tuple[int, Any]]]]:
    clock = Clock(at=datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc))
    with Emulator(seed=0, rate_limits=False, clock=clock) as emu, requests.Session() as session:
        scenario = Scenario(emu, session)
        _run(scenario)
        yield scenario.answers


def _bad_timestamps(value: Any, where: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            bad
            for key, item in value.items()
            for bad in (
                [f"{where}/{key}: {item!r}"]
                if isinstance(item, str) and _TS_KEY.search(key) and not RFC3339_Z.match(item)
                else _bad_timestamps(item, f"{where}/{key}")
            )
        ]
    if isinstance(value, list):
        return [
            bad for n, item in enumerate(value) for bad in _bad_timestamps(item, f"{where}/{n}")
        ]
    return []


@pytest.mark.parametrize("op", OPERATIONS)
def test_every_answer_matches_the_catalog(answers, op):
    got = answers[op]
    assert any(status == 200 for status, _ in got), f"{op} never answered 200"
    errors = []
    for status, body in got:
        schema = schemas.for_operation(op).response(status) or schemas.components()["Problem"]
        validator = Draft4Validator(schemas.rooted(schema), format_checker=FormatChecker())
        errors += [
            f"{status} {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(body)
        ]
        errors += [f"{status} {bad}" for bad in _bad_timestamps(body)]
    assert errors == []


def test_the_validation_is_not_vacuous():
    schema = schemas.rooted(schemas.for_operation("GetIdentity").response(200))
    validator = Draft4Validator(schema, format_checker=FormatChecker())
    good = {
        "id": "x",
        "type": "PERSON",
        "summary_status": "APPROVED",
        "created_at": "2026-01-01T00:00:00Z",
    }
    assert list(validator.iter_errors(good)) == []
    for broken in (
        {**good, "summary_status": "OK"},
        {**good, "created_at": "yesterday"},
        {**good, "person_details": {"first_name": "A!"}},
        {k: v for k, v in good.items() if k != "id"},
    ):
        assert list(validator.iter_errors(broken)), broken
    assert _bad_timestamps({"a": {"updated_at": "2026-01-01T00:00:00+00:00"}})
