"""Identities: create (409s), the sandbox onboarding decision, sandbox-status driving the
summary status by the documented rules, the delta-merge update, lists, and the changes (with
their Paxos event objects) every status change announces."""

from __future__ import annotations

import itertools

import pytest
from identity_support import Recorder, institution, person

from paxos_nb.emulator.backends.identity_records import REQUIRED, SUB_STATUSES, summary_of

STATUSES = ("PENDING", "APPROVED", "DENIED", "ERROR", "DISABLED")


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def _status_objects(rec: Recorder, kind: str) -> list[tuple[str, str]]:
    return [
        (o["old_summary_status"], o["new_summary_status"]) for _, o in rec.objects.get(kind, [])
    ]


def test_a_passthrough_person_is_pending_then_approved_by_the_next_read(rec):
    made = rec.ok("POST", "/identity/identities", person(1))
    assert made["summary_status"] == "PENDING"  # the create answer (docs: PENDING)
    details = made["person_details"]
    assert details["id_verification_status"] == "APPROVED"  # mirrors the passthrough result
    assert details["sanctions_verification_status"] == "PENDING"
    assert rec.kinds() == ["identity.created"]
    got = rec.identity(made["id"])
    assert got["summary_status"] == "APPROVED"
    assert {got["person_details"][k] for k in SUB_STATUSES["PERSON"]} == {"APPROVED"}
    assert rec.kinds() == ["identity.approved"]
    ((object_type, obj),) = rec.objects["identity.approved"]
    assert object_type == "identity_summary_status_change"
    assert obj["identity_id"] == made["id"]
    assert obj["id"] != made["id"]
    assert (obj["old_summary_status"], obj["new_summary_status"]) == ("PENDING", "APPROVED")
    assert got["updated_at"] == made["created_at"]  # decided at its due instant (delay 0)


def test_a_denied_passthrough_person_is_denied(rec):
    made = rec.ok("POST", "/identity/identities", person(2, passthrough="DENIED"))
    assert made["summary_status"] == "PENDING"
    assert rec.identity(made["id"])["summary_status"] == "DENIED"
    assert _status_objects(rec, "identity.denied") == [("PENDING", "DENIED")]


def test_paxos_idv_waits_for_sandbox_status(rec):
    made = rec.ok("POST", "/identity/identities", person(3, passthrough=None))
    rec.later(3600)
    got = rec.identity(made["id"])
    assert got["summary_status"] == "PENDING"
    assert got["person_details"]["id_verification_status"] == "PENDING"
    path = f"/identity/identities/{made['id']}/sandbox-status"
    assert rec.ok("PUT", path, {"id_verification_status": "APPROVED"}) == {}
    assert rec.identity(made["id"])["summary_status"] == "PENDING"  # sanctions still pending
    rec.kinds()
    rec.ok("PUT", path, {"sanctions_verification_status": "APPROVED"})
    assert rec.identity(made["id"])["summary_status"] == "APPROVED"
    assert rec.kinds() == ["identity.approved"]


def test_sandbox_status_reaches_every_summary_status_and_announces_each(rec):
    made = rec.ok("POST", "/identity/identities", person(4))
    path = f"/identity/identities/{made['id']}/sandbox-status"
    rec.identity(made["id"])  # APPROVED
    rec.kinds()
    steps = [
        ({"additional_screening_status": "ERROR"}, "ERROR"),
        ({"additional_screening_status": "APPROVED"}, "APPROVED"),
        ({"sanctions_verification_status": "DENIED"}, "DENIED"),
        ({"sanctions_verification_status": "APPROVED"}, "APPROVED"),
        ({"user_disabled": {"disabled": True}}, "DISABLED"),
        ({"user_disabled": {"disabled": False}}, "APPROVED"),
        ({"admin_disabled": {"disabled": True}}, "DISABLED"),
        ({"sanctions_verification_status": "PENDING", "admin_disabled": {}}, "PENDING"),
    ]
    for body, expected in steps:
        rec.ok("PUT", path, body)
        got = rec.identity(made["id"])
        assert got["summary_status"] == expected, body
        assert rec.kinds() == [f"identity.{expected.lower()}"], body
    assert got["admin_disabled"] is False
    assert _status_objects(rec, "identity.disabled") == [("APPROVED", "DISABLED")] * 2
    assert _status_objects(rec, "identity.denied") == [("APPROVED", "DENIED")]
    rec.ok("PUT", path, {"additional_screening_status": "PENDING"})  # no summary change
    assert rec.kinds() == ["identity.updated"]
    rec.ok("PUT", path, {})  # nothing to set: no change
    assert rec.kinds() == []


