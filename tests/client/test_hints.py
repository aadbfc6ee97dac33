"""Errors that name the fix for two Dashboard situations: a deleted credential, an IP allowlist."""

from __future__ import annotations

import pytest

from paxos_nb.errors import AuthError, Forbidden
from paxos_nb.session import connect


def test_a_deleted_credential_says_create_a_new_one(make_client, open_session):
    admin, _ = open_session(["api_creds:delete_credentials"])
    doomed = make_client(scopes=["funding:read_profile"])
    admin.delete(f"/api-creds/credentials/{doomed.client_id}")
    with pytest.raises(AuthError) as info:
        connect(doomed.creds, ["funding:read_profile"])
    assert info.value.error == "invalid_client"
    assert "deleted or disabled" in info.value.hint
    assert "create a new one" in info.value.hint
    assert doomed.client_secret not in str(info.value)


def test_an_ip_allowlist_refusal_suggests_the_cidr_helper(open_session):
    session, client = open_session(
        ["funding:read_profile"], client_kwargs={"ip_allowlist": ["203.0.113.0/24"]}
    )
    with pytest.raises(Forbidden) as info:
        session.get("/profiles")
    assert info.value.status == 403
    assert "px.cidr(" in info.value.hint
    assert client.client_secret not in str(info.value)
