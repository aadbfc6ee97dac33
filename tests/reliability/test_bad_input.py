"""The bad-input matrix: each row is a mistake a user makes or a server answer a client meets.

Every row runs through the public entry points (``Credentials``, ``Credentials.from_env``,
``connect``, the session verbs) against the emulator, or a scripted loopback server for
answers the emulator never gives. A row either raises a named error whose message says what
is wrong and whose hint says what to do, or works (a .env with CRLF must work) and says so
in a log warning where something was off. In every row, with all loggers at DEBUG, no secret
(client secret, a stale secret, tokens, private key) appears in ``str(err)``, the hint, the
repr, the formatted traceback or any log record.
"""

from __future__ import annotations

import secrets
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
from client.support import Answer, ScriptedServer, Sleeps, token_answer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from paxos_nb import ResponseWarning, errors
from paxos_nb.config import VARIABLES, Credentials
from paxos_nb.emulator import Emulator
from paxos_nb.session import PaxosSession, connect
from paxos_nb.signing import RequestSigner, generate_keypair
from paxos_nb.transport import RetryPolicy

from . import canary

READ = ["funding:read_profile", "transfer:read_transfer"]
ADDRESS = ["funding:read_profile", "transfer:write_deposit_address"]


@dataclass
class Ctx:
    """What a row needs: the emulator, a scripted server, a canary client, a temp folder."""

    emu: Emulator
    server: ScriptedServer
    tmp: Any
    monkeypatch: Any
    secret: str
    client_id: str
    sleeps: Sleeps = field(default_factory=Sleeps)
    secrets: list[str] = field(default_factory=list)  # every secret the row used

    def creds(self, secret: str | None = None, **kwargs: Any) -> Credentials:
        kwargs.setdefault("api_url", self.emu.api_url)
        return Credentials(self.client_id, secret or self.secret, "local", **kwargs)

    def scripted(self, secret: str | None = None) -> Credentials:
        """Credentials whose API and token endpoint are the scripted server."""
        return Credentials(
            self.client_id, secret or self.secret, "local", api_url=self.server.url + "/v2"
        )

    def connect(self, creds: Credentials, scopes=READ, **kwargs: Any) -> PaxosSession:
        kwargs.setdefault("retry", RetryPolicy(sleep=self.sleeps, base=0.01))
        return connect(creds, scopes, **kwargs)

    def env_file(self, text: str | bytes, name: str = ".env") -> Any:
        path = self.tmp / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return path

    def env_lines(self, secret: str | None = None) -> list[str]:
        return [
            "PAXOS_ENV=local",
            f"PAXOS_API_URL={self.emu.api_url}",
            f"PAXOS_CLIENT_ID={self.client_id}",
            f"PAXOS_CLIENT_SECRET={secret or self.secret}",
        ]

    def new_secret(self, tag: str) -> str:
        value = canary.canary_secret(tag, exotic=False)
        self.secrets.append(value)
        return value


@pytest.fixture
def ctx(emu, fresh, tmp_path, monkeypatch, caplog):
    for var in (*VARIABLES.values(), "PAXOS_NB_ENV_FILE"):
        monkeypatch.delenv(var, raising=False)
    caplog.set_level("DEBUG")
    secret = canary.canary_secret("matrix", exotic=False)
    client_id = f"matrix-{secrets.token_hex(4)}"
    emu.add_client(
        client_id=client_id, client_secret=secret, scopes=[*READ, "transfer:write_deposit_address"]
    )
    return Ctx(emu, fresh[0], tmp_path, monkeypatch, secret, client_id, secrets=[secret])


# -- rows -------------------------------------------------------------------------------------


def missing_env_path(c: Ctx):
    return Credentials.from_env(c.tmp / "no-such.env")


def env_with_bom(c: Ctx):
    creds = Credentials.from_env(c.env_file(b"\xef\xbb\xbf" + "\n".join(c.env_lines()).encode()))
    assert creds.client_secret == c.secret
    return c.connect(creds).get("/profiles")


def env_with_crlf(c: Ctx):
    creds = Credentials.from_env(c.env_file("\r\n".join(c.env_lines()) + "\r\n"))
    assert creds.client_secret == c.secret  # no stray \r in the secret
    return c.connect(creds).get("/profiles")


