"""``session.frame`` on the identity lists: identities and accounts (cursor + time filters,
paged), identity documents (unpaginated, ``documents`` envelope): typed columns, UTC times."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
import requests

SCOPES = [
    "identity:read_identity",
    "identity:write_identity",
    "identity:read_account",
    "identity:write_account",
]
PDF = b"%PDF-1.4\n"


def _person(n: int, status: str = "APPROVED") -> dict:
    return {
        "ref_id": f"frame-{uuid.uuid4()}",
        "tax_details_not_required": True,
        "person_details": {
            "first_name": f"P{n}",
            "last_name": "Frame",
            "verifier_type": "PASSTHROUGH",
            "passthrough_verifier_type": "PERSONA",
            "passthrough_verified_at": "2026-01-02T03:04:05Z",
            "passthrough_verification_id": f"v-{n}",
            "passthrough_verification_status": status,
            "passthrough_verification_fields": ["FULL_LEGAL_NAME"],
        },
    }


@pytest.fixture
def onboarded(open_session):
    session, _ = open_session(SCOPES)
    people = [
        session.post("/identity/identities", json=_person(n, s))
        for n, s in enumerate(["APPROVED", "DENIED", "APPROVED", "APPROVED", "DENIED"])
    ]
    owner = people[0]["id"]
    for member in people[1:4]:
        body = {
            "account": {
                "identity_id": owner,
                "members": [{"identity_id": member["id"], "roles": ["AUTHORIZED_USER"]}],
            }
        }
        session.post("/identity/accounts", json=body)
    return session, people


def test_frame_of_identities_pages_and_types(onboarded):
    session, people = onboarded
    since = {"created_at.gte": people[0]["created_at"]}  # this test's identities
    df = session.frame("/identity/identities", params=since, limit=2, progress=False)
    assert len(df) == len(people)  # three pages of 2, 2, 1
    assert list(df["id"]) == [p["id"] for p in reversed(people)]  # newest first
    assert isinstance(df["summary_status"].dtype, pd.CategoricalDtype)
    assert df["summary_status"].value_counts().to_dict() == {"APPROVED": 3, "DENIED": 2}
    assert str(df["created_at"].dtype) == "datetime64[ns, UTC]"
    assert df["user_disabled"].dtype == bool
    approved = session.frame(
        "/identity/identities", params=since, summary_status="APPROVED", progress=False
    )
    assert set(approved["id"]) == {people[n]["id"] for n in (0, 2, 3)}


def test_frame_of_accounts_filtered_by_owner(onboarded):
    session, people = onboarded
    df = session.frame("/identity/accounts", identity_id=people[0]["id"], limit=2, progress=False)
    assert len(df) == 3
    assert set(df["identity_id"]) == {people[0]["id"]}
    assert str(df["updated_at"].dtype) == "datetime64[ns, UTC]"
    assert [m[0]["identity_id"] for m in df["members"]] == [p["id"] for p in reversed(people[1:4])]
    assert list(df["summary_status"].astype(str)) == ["APPROVED"] * 3


def test_frame_of_identity_documents(onboarded):
    session, people = onboarded
    ident = people[0]["id"]
    assert session.frame(f"/identity/identities/{ident}/documents", progress=False).empty
    for name in ("a.pdf", "b.pdf"):
        asked = session.put(
            f"/identity/identities/{ident}/documents",
            json={"name": name, "document_types": ["PROOF_OF_RESIDENCY"]},
        )
        assert requests.put(asked["upload_url"], data=PDF, timeout=10).status_code == 200
    df = session.frame(f"/identity/identities/{ident}/documents", progress=False)
    assert list(df["name"]) == ["a.pdf", "b.pdf"]
    assert df["archived_at"].isna().tolist() == [False, True]  # b.pdf archived a.pdf
    assert str(df["created_at"].dtype) == "datetime64[ns, UTC]"
