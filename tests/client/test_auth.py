"""Token lifecycle against the emulator (and a scripted server for odd token answers)."""

from __future__ import annotations

import base64
import os
import threading
import time
from urllib.parse import parse_qs

import pytest

from paxos_nb.auth import Token, TokenManager
from paxos_nb.config import Credentials
from paxos_nb.emulator.faults import TOKEN
from paxos_nb.errors import AuthError, ConfigError, Unauthorized
from paxos_nb.transport import RetryPolicy

from .support import Answer, token_answer, token_stats

READ = ["funding:read_profile", "transfer:read_transfer"]


SCRIPTED_SECRET = "scripted-secret-xyz"


def scripted_creds(server):
    return Credentials("scripted-client", SCRIPTED_SECRET, "local", api_url=server.url + "/v2")


def manager(creds, scopes=("funding:read_profile",), sleeps=None, **kwargs):
    sleep = sleeps if sleeps is not None else (lambda s: None)
    return TokenManager(creds, scopes, sleep=sleep, **kwargs)


# -- scopes -----------------------------------------------------------------------------------


def test_scope_is_sent_and_granted_scopes_reported(open_session, emu):
    before = token_stats(emu)
    session, _ = open_session(READ)
    token = session.token
    assert token_stats(emu) == before + 1
    assert set(token.scopes) == set(READ)
    assert token.requested == tuple(READ)
    assert token.missing == ()
    assert token.token_type == "bearer"
    assert 3500 < token.expires_in <= 3599


def test_scope_field_in_the_form_body(scripted):
    scripted.queue(token_answer(scope="funding:read_profile transfer:read_transfer"))
    manager(scripted_creds(scripted), READ).get()
    form = parse_qs(scripted.seen[0].body.decode())
    assert form["scope"] == ["funding:read_profile transfer:read_transfer"]  # space-delimited
    assert form["grant_type"] == ["client_credentials"]


def test_fewer_scopes_granted_are_reported_not_raised(scripted):
    scripted.queue(token_answer(scope="funding:read_profile"))
    token = manager(scripted_creds(scripted), READ).get()  # no bare Warning escapes
    assert token.scopes == ("funding:read_profile",)
    assert token.missing == ("transfer:read_transfer",)
    assert "missing" in repr(token)
    assert "OAUTHLIB_RELAX_TOKEN_SCOPE" not in os.environ


def test_no_scope_in_the_answer_means_as_requested(scripted):
    scripted.queue(token_answer(scope=None))
    token = manager(scripted_creds(scripted), READ).get()
    assert token.scopes == tuple(READ)


def test_no_scopes_is_a_config_error(scripted):
    with pytest.raises(ConfigError, match="no scopes"):
        TokenManager(scripted_creds(scripted), [])


# -- client authentication methods ------------------------------------------------------------


def test_post_method_puts_credentials_in_the_body(scripted):
    scripted.queue(token_answer())
    manager(scripted_creds(scripted)).get()
    seen = scripted.seen[0]
    form = parse_qs(seen.body.decode())
    assert form["client_id"] == ["scripted-client"]
    assert form["client_secret"] == ["scripted-secret-xyz"]
    assert "Authorization" not in seen.headers


def test_basic_method_uses_the_authorization_header(scripted):
    scripted.queue(token_answer())
    manager(scripted_creds(scripted), auth_method="basic").get()
    seen = scripted.seen[0]
    form = parse_qs(seen.body.decode())
    assert "client_secret" not in form
    expected = base64.b64encode(b"scripted-client:scripted-secret-xyz").decode()
    assert seen.headers["Authorization"] == f"Basic {expected}"


@pytest.mark.parametrize("method", ["post", "basic"])
def test_both_methods_work_against_the_emulator(open_session, method):
    session, _ = open_session(READ, auth_method=method)
    assert session.get("/profiles")["items"]


def test_unknown_auth_method(scripted):
    with pytest.raises(ConfigError, match="auth_method"):
        manager(scripted_creds(scripted), auth_method="jwt")


# -- plain http only to loopback, without global state ------------------------------------------


def test_loopback_http_needs_no_global_switch(open_session):
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    session, _ = open_session(READ)
    assert session.get("/profiles")
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