def env_with_bom_crlf_and_quotes(c: Ctx):
    lines = [line.replace("=", '="', 1) + '"' for line in c.env_lines()]
    creds = Credentials.from_env(c.env_file(b"\xef\xbb\xbf" + "\r\n".join(lines).encode()))
    assert creds.client_secret == c.secret
    return c.connect(creds).get("/profiles")


def env_unclosed_quote(c: Ctx):
    lines = c.env_lines()
    lines[3] = f'PAXOS_CLIENT_SECRET="{c.secret}'
    return Credentials.from_env(
        c.env_file("\n".join([*lines, "PAXOS_SCOPES=funding:read_profile"]))
    )


def env_colon_syntax(c: Ctx):
    lines = c.env_lines()
    lines[3] = f"PAXOS_CLIENT_SECRET: {c.secret}"
    return Credentials.from_env(c.env_file("\n".join(lines)))


def stale_shell_secret(c: Ctx):
    stale = c.new_secret("stale")
    c.monkeypatch.setenv("PAXOS_CLIENT_SECRET", stale)
    creds = Credentials.from_env(c.env_file("\n".join(c.env_lines()[:3])))
    return c.connect(creds)


def stale_shell_url(c: Ctx):
    c.monkeypatch.setenv("PAXOS_API_URL", c.emu.api_url)
    lines = [
        "PAXOS_ENV=sandbox",
        f"PAXOS_CLIENT_ID={c.client_id}",
        f"PAXOS_CLIENT_SECRET={c.secret}",
    ]
    return Credentials.from_env(c.env_file("\n".join(lines)))


def wrong_secret(c: Ctx):
    return c.connect(c.creds(c.new_secret("wrong")))


def scope_not_allowed(c: Ctx):
    return c.connect(c.creds(), ["funding:read_profile", "exchange:write_order"])


def unknown_scope(c: Ctx):
    return c.connect(c.creds(), ["funding:read_profiles"])


def fewer_scopes_granted(c: Ctx):
    c.server.queue(
        token_answer(scope="funding:read_profile"),
        Answer(403, {
            "type": "about:blank", "title": "Forbidden", "status": 403,
            "detail": "insufficient scopes: found 'funding:read_profile', "
                      "required one of '[transfer:read_transfer]'",
        }),
    )  # fmt: skip
    session = c.connect(c.scripted())
    assert session.token.missing == ("transfer:read_transfer",)
    return session.get("/transfer/transfers")


def _scripted_token(c: Ctx, **fields: Any):
    answer = token_answer(scope=" ".join(READ), **fields)
    c.secrets.append(answer.body["access_token"])
    c.server.queue(answer, Answer(200, {"items": []}))
    session = c.connect(c.scripted())
    assert session.get("/profiles") == {"items": []}
    return session.token


def token_without_expires_in(c: Ctx):
    token = _scripted_token(c, expires_in=None)
    assert token.expires_at is None


def token_expires_in_string(c: Ctx):
    token = _scripted_token(c, expires_in="3599")
    assert token.lifetime == 3599


def token_expires_in_junk(c: Ctx):
    token = _scripted_token(c, expires_in="soon")
    assert token.expires_at is None


def token_endpoint_429(c: Ctx):
    c.server.queue(Answer(429, {"error": "rate_limited"}, {"Retry-After": "3600"}))
    return c.connect(c.scripted())


def token_endpoint_html_502(c: Ctx):
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    c.server.queue(*[Answer(502, page, {"Content-Type": "text/html"})] * 4)
    return c.connect(c.scripted())


def _api_429(c: Ctx, *retry_after: str | None, then: Answer | None = None):
    c.server.queue(token_answer(scope=" ".join(READ)))
    busy = {"type": "about:blank", "title": "Too Many Requests", "status": 429}
    for value in retry_after:
        c.server.queue(Answer(429, busy, {"Retry-After": value} if value is not None else {}))
    if then is not None:
        c.server.queue(then)
    return c.connect(c.scripted()).get("/profiles")


def retry_after_missing(c: Ctx):
    return _api_429(c, None, None, None, None)


def retry_after_http_date(c: Ctx):
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    return _api_429(c, format_datetime(later, usegmt=True))


def retry_after_negative(c: Ctx):
    assert _api_429(c, "-5", then=Answer(200, {"items": []})) == {"items": []}
    assert c.sleeps == [0.0]