def test_an_institution_is_asked_for_documents_and_approved_by_sanctions(rec):
    member = rec.ok("POST", "/identity/identities", person(5))
    body = institution([{"identity_id": member["id"], "roles": ["BENEFICIAL_OWNER"]}], "LLC")
    made = rec.ok("POST", "/identity/identities", body)
    assert made["summary_status"] == "PENDING"
    assert made["institution_members"][0]["identity_id"] == member["id"]
    assert rec.kinds()[-2:] == ["identity.created", "institution_member.created"]
    rec.later(86400)
    assert rec.identity(made["id"])["summary_status"] == "PENDING"  # waits for documents
    ((object_type, obj),) = rec.objects["identity.documents_required"]
    assert object_type == "identity_documents_required"
    assert obj["identity_id"] == made["id"]
    assert obj["required_documents"] == ["ORGANIZATIONAL_DOCUMENTS", "OPERATING_AGREEMENT"]
    path = f"/identity/identities/{made['id']}/sandbox-status"
    rec.ok("PUT", path, {"sanctions_verification_status": "APPROVED"})
    assert rec.identity(made["id"])["summary_status"] == "APPROVED"
    detail = rec.fails(400, "PUT", path, {"id_verification_status": "APPROVED"})
    assert "id_verification_status does not apply to a INSTITUTION identity" in detail
    person_path = f"/identity/identities/{member['id']}/sandbox-status"
    detail = rec.fails(400, "PUT", person_path, {"document_verification_status": "APPROVED"})
    assert detail.startswith("document_verification_status does not apply to a PERSON")


@pytest.mark.parametrize("kind", ["PERSON", "INSTITUTION"])
def test_the_summary_rule(kind):
    names = SUB_STATUSES[kind]
    for values in itertools.product(STATUSES, repeat=len(names)):
        statuses = dict(zip(names, values, strict=True))
        for user, admin in itertools.product((False, True), repeat=2):
            got = summary_of(kind, statuses, user, admin)
            if user or admin or "DISABLED" in values:
                assert got == "DISABLED"
            elif "DENIED" in values:
                assert got == "DENIED"
            elif "ERROR" in values:
                assert got == "ERROR"
            elif all(statuses[n] == "APPROVED" for n in REQUIRED[kind]):
                assert got == "APPROVED"
            else:
                assert got == "PENDING"


def test_duplicates_are_409_with_the_existing_id(rec):
    made = rec.ok("POST", "/identity/identities", person(6))
    status, problem = rec.call("POST", "/identity/identities", person(6))
    assert status == 409
    assert problem["detail"] == "duplicate ref_id provided"
    assert problem["type"].endswith("/already-exists")
    assert problem["meta"] == {"existing": {"id": made["id"]}}
    same_ssn = person(6, ref_id="another-user")
    status, problem = rec.call("POST", "/identity/identities", same_ssn)
    assert status == 409
    assert problem["detail"] == "duplicate (cip_id, cip_id_type, cip_id_country) provided"
    assert problem["meta"]["existing"]["id"] == made["id"]
    same_ssn["person_details"]["cip_id_country"] = "CAN"  # another country: another cip
    rec.ok("POST", "/identity/identities", same_ssn)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "send exactly one of person_details"),
        ({**person(7), **institution([])}, "got person_details and institution_details"),
        ({"person_details": {"first_name": "A!"}}, "person_details.first_name invalid"),
        ({"person_details": {"frist_name": "A"}}, "did you mean 'first_name'?"),
        ({"person_details": {"cip_id_type": "SIN"}}, "person_details.cip_id_type invalid: 'SIN'"),
        ({"person_details": {"id_verification_status": "APPROVED"}}, "is set by Paxos"),
        ({"person_details": {"first_name": "A"}}, "tax_details is required"),
        (
            {"person_details": {"verifier_type": "PASSTHROUGH"}},
            "passthrough_verifier_type is required when verifier_type is PASSTHROUGH",
        ),
        ({"person_details": {"first_name": 5}}, "person_details.first_name must be a string"),
        ({"metadata": {"a": 1}, "person_details": {}}, "metadata.a must be a string"),
        (institution([]), "an institution needs at least one member"),
        (
            institution([{"identity_id": "nope", "roles": ["TRUSTEE"]}]),
            "institution_members[0].identity_id: identity not found: nope",
        ),
        (
            {**person(8), "institution_members": [{"identity_id": "x", "roles": ["GRANTOR"]}]},
            "only an institution has members",
        ),
    ],
)
def test_create_names_what_is_wrong(rec, body, detail):
    assert detail in rec.fails(
        400 if "not found" not in detail else 404, "POST", "/identity/identities", body
    )


