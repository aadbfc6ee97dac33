"""POST /oauth2/token: RFC 6749 client credentials, every error of section 5.2."""

from __future__ import annotations

import re

import pytest
import requests
from oauthlib.oauth2 import BackendApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from paxos_nb.emulator import Emulator
from paxos_nb.emulator.registry import ALL_SCOPES

READ = "funding:read_profile"
WRITE = "transfer:write_internal_transfer"


def post(url: str, **kw) -> requests.Response:
    return requests.post(url, timeout=10, **kw)


def get(url: str, **kw) -> requests.Response:
    return requests.get(url, timeout=10, **kw)


@pytest.fixture(scope="module")
def client(emulator: Emulator):
    return emulator.add_client(
        client_id="token-tests", client_secret="s3cret-token-tests", scopes=[READ, WRITE]
    )


def form(client, **extra) -> dict:
    return {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        **extra,
    }


def assert_no_store(r: requests.Response) -> None:
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Pragma"] == "no-cache"


def test_urlencoded_grant(emulator, client):
    r = post(emulator.token_url, data=form(client, scope=f"{WRITE} {READ}"))
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert_no_store(r)
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert body["scope"] == f"{WRITE} {READ}"  # request order kept
    # Opaque, Hydra-shaped: two 43-character base64url segments; not a JWT.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}", body["access_token"])


def test_multipart_grant(emulator, client):
    # What curl --form sends, as in the Paxos guides.
    files = {k: (None, v) for k, v in form(client, scope=READ).items()}
    r = post(emulator.token_url, files=files)
    assert "multipart/form-data" in r.request.headers["Content-Type"]
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == READ
    assert_no_store(r)


def test_basic_auth_grant(emulator, client):
    r = post(
        emulator.token_url,
        data={"grant_type": "client_credentials", "scope": READ},
        auth=HTTPBasicAuth(client.client_id, client.client_secret),
    )
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == READ


def test_requests_oauthlib_fetch_token(emulator, client, monkeypatch):
    # The real client flow; requests-oauthlib refuses http:// unless this is set (test only).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    session = OAuth2Session(
        client=BackendApplicationClient(client_id=client.client_id), scope=[WRITE, READ]
    )
    token = session.fetch_token(
        emulator.token_url,
        client_id=client.client_id,
        client_secret=client.client_secret,
        include_client_id=True,
        scope=[WRITE, READ],  # requests-oauthlib sends no scope unless given here
    )
    assert token["scope"] == [WRITE, READ]
    assert token["token_type"] == "bearer"
    r = session.get(f"{emulator.api_url}/profiles")
    assert r.status_code == 200


def test_omitted_scope_grants_every_allowed_scope(emulator, client):
    r = post(emulator.token_url, data=form(client))
    assert r.status_code == 200
    assert r.json()["scope"] == f"{READ} {WRITE}"  # the client's allowed set, its order
    r = post(emulator.token_url, data=form(client, scope=""))
    assert r.json()["scope"] == f"{READ} {WRITE}"


def test_demo_client_has_every_scope(emulator):
    demo = emulator.demo_client
    assert demo.client_id == "paxos-nb-demo"
    assert set(demo.scopes) == set(ALL_SCOPES)
    assert len(ALL_SCOPES) == 60
    r = post(emulator.token_url, data=form(demo))
    assert r.status_code == 200
    assert len(r.json()["scope"].split()) == 60


def test_invalid_request_missing_grant_type(emulator, client):
    data = form(client)
    del data["grant_type"]
    r = post(emulator.token_url, data=data)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"
    assert r.json()["error_description"]
    assert_no_store(r)


def test_invalid_request_two_auth_methods(emulator, client):
    r = post(
        emulator.token_url,
        data=form(client),
        auth=HTTPBasicAuth(client.client_id, client.client_secret),
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"
    assert "one client authentication method" in r.json()["error_description"]


def test_invalid_request_json_body(emulator, client):
    r = post(emulator.token_url, json=form(client))
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_request"
    assert "x-www-form-urlencoded" in body["error_description"]


def test_invalid_client_in_body(emulator, client):
    r = post(emulator.token_url, data=form(client, client_secret="wrong-secret"))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" not in r.headers  # body credentials: no Basic challenge
    assert_no_store(r)
    r = post(emulator.token_url, data=form(client, client_id="nobody"))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    r = post(emulator.token_url, data={"grant_type": "client_credentials"})
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"


def test_invalid_client_via_basic(emulator, client):
    r = post(
        emulator.token_url,
        data={"grant_type": "client_credentials"},
        auth=HTTPBasicAuth(client.client_id, "wrong-secret"),
    )
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    assert r.headers["WWW-Authenticate"].startswith("Basic")


def test_unsupported_grant_type(emulator, client):
    r = post(emulator.token_url, data=form(client, grant_type="password"))
    assert r.status_code == 400
    assert r.json()["error"] == "unsupported_grant_type"


def test_invalid_scope_rejects_whole_request(emulator, client):
    bad = "transfer:write_sandbox_fiat_deposit"  # a real scope this client lacks
    r = post(emulator.token_url, data=form(client, scope=f"{READ} {bad} {WRITE}"))
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_scope"
    assert bad in body["error_description"]
    assert READ not in body["error_description"]  # only the offending scope is named
    assert "access_token" not in body


def test_unknown_scope(emulator, client):
    r = post(emulator.token_url, data=form(client, scope=f"{READ} funding:read_profil"))
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_scope"
    assert "funding:read_profil" in r.json()["error_description"]


def test_get_is_not_allowed(emulator):
    r = get(emulator.token_url)
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"


def test_expires_in_follows_lifetime():
    with Emulator(token_lifetime=120, rate_limits=False) as emu:
        r = post(emu.token_url, data=form(emu.demo_client))
        assert r.json()["expires_in"] == 120
        emu.token_lifetime = 7  # changed while running
        r = post(emu.token_url, data=form(emu.demo_client))
        assert r.json()["expires_in"] == 7
        with pytest.raises(ValueError, match="at least 1"):
            emu.token_lifetime = 0


def test_deleted_client_gets_invalid_client(fresh_emulator):
    emu = fresh_emulator
    c = emu.add_client(client_id="short-lived", client_secret="short-lived-secret")
    assert post(emu.token_url, data=form(c)).status_code == 200
    emu.registry.disable("short-lived")
    r = post(emu.token_url, data=form(c))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    assert "DISABLED" in r.json()["error_description"]


def test_secret_never_in_responses(emulator, client):
    responses = [
        post(emulator.token_url, data=form(client)),
        post(emulator.token_url, data=form(client, grant_type="x")),
        post(emulator.token_url, data=form(client, scope="nope:nope")),
    ]
    for r in responses:
        assert client.client_secret not in r.text