def retry_after_3600(c: Ctx):
    return _api_429(c, "3600")


def same_ref_id_other_payload(c: Ctx):
    session = c.connect(c.creds(), ADDRESS)
    ref = f"matrix-{secrets.token_hex(4)}"
    session.post("/transfer/deposit-addresses", json={
        "profile_id": "default", "crypto_network": "ETHEREUM", "ref_id": ref})  # fmt: skip
    return session.post("/transfer/deposit-addresses", json={
        "profile_id": "default", "crypto_network": "SOLANA", "ref_id": ref})  # fmt: skip


class _SkewedSigner:
    """A real signer whose clock is an hour behind."""

    def __init__(self, signer: RequestSigner) -> None:
        self.signer = signer

    def apply(self, prepared):
        return self.signer.apply(prepared, now=time.time() - 3600)


def signature_clock_skew(c: Ctx):
    public = generate_keypair(c.tmp / "skew.pem")
    client_id = f"skew-{secrets.token_hex(4)}"
    record = c.emu.add_client(
        client_id=client_id, client_secret=c.secret, scopes=ADDRESS,
        public_keys=[public], enforce_request_signing=True,
    )  # fmt: skip
    c.secrets.append((c.tmp / "skew.pem").read_text())
    signer = _SkewedSigner(RequestSigner(c.tmp / "skew.pem", kid=record.key_ids[0]))
    creds = Credentials(client_id, c.secret, "local", api_url=c.emu.api_url)
    return c.connect(creds, ADDRESS, signer=signer).get("/profiles")


def _key_row(c: Ctx, key: Any, password: bytes | None = None):
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    c.secrets += [line for line in pem.decode().splitlines() if "-----" not in line]
    path = c.env_file(pem, "key.pem")
    return c.connect(c.creds(signing_key_file=path, signing_kid="kid-1"))


def key_wrong_curve(c: Ctx):
    return _key_row(c, ec.generate_private_key(ec.SECP384R1()))


def key_rsa(c: Ctx):
    return _key_row(c, rsa.generate_private_key(public_exponent=65537, key_size=2048))


def key_encrypted(c: Ctx):
    return _key_row(c, ec.generate_private_key(ec.SECP256R1()), password=b"canary-passphrase-77")


def plain_http_remote(c: Ctx):
    return Credentials(c.client_id, c.secret, "local", api_url="http://api.example.com/v2")


def production_write(c: Ctx):
    session = PaxosSession(Credentials(c.client_id, c.secret, "production"), ADDRESS)
    return session.post("/transfer/deposit-addresses", json={"profile_id": "x"})


def repeating_cursor(c: Ctx):
    page = {"items": [{"id": "a"}], "next_page_cursor": "same-cursor"}
    c.server.queue(token_answer(scope=" ".join(READ)), *[Answer(200, page)] * 3)
    with warnings.catch_warnings():  # {"id": "a"} is no transfer: paxos_nb rightly warns
        warnings.simplefilter("ignore", ResponseWarning)
        return c.connect(c.scripted()).frame("/transfer/transfers", progress=False)


# -- expectations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Raises:
    error: type[BaseException]
    message: tuple[str, ...] = ()  # fragments of str(err) before the hint
    hint: tuple[str, ...] = ()  # fragments of the hint


@dataclass(frozen=True)
class Works:
    logged: tuple[str, ...] = ()  # fragments of a warning that says what was off