def test_institution_member_rules(rec):
    a = rec.ok("POST", "/identity/identities", person(9))["id"]
    b = rec.ok("POST", "/identity/identities", person(10))["id"]
    trustee = [{"identity_id": a, "roles": ["TRUSTEE"]}]
    assert "TRUSTEE does not apply to a CORPORATION" in rec.fails(
        400, "POST", "/identity/identities", institution(trustee)
    )
    both = [{"identity_id": a, "roles": ["BENEFICIAL_OWNER", "BENEFICIARY"]}]
    assert "cannot be both" in rec.fails(
        400, "POST", "/identity/identities", institution(both, "TRUST")
    )
    half = [{"identity_id": a, "roles": ["BENEFICIAL_OWNER"], "ownership": "150"}]
    assert "percentage from 0 to 100" in rec.fails(
        400, "POST", "/identity/identities", institution(half)
    )
    trust = rec.ok("POST", "/identity/identities", institution(trustee, "TRUST"))
    added = rec.ok(
        "POST",
        "/identity/institution-members",
        {
            "institution_id": trust["id"],
            "members": [{"identity_id": b, "roles": ["GRANTOR"], "ownership": "25"}],
        },
    )
    assert added["institution_id"] == trust["id"]
    (member,) = added["members"]
    assert member["identity_id"] == b
    assert member["roles"] == ["GRANTOR"]
    assert member["id"]
    again = {
        "institution_id": trust["id"],
        "members": [{"identity_id": b, "roles": ["BENEFICIARY"]}],
    }
    assert "already a member" in rec.fails(400, "POST", "/identity/institution-members", again)
    to_person = {"institution_id": a, "members": [{"identity_id": b, "roles": ["GRANTOR"]}]}
    assert "is a PERSON" in rec.fails(400, "POST", "/identity/institution-members", to_person)
    got = rec.ok("GET", f"/identity/identities/{trust['id']}?include_institution_members=true")
    assert [m["identity_id"] for m in got["institution_members"]] == [a, b]
    assert {m["summary_status"] for m in got["institution_members"]} == {"APPROVED"}
    assert "institution_details" not in got  # details only with include_details
    rec.kinds()
    assert rec.ok("DELETE", f"/identity/institution-members/{member['id']}") == {}
    assert rec.kinds() == ["institution_member.deleted"]
    first = got["institution_members"][0]["id"]
    assert "last member" in rec.fails(400, "DELETE", f"/identity/institution-members/{first}")
    assert "institution member not found" in rec.fails(
        404, "DELETE", f"/identity/institution-members/{member['id']}"
    )