# -- errors from the token endpoint -------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "basic"])
def test_wrong_secret_is_invalid_client_with_a_hint(make_client, method):
    client = make_client(READ)
    wrong = Credentials(
        client.client_id, "not-the-right-secret-42", "local", api_url=client.creds.api_url
    )
    with pytest.raises(AuthError) as info:
        manager(wrong, READ, auth_method=method).get()
    err = info.value
    assert err.error == "invalid_client"
    assert err.status in (400, 401)
    assert "environment" in err.hint
    assert "spaces" in err.hint
    assert "not-the-right-secret-42" not in str(err)


def test_invalid_scope_names_the_scope_not_allowed(make_client):
    client = make_client(["funding:read_profile"])
    with pytest.raises(AuthError) as info:
        manager(client.creds, ["funding:read_profile", "exchange:write_order"]).get()
    err = info.value
    assert err.error == "invalid_scope"
    assert "exchange:write_order" in err.hint
    assert "funding:read_profile" not in err.hint.split("allow it")[0].split(":", 1)[1]
    assert "Dashboard" in err.hint


def test_invalid_scope_for_a_name_paxos_does_not_know(scripted):
    scripted.queue(Answer(400, {"error": "invalid_scope", "error_description": "bad scope"}))
    with pytest.raises(AuthError) as info:
        manager(scripted_creds(scripted), ["funding:read_profiles"]).get()
    assert "not Paxos scopes: funding:read_profiles" in info.value.hint


def test_html_502_is_retried_then_explained(scripted):
    page = Answer(502, "<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})
    scripted.queue(page, page, page, page)
    with pytest.raises(AuthError, match=r"HTTP 502 with text/html") as info:
        manager(scripted_creds(scripted), max_wait=60).get()
    assert info.value.status == 502
    assert len(scripted.seen) == 4  # bounded


def test_502_then_success(scripted):
    scripted.queue(Answer(502, "<html/>", {"Content-Type": "text/html"}), token_answer())
    token = manager(scripted_creds(scripted)).get()
    assert token.scopes == ("funding:read_profile",)


def test_junk_200_is_an_auth_error(scripted):
    scripted.queue(Answer(200, "this is not json", {"Content-Type": "text/plain"}))
    with pytest.raises(AuthError, match="not an OAuth2 JSON response"):
        manager(scripted_creds(scripted)).get()


def test_answer_without_access_token(scripted):
    scripted.queue(Answer(200, {"token_type": "bearer", "expires_in": 3599}))
    with pytest.raises(AuthError, match="access token"):
        manager(scripted_creds(scripted)).get()


def test_non_bearer_token_type(scripted):
    scripted.queue(token_answer(token_type="mac"))
    with pytest.raises(AuthError, match="only bearer"):
        manager(scripted_creds(scripted)).get()


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [("3599", 3599.0), (1800.5, 1800.0), ("soon", None), (None, None), (-5, None)],
    ids=["string", "float", "junk", "absent", "negative"],
)
def test_expires_in_forms(scripted, caplog, expires_in, lifetime):
    scripted.queue(token_answer(expires_in=expires_in))
    token = manager(scripted_creds(scripted)).get()
    assert token.lifetime == lifetime
    if lifetime is None:
        assert token.expires_in is None
        assert "expiry unknown" in repr(token)
        assert "renewing on 401 only" in caplog.text


def test_token_429_honours_retry_after_then_succeeds(emu, make_client, sleeps):
    client = make_client(READ)
    emu.faults.inject_next("429", operation_id=TOKEN, retry_after=2)
    before = token_stats(emu)
    token = manager(client.creds, READ, sleeps=sleeps).get()
    assert token.scopes
    assert sleeps == [2.0]
    assert token_stats(emu) == before + 1


def test_token_429_beyond_the_budget_is_not_hammered(emu, make_client, sleeps):
    client = make_client(READ)
    emu.faults.inject_next("429", count=5, operation_id=TOKEN, retry_after=3600)
    with pytest.raises(AuthError, match="retry after 3600 s") as info:
        manager(client.creds, READ, sleeps=sleeps).get()
    assert sleeps == []  # never slept an hour, never retried
    assert emu.faults.pending == 4  # exactly one request was sent
    assert "1 token request per second" in info.value.hint


