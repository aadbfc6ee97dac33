"""A redirect to another host never carries the token or the signature.

The API host is a scripted loopback server that answers with a redirect; a second server on
another loopback port (reached by another host name, or the same name and another port)
records every header it gets. The token comes from the emulator and requests are signed
with a real key (``RequestSigner``), so the first hop carries both headers for real.
"""

from __future__ import annotations

import base64
import secrets

import pytest
from client.support import Answer, ScriptedServer

from paxos_nb.config import Credentials
from paxos_nb.errors import AuthError
from paxos_nb.session import connect
from paxos_nb.signing import RequestSigner, generate_keypair

SCOPES = ["funding:read_profile", "transfer:write_deposit_address"]


@pytest.fixture
def client(emu, tmp_path):
    secret = secrets.token_urlsafe(24)
    client_id = f"redirect-{secrets.token_hex(4)}"
    emu.add_client(client_id=client_id, client_secret=secret, scopes=SCOPES)
    generate_keypair(tmp_path / "key.pem")
    signer = RequestSigner(tmp_path / "key.pem", kid="redirect-test-kid")
    return client_id, secret, signer


def _leaks(token: str, seen) -> list[str]:
    """Headers or bodies the other host got that hold the token or a signature."""
    found = []
    forms = (token, base64.b64encode(token.encode()).decode().rstrip("="))
    for request in seen:
        lowered = {k.lower(): v for k, v in request.headers.items()}
        found += [f"{request.path}: {k}" for k in ("authorization", "paxos-signature", "cookie")
                  if k in lowered]  # fmt: skip
        text = " ".join(request.headers.values()) + request.body.decode(errors="replace")
        found += [f"{request.path}: token in the request" for f in forms if f in text]
    return found


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("where", ["another host name", "another port"])
# The scripted server answers {"ok": true}, not a deposit address: paxos_nb rightly warns.
@pytest.mark.filterwarnings("ignore::paxos_nb.ResponseWarning")
def test_redirect_to_another_host_drops_token_and_signature(
    emu, client, fresh, status, method, where
):
    client_id, secret, signer = client
    api, other = fresh
    other.default = Answer(200, {"ok": True})
    host = "localhost" if where == "another host name" else "127.0.0.1"
    api.queue(Answer(status, {}, {"Location": f"http://{host}:{_port(other)}/v2/profiles"}))
    creds = Credentials(
        client_id, secret, "local", api_url=api.url + "/v2", token_url=emu.token_url
    )
    with connect(creds, SCOPES, signer=signer) as session:
        token = session.token.access_token
        body = {"profile_id": "default", "crypto_network": "ETHEREUM", "ref_id": "r-1"}
        if method == "GET":
            assert session.get("/profiles") == {"ok": True}
        else:
            assert session.post("/transfer/deposit-addresses", json=body) == {"ok": True}
    first = {k.lower(): v for k, v in api.seen[0].headers.items()}
    assert first["authorization"] == f"Bearer {token}"  # the first hop really had both
    assert first["paxos-signature"].count(".") == 2
    assert len(other.seen) == 1
    assert _leaks(token, other.seen) == []
    if status in (307, 308) and method == "POST":
        assert other.seen[0].method == "POST"  # method and body kept, credentials not


def _port(server: ScriptedServer) -> str:
    return server.url.rsplit(":", 1)[1]


def test_credentials_do_not_come_back_after_leaving(emu, client, fresh):
    """api -> other host -> back to the api host: the third hop has no token either."""
    client_id, secret, signer = client
    api, other = fresh
    api.queue(Answer(307, {}, {"Location": other.url + "/v2/elsewhere"}), Answer(200, {"back": 1}))
    other.queue(Answer(307, {}, {"Location": api.url + "/v2/profiles"}))
    creds = Credentials(
        client_id, secret, "local", api_url=api.url + "/v2", token_url=emu.token_url
    )
    with connect(creds, SCOPES, signer=signer) as session:
        token = session.token.access_token
        assert session.get("/profiles") == {"back": 1}
    assert len(api.seen) == 2
    assert _leaks(token, other.seen + api.seen[1:]) == []


def test_a_redirecting_token_endpoint_never_sends_the_secret_on(client, fresh):
    client_id, secret, _ = client
    token_host, other = fresh
    target = f"http://localhost:{_port(other)}/oauth2/token"
    token_host.queue(Answer(307, {}, {"Location": target}))
    url = token_host.url
    creds = Credentials(
        client_id, secret, "local", api_url=url + "/v2", token_url=url + "/oauth2/token"
    )
    with pytest.raises(AuthError, match="redirects") as info:
        connect(creds, SCOPES)
    assert other.seen == []  # the client secret went nowhere but the configured endpoint
    assert secret not in str(info.value)
    assert "PAXOS_TOKEN_URL" in info.value.hint
