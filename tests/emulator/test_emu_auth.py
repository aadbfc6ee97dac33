"""The auth chain: bearer token -> IP allowlist -> signing -> scope, first failure wins."""

from __future__ import annotations

import time

import pytest
import requests

from paxos_nb import catalog
from paxos_nb.catalog import schemas
from paxos_nb.emulator import Emulator, routes

READ = "funding:read_profile"


def post(url: str, **kw) -> requests.Response:
    return requests.post(url, timeout=10, **kw)


def get(url: str, **kw) -> requests.Response:
    return requests.get(url, timeout=10, **kw)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token_of(fetch_token):
    def get(emu: Emulator, client, *scopes: str) -> str:
        r = fetch_token(emu, scopes, client)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    return get


def assert_problem(r: requests.Response, status: int, title: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    assert body["title"] == title
    assert body["type"] == "about:blank"
    return body


def bare_operation() -> catalog.Operation:
    """An authenticated operation a bare request reaches: no path parameter, no required query
    parameter or body (request validation runs before the 501)."""
    return next(
        op
        for op in catalog.operations()
        if not op.public
        and "{" not in op.path
        and not schemas.for_operation(op.operation_id).required
        and schemas.for_operation(op.operation_id).body is None
    )


# -- layer 1: bearer token ----------------------------------------------------------------
def test_missing_token(emulator, http):
    r = http.get(f"{emulator.api_url}/profiles")
    body = assert_problem(r, 401, "Unauthorized")
    assert body["detail"] == "no authorization header set"
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="paxos"'


def test_invalid_token(emulator, http):
    r = http.get(f"{emulator.api_url}/profiles", headers=bearer("x" * 43 + "." + "y" * 43))
    body = assert_problem(r, 401, "Unauthorized")
    assert body["detail"] == "invalid token"
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="paxos"')
    assert 'error="invalid_token"' in challenge
    assert 'error_description="invalid token"' in challenge


def test_not_a_bearer_header(emulator, http):
    r = http.get(f"{emulator.api_url}/profiles", headers={"Authorization": "Basic abc"})
    assert_problem(r, 401, "Unauthorized")
    assert 'error="invalid_request"' in r.headers["WWW-Authenticate"]


def test_expired_token(token_of):
    with Emulator(token_lifetime=1, rate_limits=False) as emu:
        token = token_of(emu, emu.demo_client, READ)
        time.sleep(1.2)  # let it expire (the check is on expiry, not on speed)
        r = get(f"{emu.api_url}/profiles", headers=bearer(token))
        body = assert_problem(r, 401, "Unauthorized")
        assert body["detail"] == "token expired"
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
        assert 'error_description="token expired"' in r.headers["WWW-Authenticate"]


def test_revoked_token(fresh_emulator, http, token_of):
    emu = fresh_emulator
    token = token_of(emu, emu.demo_client, READ)
    assert http.get(f"{emu.api_url}/profiles", headers=bearer(token)).status_code == 200
    assert emu.revoke_tokens(emu.demo_client.client_id) >= 1
    r = http.get(f"{emu.api_url}/profiles", headers=bearer(token))
    body = assert_problem(r, 401, "Unauthorized")
    assert body["detail"] == "token revoked"
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


# -- layer 2: IP allowlist ----------------------------------------------------------------
def test_allowlist_refuses_loopback(emulator, http, token_of):
    c = emulator.add_client(client_id="ten-net", ip_allowlist=["10.0.0.0/8"], scopes=[READ])
    r = http.get(f"{emulator.api_url}/profiles", headers=bearer(token_of(emulator, c)))
    body = assert_problem(r, 403, "Forbidden")
    assert "127.0.0.1" in body["detail"]
    assert "allowlist" in body["detail"]


def test_allowlist_accepts_loopback(emulator, http, token_of):
    c = emulator.add_client(client_id="loopback", ip_allowlist=["127.0.0.1/32"], scopes=[READ])
    r = http.get(f"{emulator.api_url}/profiles", headers=bearer(token_of(emulator, c)))
    assert r.status_code == 200, r.text


# -- layer 4: scope -----------------------------------------------------------------------
def test_missing_scope_detail_is_paxos_pattern(emulator, http, auth):
    headers = auth(READ, "transfer:read_transfer")
    r = http.get(f"{emulator.api_url}/orders", headers=headers)
    body = assert_problem(r, 403, "Forbidden")
    assert body["detail"] == (
        "insufficient scopes: found 'funding:read_profile transfer:read_transfer', "
        "required one of '[exchange:read_order]'"
    )
    assert "meta" not in body


# -- order of the layers ------------------------------------------------------------------
def test_bad_token_from_refused_ip_is_401(emulator, http):
    emulator.add_client(client_id="ten-net-2", ip_allowlist=["10.0.0.0/8"], scopes=[READ])
    r = http.get(f"{emulator.api_url}/profiles", headers=bearer("not-a-token"))
    assert_problem(r, 401, "Unauthorized")


def test_refused_ip_with_missing_scope_is_the_ip_error(emulator, http, token_of):
    c = emulator.add_client(client_id="ten-net-3", ip_allowlist=["10.0.0.0/8"], scopes=[READ])
    r = http.get(f"{emulator.api_url}/orders", headers=bearer(token_of(emulator, c)))
    body = assert_problem(r, 403, "Forbidden")
    assert "allowlist" in body["detail"]
    assert "insufficient scopes" not in body["detail"]


# -- public and unemulated operations -----------------------------------------------------
def test_public_operation_needs_no_token(emulator, http):
    r = http.get(f"{emulator.api_url}/markets")
    assert r.status_code in (200, 501)  # answered without auth either way
    assert r.status_code != 401


def test_public_operation_ignores_a_bad_token(emulator, http):
    r = http.get(f"{emulator.api_url}/markets", headers=bearer("garbage"))
    assert r.status_code != 401


def test_unemulated_operation_checks_auth_first(emulator, http, auth, monkeypatch):
    # Every operation has a handler now; take one away to see the order of the checks.
    op = bare_operation()
    monkeypatch.delitem(routes.HANDLERS, op.operation_id)
    url = f"{emulator.api_url}{op.path}"
    r = http.request(op.method, url)
    assert_problem(r, 401, "Unauthorized")
    other = "funding:read_profile" if op.scope != "funding:read_profile" else "exchange:read_order"
    r = http.request(op.method, url, headers=auth(other))
    problem = assert_problem(r, 403, "Forbidden")
    assert f"required one of '[{op.scope}]'" in problem["detail"]
    r = http.request(op.method, url, headers=auth(op.scope))
    problem = assert_problem(r, 501, "Not Implemented")
    assert problem["detail"] == f"{op.operation_id} is not emulated"


@pytest.mark.parametrize(
    "op", [op for op in catalog.operations() if not op.public], ids=lambda op: op.operation_id
)
def test_every_operation_is_routed_behind_auth(emulator, http, op):
    path = op.path.replace("{", "").replace("}", "")  # any value fills a placeholder
    r = http.request(op.method, f"{emulator.api_url}{path}")
    assert r.status_code == 401, (op.key, r.status_code, r.text)


def test_unknown_path_and_wrong_method(emulator, http):
    r = http.get(f"{emulator.api_url}/no-such-thing")
    assert_problem(r, 404, "Not Found")
    r = http.patch(f"{emulator.api_url}/profiles")
    body = assert_problem(r, 405, "Method Not Allowed")
    assert "GET" in r.headers["Allow"]
    assert "POST" in r.headers["Allow"]
    assert "PATCH" in body["detail"]
    r = http.get(f"{emulator.url}/v1/profiles")
    assert_problem(r, 404, "Not Found")


def test_invalid_json_body(emulator, http, auth):
    r = http.post(
        f"{emulator.api_url}/transfer/internal",
        data=b"{not json",
        headers={**auth("transfer:write_internal_transfer"), "Content-Type": "application/json"},
    )
    body = assert_problem(r, 400, "Bad Request")
    assert "not valid JSON" in body["detail"]
    r = http.post(
        f"{emulator.api_url}/transfer/internal",
        json=[1, 2],
        headers=auth("transfer:write_internal_transfer"),
    )
    assert_problem(r, 400, "Bad Request")
