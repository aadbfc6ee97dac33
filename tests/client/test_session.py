"""PaxosSession over real HTTP: verbs, typed errors, retries, redirects, guards, frames."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal
from email.utils import format_datetime

import pytest
import requests

from paxos_nb import catalog
from paxos_nb import scopes as px_scopes
from paxos_nb.config import Credentials
from paxos_nb.errors import (
    AlreadyExists,
    APIError,
    BadRequest,
    ConfigError,
    NotFound,
    RateLimited,
    ScopeError,
    ServerError,
    TransportError,
    WriteNotAllowed,
)
from paxos_nb.problems import from_response
from paxos_nb.session import PaxosSession, connect
from paxos_nb.transport import RetryPolicy, parse_retry_after

from .support import Answer, api_total, token_stats

READ = ["funding:read_profile", "transfer:read_transfer"]
WRITE_PROFILE = ["funding:read_profile", "funding:write_profile"]


# -- verbs and paths --------------------------------------------------------------------------


def test_get_returns_parsed_json(open_session):
    session, _ = open_session(READ)
    body = session.get("/profiles")
    assert isinstance(body, dict)
    assert {p["nickname"] for p in body["items"]} >= {"default"}
    assert session.get("v2/profiles") == body == session.get("/v2/profiles/")


def test_full_urls_are_refused(open_session):
    session, _ = open_session(READ)
    with pytest.raises(ConfigError, match="full URL"):
        session.get(session.api_url + "/profiles")


def test_post_put_delete(open_session):
    session, _ = open_session(WRITE_PROFILE)
    created = session.post("/profiles", json={"nickname": "session-test-profile"})
    profile = created.get("profile", created)
    assert profile["nickname"] == "session-test-profile"
    got = session.get(f"/profiles/{profile['id']}")
    assert got.get("profile", got)["id"] == profile["id"]


# -- typed errors -----------------------------------------------------------------------------


def test_403_names_the_missing_scope_and_the_granted_ones(open_session):
    session, _ = open_session(["funding:read_profile"])
    with pytest.raises(ScopeError) as info:
        session.get("/transfer/transfers")
    err = info.value
    assert err.status == 403
    assert err.required == "transfer:read_transfer"
    assert err.granted == ("funding:read_profile",)
    text = str(err)
    assert "transfer:read_transfer" in text
    assert "funding:read_profile" in text
    assert "requested scopes" in err.hint
    assert err.request.method == "GET"
    assert err.response.status_code == 403


def test_404_is_not_found(open_session):
    session, _ = open_session(READ)
    with pytest.raises(NotFound) as info:
        session.get("/profiles/00000000-0000-4000-8000-000000000000")
    assert info.value.status == 404
    assert info.value.title


def test_400_is_bad_request(open_session):
    session, _ = open_session(READ)
    with pytest.raises(BadRequest, match=r"cursor"):
        session.get("/transfer/transfers", params={"page_cursor": "%%%not-a-cursor"})


def fake_response(status, body, headers=None):
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {"Content-Type": "application/problem+json"})
    response.reason = "Reason"
    return response


@pytest.mark.parametrize(
    "detail",
    [
        "insufficient scopes: found 'funding:read_profile', "
        "required one of '[exchange:read_order]'",
        'insufficient scopes: found "funding:read_profile" required one of "[exchange:read_order]"',
    ],
)
def test_scope_detail_quoting_variants(detail):
    err = from_response(fake_response(403, {"title": "Forbidden", "status": 403, "detail": detail}))
    assert isinstance(err, ScopeError)
    assert (err.required, err.granted) == ("exchange:read_order", ("funding:read_profile",))


def test_already_exists_type_variants():
    for ptype in (
        "https://developer.paxos.com/docs/v2/problems/already-exists",
        "https://api.paxos.com/v2/problems/already-exists",
    ):
        body = {
            "type": ptype,
            "title": "Already exists",
            "status": 409,
            "meta": {"existing": {"id": 1}},
        }
        err = from_response(fake_response(409, body))
        assert err.existing == {"id": 1}


def test_plain_json_and_html_errors_are_parsed():
    err = from_response(
        fake_response(
            404, {"title": "Not Found", "detail": "nope"}, {"Content-Type": "application/json"}
        )
    )
    assert isinstance(err, NotFound)
    assert err.detail == "nope"
    html = fake_response(
        502, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"}
    )
    err = from_response(html)
    assert isinstance(err, ServerError)
    assert "non-JSON answer (text/html)" in err.detail


def test_not_emulated_names_the_operation_and_the_way_out():
    op = catalog.by_id("ListEvents")
    body = {"title": "Not Implemented", "status": 501, "detail": "ListEvents is not emulated"}
    err = from_response(fake_response(501, body), operation=op)
    assert isinstance(err, ServerError)
    assert err.hint.startswith("ListEvents is documented by Paxos but the local emulator")
    assert ".env" in err.hint
    other = from_response(fake_response(501, {"title": "Not Implemented", "detail": "no"}))
    assert "does not implement this operation" in other.hint


# -- retries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["503", "429", "502", "reset"])
def test_get_is_retried(open_session, emu, sleeps, kind):
    session, _ = open_session(READ)
    emu.faults.inject_next(kind, count=2, retry_after=1)
    before = api_total(emu)
    assert session.get("/profiles")["items"]
    assert len(sleeps) == 2
    if kind in ("503", "429"):
        assert sleeps == [1.0, 1.0]  # Retry-After honoured
    assert api_total(emu) - before >= 1


def test_get_gives_up_after_the_attempts(open_session, emu, sleeps):
    session, _ = open_session(READ)
    emu.faults.inject_next("500", count=1)
    with pytest.raises(ServerError):
        session.get("/profiles")  # 500 is not retried: the server failed, not overloaded
    emu.faults.inject_next("503", count=10, retry_after=1)
    with pytest.raises(ServerError) as info:
        session.get("/profiles")
    assert info.value.status == 503
    assert len(sleeps) == session.retry.attempts - 1


def test_long_retry_after_is_not_slept(open_session, emu, sleeps):
    session, _ = open_session(READ)
    emu.faults.inject_next("429", count=1, retry_after=3600)
    with pytest.raises(RateLimited) as info:
        session.get("/profiles")
    assert sleeps == []
    assert info.value.retry_after == 3600
    assert "3600" in str(info.value)


def test_retry_after_header_forms():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(datetime(2026, 1, 1, 12, 0, 30, tzinfo=timezone.utc), usegmt=True)
    earlier = format_datetime(datetime(2026, 1, 1, 11, 0, 0, tzinfo=timezone.utc), usegmt=True)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after(later, now=now) == 30.0
    assert parse_retry_after(earlier, now=now) == 0.0
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None


def test_backoff_without_retry_after_grows_and_is_capped():
    import random

    policy = RetryPolicy(base=1.0, cap=4.0, rng=random.Random(1))
    delays = [policy.delay(n, None) for n in range(8)]
    assert all(0 <= d <= min(4.0, 2**n) for n, d in enumerate(delays))
    assert policy.delay(0, 12.0) == 12.0


def test_retry_after_date_and_junk_through_http(scripted, make_client, sleeps):
    client = make_client(READ)
    later = format_datetime(datetime.now(timezone.utc).replace(microsecond=0), usegmt=True)
    creds = Credentials(
        client.client_id,
        client.client_secret,
        "local",
        api_url=scripted.url + "/v2",
        token_url=client.creds.token_url,
    )
    busy = {"title": "Too Many Requests", "status": 429}
    scripted.queue(
        Answer(429, busy, {"Retry-After": later}),
        Answer(429, busy, {"Retry-After": "junk"}),
        Answer(429, busy, {"Retry-After": "-3"}),
        Answer(200, {"items": []}),
    )
    session = connect(creds, READ, retry=RetryPolicy(sleep=sleeps, base=0.25, cap=0.5))
    with session:
        assert session.get("/profiles") == {"items": []}
    assert len(sleeps) == 3
    assert 0 <= sleeps[0] <= 1  # a date about now
    assert 0 <= sleeps[1] <= 0.5  # junk: backoff instead
    assert sleeps[2] == 0.0  # negative: no wait


ADDRESSES = [
    "funding:read_profile",
    "transfer:write_deposit_address",
    "transfer:read_deposit_address",
]


def new_address(session, ref_id):
    profile_id = session.get("/profiles")["items"][0]["id"]
    body = {"profile_id": profile_id, "crypto_network": "ETHEREUM", "ref_id": ref_id}
    return session.post("/transfer/deposit-addresses", json=body)


@pytest.mark.parametrize("kind", ["reset_after_write", "503"])
def test_post_with_ref_id_is_retried_and_409_returns_the_existing(open_session, emu, sleeps, kind):
    session, _ = open_session(ADDRESSES)
    ref = f"retry-ref-{kind}"
    before = api_total(emu)
    emu.faults.inject_next(kind, count=1, operation_id="CreateDepositAddress")
    created = new_address(session, ref)
    assert created["ref_id"] == ref
    assert len(sleeps) == 1
    listed = session.get("/transfer/deposit-addresses", params={"ref_ids": ref})["items"]
    assert [a["id"] for a in listed] == [created["id"]]  # one address, not two
    if kind == "reset_after_write":  # the first attempt wrote: the retry met a 409
        assert emu.stats()["responses"].get("409", 0) >= 1
    assert api_total(emu) - before >= 3


def test_first_attempt_409_raises_already_exists(open_session):
    session, _ = open_session(ADDRESSES)
    first = new_address(session, "dup-ref-1")
    with pytest.raises(AlreadyExists) as info:
        new_address(session, "dup-ref-1")
    assert info.value.status == 409
    assert info.value.existing["id"] == first["id"]


def test_duplicate_nickname_is_a_409_too(open_session):
    session, _ = open_session(WRITE_PROFILE)
    session.post("/profiles", json={"nickname": "dup-nickname-1"})
    with pytest.raises(APIError) as info:
        session.post("/profiles", json={"nickname": "dup-nickname-1"})
    assert info.value.status == 409


def test_write_without_ref_id_is_never_retried(open_session, emu, sleeps):
    session, _ = open_session(WRITE_PROFILE)
    before = api_total(emu)
    emu.faults.inject_next("reset_after_write", count=1)
    with pytest.raises(TransportError, match="never retried"):
        session.post("/profiles", json={"nickname": "no-ref-reset"})
    assert sleeps == []
    assert api_total(emu) - before == 1
    emu.faults.inject_next("503", count=1)
    with pytest.raises(ServerError):
        session.post("/profiles", json={"nickname": "no-ref-503"})
    assert sleeps == []


# -- redirects --------------------------------------------------------------------------------


def test_redirect_to_another_origin_drops_credentials(make_client, scripted, emu):
    client = make_client(READ)
    from .support import ScriptedServer

    with ScriptedServer(default=Answer(200, {"items": []})) as other:
        scripted.queue(Answer(307, {}, {"Location": other.url + "/v2/profiles"}))
        creds = Credentials(
            client.client_id,
            client.client_secret,
            "local",
            api_url=scripted.url + "/v2",
            token_url=emu.token_url,
        )
        with connect(creds, READ, signer=_RecordingSigner()) as session:
            assert session.get("/profiles") == {"items": []}
        first, followed = scripted.seen[0], other.seen[0]
    assert first.headers["Authorization"].startswith("Bearer ")
    assert first.headers["Paxos-Signature"] == "signed /v2/profiles"
    lowered = {k.lower() for k in followed.headers}
    assert "authorization" not in lowered
    assert "paxos-signature" not in lowered


def test_same_origin_redirect_keeps_the_token_and_resigns(make_client, scripted, emu):
    client = make_client(READ)
    scripted.queue(Answer(307, {}, {"Location": "{origin}/v2/profiles/moved"}), Answer(200, {}))
    creds = Credentials(
        client.client_id,
        client.client_secret,
        "local",
        api_url=scripted.url + "/v2",
        token_url=emu.token_url,
    )
    with connect(creds, READ, signer=_RecordingSigner()) as session:
        session.get("/profiles")
    followed = scripted.seen[1]
    assert followed.headers["Authorization"].startswith("Bearer ")
    assert followed.headers["Paxos-Signature"] == "signed /v2/profiles/moved"


class _RecordingSigner:
    """Stands in for signing.RequestSigner: a header naming the signed path."""

    def apply(self, prepared):
        prepared.headers["Paxos-Signature"] = "signed " + prepared.path_url
        return prepared


# -- guards -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_production_writes_need_allow_writes(method):
    creds = Credentials("prod-client-id", "prod-client-secret", "production")
    session = PaxosSession(creds, ["funding:write_profile"])  # no network until a call
    with pytest.raises(WriteNotAllowed, match="production") as info:
        session.request(method, "/profiles", json={"nickname": "x"})
    assert "allow_writes=True" in info.value.hint
    assert isinstance(info.value, PermissionError)
    session.close()


def test_real_credentials_without_scopes_suggest_presets():
    creds = Credentials("sandbox-client", "sandbox-secret-1")
    with pytest.raises(ConfigError, match="no scopes requested") as info:
        connect(creds)
    assert "px.scopes.PRESETS" in info.value.hint


def test_unknown_scope_is_caught_before_the_network():
    creds = Credentials("sandbox-client", "sandbox-secret-1")
    with pytest.raises(ConfigError, match="funding:read_profiles"):
        connect(creds, ["funding:read_profiles"])


def test_preset_name_as_scopes(open_session):
    session, _ = open_session("analyst", client_scopes=list(px_scopes.PRESETS["analyst"]))
    assert session.scopes == tuple(px_scopes.PRESETS["analyst"])


def test_closed_session_refuses_calls(open_session):
    session, _ = open_session(READ)
    session.close()
    with pytest.raises(ConfigError, match="closed"):
        session.get("/profiles")


# -- connection reuse -------------------------------------------------------------------------


def test_connections_are_reused(open_session, emu, caplog):
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        session, _ = open_session(READ)
        for _ in range(300):
            session.get("/profiles")
    opened = [r for r in caplog.records if "Starting new HTTP connection" in r.getMessage()]
    assert len(opened) == 1  # token and 300 calls on one keep-alive connection
    assert session.calls == 300


# -- frames -----------------------------------------------------------------------------------


def test_frame_of_every_seeded_transfer(open_session, emu):
    session, _ = open_session(READ)
    df = session.frame("/transfer/transfers", limit=250, progress=False)
    ledger = emu.ledger
    with ledger.lock:
        expected = {t.id: t for t in ledger.transfers}
    assert len(df) == len(expected)
    assert df["id"].is_unique
    assert set(df["id"]) == set(expected)
    sums = Counter()
    for transfer in expected.values():
        sums[transfer.asset] += transfer.amount
    got = df.groupby("asset", observed=True)["amount"].apply(lambda s: sum(s, Decimal(0)))
    assert {str(k): v for k, v in got.items()} == dict(sums)
    assert all(isinstance(v, Decimal) for v in got)


def test_frame_filters_and_max_rows(open_session):
    session, _ = open_session(READ)
    df = session.frame("/transfer/transfers", max_rows=7, limit=3, progress=False)
    assert len(df) == 7
    some = session.frame(
        "/transfer/transfers",
        limit=50,
        progress=False,
        created_at__gte=datetime(2026, 6, 1, tzinfo=timezone.utc),
        order="ASC",
    )
    assert (some["created_at"] >= datetime(2026, 6, 1, tzinfo=timezone.utc)).all()
    assert some["created_at"].is_monotonic_increasing


def test_records_and_pages(open_session):
    session, _ = open_session(READ)
    pages = list(session.pages("/transfer/transfers", limit=500))
    assert len(pages) >= 2
    records = list(session.records("/transfer/transfers", limit=500, max_rows=10))
    assert len(records) == 10


def test_frame_of_an_unpaginated_envelope(open_session):
    session, _ = open_session(READ)
    df = session.frame("/markets", progress=False)
    assert len(df) > 0
    assert "market" in df.columns


# -- display ----------------------------------------------------------------------------------


def test_repr_shows_where_and_what_never_secrets(open_session):
    session, client = open_session(READ)
    text = repr(session)
    assert "local" in text
    assert session.api_url.split("//")[1].split("/")[0] in text
    assert client.client_id not in text
    assert client.client_id[-4:] in text
    assert "funding:read_profile" in text
    assert client.client_secret not in text
    assert session.token.access_token not in text
    assert session.token.access_token not in session._repr_html_()


# -- the embedded emulator fallback -----------------------------------------------------------


def test_connect_with_nothing_uses_the_embedded_emulator(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no .env here; no PAXOS_* (autouse fixture)
    session = connect(progress=False)
    try:
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1
        assert lines[0].startswith("paxos_nb: no credentials found; using the local Paxos")
        assert session.api_url in lines[0]
        assert "(seed 0)" in lines[0]
        assert session.environment == "local"
        assert session.scopes == tuple(px_scopes.PRESETS["analyst"])
        assert set(session.token.scopes) == set(px_scopes.PRESETS["analyst"])
        assert session.get("/profiles")["items"]
        emulator = session.emulator
        assert emulator.running
        assert "embedded emulator" in repr(session)
    finally:
        session.close()
    assert not emulator.running  # the session owned it and stopped it


def test_connect_reads_the_env_file_in_cwd(make_client, emu, tmp_path, monkeypatch, capsys):
    client = make_client(READ)
    (tmp_path / ".env").write_text(
        f"PAXOS_API_URL={emu.api_url}\nPAXOS_CLIENT_ID={client.client_id}\n"
        f"PAXOS_CLIENT_SECRET={client.client_secret}\nPAXOS_SCOPES={' '.join(READ)}\n"
    )
    monkeypatch.chdir(tmp_path)
    with connect() as session:
        assert session.emulator is None
        assert session.creds.client_id == client.client_id
        assert session.get("/transfer/transfers", params={"limit": 1})["items"]
    assert "emulator" not in capsys.readouterr().err


def test_connect_with_an_explicit_missing_env_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        connect(env_file="elsewhere.env")


# -- transport details ------------------------------------------------------------------------


def test_https_alias_only_for_loopback():
    from paxos_nb.transport import PaxosAdapter, https_alias

    adapter = PaxosAdapter()
    assert https_alias("http://127.0.0.1:8080/oauth2/token", adapter) == (
        "https://127.0.0.1:8080/oauth2/token"
    )
    assert https_alias("http://[::1]:8080/t", adapter) == "https://[::1]:8080/t"
    assert https_alias("http://localhost/t", adapter) == "https://localhost:80/t"
    assert https_alias("https://oauth.paxos.com/t", adapter) == "https://oauth.paxos.com/t"
    assert adapter.plain_origins == {("127.0.0.1", 8080), ("::1", 8080), ("localhost", 80)}
    with pytest.raises(ValueError, match="loopback"):
        https_alias("http://example.com/t", adapter)


# -- request signing --------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["ES256", "EdDSA"])
def test_signed_post_accepted_by_a_client_that_enforces_signing(
    make_client, emu, tmp_path, algorithm
):
    from paxos_nb.signing import generate_keypair

    key_file = tmp_path / "paxos-signing.pem"
    public_pem = generate_keypair(key_file, algorithm=algorithm)
    client = make_client(ADDRESSES, public_keys=[public_pem], enforce_request_signing=True)
    (kid,) = client.record.key_ids
    creds = Credentials(
        client.client_id,
        client.client_secret,
        "local",
        api_url=emu.api_url,
        signing_key_file=key_file,
        signing_kid=kid,
    )
    with connect(creds, ADDRESSES) as session:
        assert session.signer is not None
        assert f"kid {kid}" in session._repr_html_()
        created = new_address(session, f"signed-{algorithm}")  # a signed POST with a body
        assert created["ref_id"] == f"signed-{algorithm}"
        listed = session.get("/transfer/deposit-addresses", params={"ref_ids": created["ref_id"]})
        assert [a["id"] for a in listed["items"]] == [created["id"]]  # a signed GET with query


def test_unsigned_requests_are_refused_without_renewing_the_token(make_client, emu, tmp_path):
    from paxos_nb.errors import Unauthorized
    from paxos_nb.signing import generate_keypair

    public_pem = generate_keypair(tmp_path / "k.pem")
    client = make_client(READ, public_keys=[public_pem], enforce_request_signing=True)
    with connect(client.creds, READ) as session:
        before = token_stats(emu)
        with pytest.raises(Unauthorized, match=r"(?i)signature"):
            session.get("/profiles")
        assert token_stats(emu) == before  # a new token would not help: none was fetched


def test_a_redirect_loop_is_a_transport_error(make_client, scripted, emu):
    client = make_client(READ)
    scripted.default = Answer(307, {}, {"Location": "{origin}/v2/profiles"})
    creds = Credentials(
        client.client_id,
        client.client_secret,
        "local",
        api_url=scripted.url + "/v2",
        token_url=emu.token_url,
    )
    with connect(creds, READ) as session, pytest.raises(TransportError, match="TooManyRedirects"):
        session.get("/profiles")
