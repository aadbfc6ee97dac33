"""Secret redaction: every encoding of a registered secret, masks, and scrubbed log records."""

from __future__ import annotations

import base64
import io
import json
import logging
import secrets
from urllib.parse import quote, quote_plus, urlencode

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec

from paxos_nb import redact
from paxos_nb.redact import REDACTED, mask, register, scrub


def fresh_secret(extra: str = "") -> str:
    """A unique secret per test (the registry is process-wide and only grows)."""
    return f"Sx{secrets.token_urlsafe(24)}{extra}"


def generated_pem() -> str:
    """A P-256 private key made for this test: PKCS#8 PEM, three base64 lines in its armour."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()).decode()


@pytest.fixture
def oauth_log():
    """The requests-oauthlib logger at DEBUG with a handler that formats into a buffer."""
    logger = logging.getLogger("requests_oauthlib.oauth2_session")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, buffer
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_raw_form_is_scrubbed():
    secret = fresh_secret()
    assert scrub(f"client_secret={secret}") == f"client_secret={secret}"  # not registered yet
    register(secret)
    assert scrub(f"client_secret={secret}!") == f"client_secret={REDACTED}!"
    assert scrub(f"{secret}{secret}") == REDACTED * 2


def test_json_escaped_form():
    secret = fresh_secret('"quo\\te/é')
    register(secret)
    body = json.dumps({"client_secret": secret})
    assert secret not in scrub(body)
    assert json.dumps(secret)[1:-1] not in scrub(body)
    assert REDACTED in scrub(body)


def test_url_encoded_forms():
    secret = fresh_secret("+/= &%")
    register(secret)
    for encoded in (quote(secret, safe=""), quote_plus(secret)):
        assert encoded != secret
        assert scrub(f"a=1&client_secret={encoded}&b=2") == f"a=1&client_secret={REDACTED}&b=2"
    form = urlencode({"grant_type": "client_credentials", "client_secret": secret})
    assert "client_secret=" + REDACTED in scrub(form)


def test_base64_forms_including_inside_basic_auth():
    secret = fresh_secret()
    register(secret)
    raw = secret.encode()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(raw).decode()
        cleaned = scrub(f"blob={encoded};")
        assert REDACTED in cleaned
        assert encoded.rstrip("=") not in cleaned
    # A Basic header is base64("client_id:secret"): the secret sits at any byte alignment.
    for client_id in ("a", "ab", "abc", "client-7"):
        header = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        cleaned = scrub(f"Authorization: Basic {header}")
        assert REDACTED in cleaned
        # What is left of the header decodes to at most a few bytes of the secret.
        left = cleaned.split("Basic ", 1)[1].replace(REDACTED, "")
        assert len(left) <= 16


def test_pem_lines_each_scrubbed():
    pem = generated_pem()
    register(pem)
    one_line = pem.splitlines()[2]  # a base64 line inside the armour
    assert one_line not in scrub(f"leaked: {one_line}")


def test_short_values_bytes_and_none():
    register(None, "abc", b"")  # ignored: too short to scrub safely, or empty
    assert scrub("abc abc") == "abc abc"
    secret = fresh_secret()
    register(secret.encode())
    assert scrub(secret) == REDACTED
    assert scrub("") == ""


def test_mask():
    assert mask("abcdefgh12345") == "••••2345"
    assert mask("short") == "•••••"
    assert mask("") == "(none)"
    assert mask(None) == "(none)"
    assert mask("abcdefghijkl", keep=2) == "••••kl"


def test_debug_record_from_requests_oauthlib_is_scrubbed(oauth_log):
    logger, buffer = oauth_log
    secret = fresh_secret()
    token = fresh_secret()
    register(secret, token)
    redact.install()
    redact.install()  # idempotent: one factory, not two
    body = urlencode({"grant_type": "client_credentials", "client_secret": secret})
    logger.debug("Request body was %s", body)
    logger.debug("Obtained token %s.", {"access_token": token, "token_type": "Bearer"})
    logger.debug("Request headers were %s", {"Authorization": f"Bearer {token}"})
    out = buffer.getvalue()
    assert secret not in out
    assert quote_plus(secret) not in out
    assert token not in out
    assert out.count(REDACTED) == 3
    assert "DEBUG requests_oauthlib.oauth2_session Request body was grant_type=" in out


def test_records_without_secrets_are_untouched(oauth_log):
    logger, buffer = oauth_log
    redact.install()
    logger.debug("Request to fetch token completed with status %s.", 200)
    assert buffer.getvalue().strip().endswith("completed with status 200.")


def test_exception_tracebacks_in_log_records_are_scrubbed(oauth_log):
    logger, buffer = oauth_log
    secret = fresh_secret()
    register(secret)
    redact.install()
    try:
        raise ValueError(f"refused client_secret={secret}")
    except ValueError:
        logger.exception("token request failed")
    out = buffer.getvalue()
    assert "Traceback" in out
    assert "ValueError: refused client_secret=" + REDACTED in out
    assert secret not in out


def test_other_loggers_are_scrubbed_too():
    secret = fresh_secret()
    register(secret)
    redact.install()
    buffer = io.StringIO()
    logger = logging.getLogger("urllib3.connectionpool")
    handler = logging.StreamHandler(buffer)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        logger.debug('"%s %s HTTP/1.1" %s', "POST", f"/oauth2/token?client_secret={secret}", 200)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    assert secret not in buffer.getvalue()
    assert REDACTED in buffer.getvalue()


def test_a_real_debug_log_is_exact(make_client, caplog):
    """Issue 15, also seen: the token request body showed ``client_secret=[redacted]]`` (the
    field scrubber re-scrubbed the redaction) and the token URL as https:// for the http
    emulator (requests-oauthlib logs the https alias paxos_nb hands it)."""
    from paxos_nb.session import connect

    client = make_client(["funding:read_profile"])
    with (
        caplog.at_level(logging.DEBUG),
        connect(client.creds, ["funding:read_profile"]) as session,
    ):
        session.get("/profiles")
    text = caplog.text
    assert "Request body was grant_type=client_credentials" in text  # the line exists
    assert "client_secret=[redacted]&" in text
    assert "[redacted]]" not in text
    plain = client.creds.token_url
    assert plain.startswith("http://")
    assert f"Requesting url {plain} using method POST" in text
    assert plain.replace("http://", "https://") not in text


def test_the_field_scrubber_keeps_an_existing_redaction(oauth_log):
    logger, buffer = oauth_log
    redact.install()
    logger.debug("body client_secret=%s&scope=x", REDACTED)
    assert "client_secret=[redacted]&scope=x" in buffer.getvalue()