ROWS: list[tuple[str, Callable[[Ctx], Any], Raises | Works]] = [
    ("missing .env path", missing_env_path,
     Raises(errors.ConfigError, ("no-such.env", "does not exist"), (".env.example",))),
    (".env with a BOM", env_with_bom, Works()),
    (".env with CRLF", env_with_crlf, Works()),
    (".env with BOM, CRLF and quotes", env_with_bom_crlf_and_quotes, Works()),
    (".env unclosed quote", env_unclosed_quote,
     Raises(errors.ConfigError, ("cannot parse line 4",), ("closed on the same line",))),
    (".env KEY: value", env_colon_syntax,
     Raises(errors.ConfigError, ("cannot parse line 4",), ("`KEY: value` is not .env syntax",))),
    ("stale shell secret", stale_shell_secret,
     Raises(errors.AuthError, ("invalid_client",), ("PAXOS_CLIENT_SECRET from os.environ",
                                                   "stale shell variable"))),
    ("stale shell URL", stale_shell_url,
     Raises(errors.ConfigError, ("PAXOS_API_URL from os.environ", "PAXOS_ENV from .env"),
            ("unset PAXOS_API_URL",))),
    ("wrong secret", wrong_secret,
     Raises(errors.AuthError, ("invalid_client",), ("copied whole", "sandbox and production"))),
    ("scope not allowed", scope_not_allowed,
     Raises(errors.AuthError, ("invalid_scope", "exchange:write_order"),
            ("exchange:write_order", "Dashboard"))),
    ("unknown scope", unknown_scope,
     Raises(errors.UnknownNameError, ("funding:read_profiles",), ("funding:read_profile",))),
    ("fewer scopes granted", fewer_scopes_granted,
     Raises(errors.ScopeError, ("insufficient scopes",), ("transfer:read_transfer", "reconnect"))),
    ("token without expires_in", token_without_expires_in, Works(("no expires_in",))),
    ("token expires_in as a string", token_expires_in_string, Works()),
    ("token expires_in junk", token_expires_in_junk, Works(("unusable expires_in",))),
    ("token endpoint 429", token_endpoint_429,
     Raises(errors.AuthError, ("rate limiting", "retry after 3600 s"),
            ("1 token request per second",))),
    ("token endpoint HTML 502", token_endpoint_html_502,
     Raises(errors.AuthError, ("HTTP 502", "text/html", "not an OAuth2 JSON response"),
            ("retry later", "PAXOS_TOKEN_URL"))),
    ("Retry-After missing", retry_after_missing,
     Raises(errors.RateLimited, ("429",), ("slow down",))),
    ("Retry-After HTTP date", retry_after_http_date,
     Raises(errors.RateLimited, ("the server asks to wait 3", " s)"), ("wait 3",))),
    ("Retry-After negative", retry_after_negative, Works()),
    ("Retry-After 3600", retry_after_3600,
     Raises(errors.RateLimited, ("wait 3600 s",), ("wait 3600 s",))),
    ("same ref_id, other payload", same_ref_id_other_payload,
     Raises(errors.AlreadyExists, ("409", "ref_id"), ("ref_id",))),
    ("signature clock skew", signature_clock_skew,
     Raises(errors.Unauthorized, ("Paxos-Signature",), ("clock",))),
    ("wrong-curve key", key_wrong_curve,
     Raises(errors.SigningKeyError, ("P-384",), ("P-256",))),
    ("RSA key", key_rsa, Raises(errors.SigningKeyError, ("RSA",), ("generate_keypair",))),
    ("encrypted key", key_encrypted,
     Raises(errors.SigningKeyError, ("encrypted",), ("passphrase",))),
    ("http:// to a remote host", plain_http_remote,
     Raises(errors.ConfigError, ("plain http://",), ("https://",))),
    ("production write without opt-in", production_write,
     Raises(errors.WriteNotAllowed, ("production",), ("allow_writes=True",))),
    ("server repeats its cursor", repeating_cursor,
     Raises(errors.PaginationError, ("page cursor it had sent before",), ("max_rows=",))),
]  # fmt: skip


def _shown(error: BaseException) -> list[str]:
    return [
        str(error),
        repr(error),
        getattr(error, "hint", None) or "",
        "".join(traceback.format_exception(error)),
    ]


@pytest.mark.parametrize(("action", "expect"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input(ctx, caplog, action, expect):
    if isinstance(expect, Raises):
        with pytest.raises(expect.error) as info:
            action(ctx)
        error = info.value
        message = getattr(error, "message", str(error))
        for fragment in expect.message:
            assert fragment in message, f"{fragment!r} not in {message!r}"
        assert error.hint, f"no hint in {error!r}"
        for fragment in expect.hint:
            assert fragment in error.hint, f"{fragment!r} not in hint {error.hint!r}"
        shown = _shown(error)
    else:
        action(ctx)
        shown = []
        warnings = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
        for fragment in expect.logged:
            assert fragment in warnings, f"{fragment!r} not logged: {warnings!r}"
    shown.append(caplog.text)
    needles = canary.needles_of({f"secret {i}": s for i, s in enumerate(ctx.secrets)})
    hits = canary.scan({f"part {i}": text for i, text in enumerate(shown)}, needles)
    assert hits == [], [str(h) for h in hits]