def test_update_is_a_delta_merge(rec):
    made = rec.ok("POST", "/identity/identities", person(11, metadata={"tier": "gold"}))
    path = f"/identity/identities/{made['id']}"
    rec.identity(made["id"])
    rec.kinds()
    got = rec.ok("PUT", path, {"person_details": {"first_name": "William"}})
    assert got["person_details"]["first_name"] == "William"
    assert got["person_details"]["last_name"] == "Duncan"  # kept
    assert got["metadata"] == {"tier": "gold"}
    assert got["summary_status"] == "APPROVED"
    assert rec.kinds() == ["identity.updated"]
    assert rec.ok("PUT", path, {"person_details": {"first_name": "William"}}) == got  # no change
    assert rec.kinds() == []
    got = rec.ok("PUT", path, {"tax_details": [{"tax_payer_id": "9", "tax_payer_country": "USA"}]})
    assert got["tax_details"] == [{"tax_payer_id": "9", "tax_payer_country": "USA"}]  # replaced
    assert "type cannot change" in rec.fails(
        400, "PUT", path, {"institution_details": {"name": "X"}}
    )
    assert "is set by Paxos" in rec.fails(
        400, "PUT", path, {"person_details": {"sanctions_verification_status": "DENIED"}}
    )
    same = {"person_details": {"sanctions_verification_status": "APPROVED"}}  # as it is: fine
    rec.ok("PUT", path, same)
    other = rec.ok("POST", "/identity/identities", person(12))
    status, problem = rec.call("PUT", path, {"ref_id": other["ref_id"]})
    assert status == 409
    assert problem["meta"]["existing"]["id"] == other["id"]
    status, _ = rec.call("PUT", path, {"person_details": {"cip_id": "073-05-1112"}})
    assert status == 409  # person(12)'s SSN
    rec.kinds()
    got = rec.ok("PUT", path, {"set_user_disabled": True})
    assert (got["user_disabled"], got["summary_status"]) == (True, "DISABLED")
    assert rec.kinds() == ["identity.updated", "identity.disabled"]
    got = rec.ok("PUT", path, {"set_user_disabled": False})
    assert got["summary_status"] == "APPROVED"
    assert "not a field of the body" in rec.fails(400, "PUT", path, {"status": "APPROVED"})
    assert "identity not found: nope" in rec.fails(404, "PUT", "/identity/identities/nope", {})


def test_a_kyc_refresh_is_announced_with_the_next_date(rec):
    made = rec.ok("POST", "/identity/identities", person(13))
    path = f"/identity/identities/{made['id']}"
    rec.kinds()
    got = rec.ok("PUT", path, {"last_kyc_refresh_date": "2026-06-01T00:00:00+02:00"})
    assert got["last_kyc_refresh_date"] == "2026-05-31T22:00:00Z"
    assert rec.kinds()[-1] == "identity.kyc_refresh.completed"
    ((object_type, obj),) = rec.objects["identity.kyc_refresh.completed"]
    assert object_type == "identity_kyc_refresh"
    assert obj["next_kyc_refresh_date"] == "2027-05-31T22:00:00Z"
    assert "future" in rec.fails(
        400, "PUT", path, {"last_kyc_refresh_date": "2030-01-01T00:00:00Z"}
    )


def test_list_filters_and_pages(rec):
    ids = [
        rec.ok("POST", "/identity/identities", person(20 + n, passthrough=p))["id"]
        for n, p in enumerate(["APPROVED", "DENIED", None, "APPROVED"])
    ]
    everyone = rec.ok("GET", "/identity/identities")["items"]
    assert [i["id"] for i in everyone] == ids[::-1]  # newest first
    assert all("person_details" not in i for i in everyone)  # a list has no details
    approved = rec.ok("GET", "/identity/identities?summary_status=APPROVED")["items"]
    assert {i["id"] for i in approved} == {ids[0], ids[3]}
    assert rec.ok("GET", "/identity/identities?identity_type=INSTITUTION")["items"] == []
    first = rec.ok("GET", "/identity/identities?limit=3&order=ASC")
    rest = rec.ok(
        "GET", f"/identity/identities?limit=3&order=ASC&page_cursor={first['next_page_cursor']}"
    )
    assert [i["id"] for i in first["items"] + rest["items"]] == ids
    assert "next_page_cursor" not in rest
    moved = rec.ok(
        "PUT", f"/identity/identities/{ids[2]}/sandbox-status", {"id_verification_status": "ERROR"}
    )
    assert moved == {}
    since = everyone[0]["updated_at"]
    changed = rec.ok("GET", f"/identity/identities?updated_at.gt={since}")["items"]
    assert [i["id"] for i in changed] == [ids[2]]
    assert "summary_status invalid" in rec.fails(
        400, "GET", "/identity/identities?summary_status=OK"
    )
    assert rec.fails(404, "GET", "/identity/identities/nope") == "identity not found: nope"
