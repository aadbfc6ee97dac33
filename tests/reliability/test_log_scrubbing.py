"""The two log leaks the canary scan found, pinned as fast regression tests.

1. requests-oauthlib logs its token request as a printed dict ("Supplying headers ... and data
   {...}"): ``repr`` doubles a backslash, so a secret holding one escaped the raw, JSON, URL
   and base64 forms that were scrubbed.
2. A notebook that fetches a token with requests-oauthlib itself (the token-flow tutorial)
   gets DEBUG lines with a token paxos_nb never saw, so could not have registered.
"""

from __future__ import annotations

import json
import logging
import secrets

from paxos_nb import redact

from . import canary

OAUTH = logging.getLogger("requests_oauthlib.oauth2_session")


def _hits(text: str, **named: str) -> list[canary.Hit]:
    return canary.scan({"log": text}, canary.needles_of(named))


def test_a_registered_secret_with_a_backslash_in_a_printed_dict(caplog):
    caplog.set_level(logging.DEBUG)
    secret = canary.canary_secret("repr")  # holds " and \ : repr() escapes them
    redact.register(secret)
    data = {"grant_type": "client_credentials", "client_secret": secret}
    OAUTH.debug("Supplying headers %s and data %s", {"Accept": "application/json"}, data)
    OAUTH.debug("Request body was %r", (data,))
    assert repr(secret)[1:-1] != secret
    assert _hits(caplog.text, secret=secret) == []
    assert caplog.text.count(redact.REDACTED) == 2


def test_a_token_paxos_nb_never_saw_is_blanked_in_debug_lines(caplog):
    caplog.set_level(logging.DEBUG)
    token = f"{secrets.token_urlsafe(32)}.{secrets.token_urlsafe(32)}"
    secret = secrets.token_urlsafe(24)
    body = {"access_token": token, "expires_in": 3599, "token_type": "bearer"}
    OAUTH.debug("Obtained token %s.", body)
    OAUTH.debug("Response headers were %s and content %s.", {}, json.dumps({"access_token": token}))
    OAUTH.debug("Request headers were %s", {"Authorization": f"Bearer {token}"})
    OAUTH.debug("Request body was grant_type=client_credentials&client_secret=%s&x=1", secret)
    assert _hits(caplog.text, token=token, secret=secret) == []
    assert "'token_type': 'bearer'" in caplog.text  # only the secret values go
    assert "&x=1" in caplog.text


def test_messages_without_secret_fields_are_left_alone(caplog):
    caplog.set_level(logging.DEBUG)
    lines = [
        "put PAXOS_CLIENT_SECRET=... in your .env",
        'WWW-Authenticate: Bearer realm="paxos", error="invalid_token"',
        "token_type is bearer; scope funding:read_profile",
    ]
    for line in lines:
        OAUTH.info(line)
    assert [r.getMessage() for r in caplog.records] == lines