def test_token_endpoint_unreachable(sleeps):
    creds = Credentials(
        "c-unreachable", "secret-unreachable", "local", api_url="http://127.0.0.1:9/v2"
    )
    from paxos_nb.errors import TransportError

    with pytest.raises(TransportError, match="cannot reach the token endpoint"):
        manager(creds, sleeps=sleeps).get()


# -- renewal ----------------------------------------------------------------------------------


def test_one_token_request_for_200_calls(open_session, emu):
    session, _ = open_session(READ)
    before = token_stats(emu)
    for _ in range(200):
        session.get("/profiles")
    assert token_stats(emu) == before  # the token from connect() served all 200
    assert session.token_requests == 1


def test_renewal_across_expiry_with_a_short_lifetime(open_session, emu):
    emu.token_lifetime = 1
    session, _ = open_session(READ)
    first = session.token
    assert first.lifetime == 1
    before_tokens = token_stats(emu)
    before_401 = emu.stats()["responses"].get("401", 0)
    time.sleep(1.1)  # past expiry (no timing assertion; only the order of events matters)
    assert session.get("/profiles")["items"]
    assert token_stats(emu) == before_tokens + 1
    assert emu.stats()["responses"].get("401", 0) == before_401  # renewed before, not after
    assert session.token is not first


def test_eight_threads_at_expiry_cause_one_token_request(open_session, emu):
    emu.token_lifetime = 1
    session, _ = open_session(READ)
    time.sleep(1.1)
    before = token_stats(emu)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work():
        try:
            barrier.wait()
            session.get("/profiles")
        except BaseException as exc:  # collected and re-raised by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert token_stats(emu) == before + 1


def test_a_401_renews_once(open_session, emu):
    session, client = open_session(READ)
    before = token_stats(emu)
    emu.revoke_tokens(client.client_id)
    assert session.get("/profiles")["items"]
    assert token_stats(emu) == before + 1


def test_a_second_401_is_raised_not_looped(open_session, emu):
    session, _ = open_session(READ)
    before = token_stats(emu)
    emu.faults.inject_next("revoke", count=2)
    with pytest.raises(Unauthorized) as info:
        session.get("/profiles")
    assert info.value.status == 401
    assert token_stats(emu) == before + 1  # exactly one renewal


def test_threads_racing_on_a_401_share_one_renewal(make_client, emu):
    client = make_client(READ)
    tokens = manager(client.creds, READ)
    stale = tokens.get()
    before = token_stats(emu)
    results: list[Token] = []
    barrier = threading.Barrier(6)

    def renew():
        barrier.wait()
        results.append(tokens.renew(stale))

    threads = [threading.Thread(target=renew) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert token_stats(emu) == before + 1
    assert len({id(t) for t in results}) == 1


# -- display ------------------------------------------------------------------------------------


def test_token_repr_never_shows_the_token(open_session):
    session, _ = open_session(READ)
    token = session.token
    value = token.access_token
    for text in (repr(token), str(token), token._repr_html_(), f"{token!r}"):
        assert value not in text
        assert value[:12] not in text
    assert "funding:read_profile" in token._repr_html_()


def test_retry_policy_is_shared(open_session, sleeps):
    session, _ = open_session(READ, retry=RetryPolicy(sleep=sleeps))
    assert session.retry.sleep is sleeps


def test_invalid_client_hint_points_at_a_stale_shell_secret(
    make_client, emu, tmp_path, monkeypatch
):
    client = make_client(READ)
    (tmp_path / ".env").write_text(
        f"PAXOS_API_URL={emu.api_url}\nPAXOS_CLIENT_ID={client.client_id}\n"
        f"PAXOS_SCOPES={' '.join(READ)}\n"
    )
    monkeypatch.setenv("PAXOS_CLIENT_SECRET", "an-old-secret-from-the-shell")
    creds = Credentials.from_env(tmp_path / ".env")
    with pytest.raises(AuthError) as info:
        manager(creds, READ).get()
    assert info.value.error == "invalid_client"
    assert "PAXOS_CLIENT_SECRET from os.environ" in info.value.hint
    assert "stale shell variable" in info.value.hint
