"""The exception tree: built-in bases, messages with hints, the attributes callers use."""

from __future__ import annotations

import inspect

import pytest
import requests

import paxos_nb
from paxos_nb import errors
from paxos_nb.errors import (
    AlreadyExists,
    APIError,
    AuthError,
    BadRequest,
    ConfigError,
    Forbidden,
    NotFound,
    PaginationError,
    PaxosError,
    RateLimited,
    ScopeError,
    ServerError,
    SigningKeyError,
    TransportError,
    Unauthorized,
    UnknownNameError,
    WriteNotAllowed,
)


def test_all_lists_exactly_the_exception_classes():
    classes = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, PaxosError)
    }
    assert set(errors.__all__) == classes


def test_public_face_reexports_the_same_classes():
    for name in errors.__all__:
        assert getattr(paxos_nb, name) is getattr(errors, name)
        assert name in paxos_nb.__all__


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (ConfigError, (PaxosError, ValueError)),
        (UnknownNameError, (ConfigError, KeyError, ValueError)),
        (SigningKeyError, (ConfigError, ValueError)),
        (AuthError, (PaxosError,)),
        (TransportError, (PaxosError, ConnectionError)),
        (WriteNotAllowed, (PaxosError, PermissionError)),
        (PaginationError, (PaxosError, RuntimeError)),
        (APIError, (PaxosError,)),
        (BadRequest, (APIError,)),
        (Unauthorized, (APIError,)),
        (Forbidden, (APIError,)),
        (ScopeError, (Forbidden, APIError)),
        (NotFound, (APIError,)),
        (AlreadyExists, (APIError,)),
        (RateLimited, (APIError,)),
        (ServerError, (APIError,)),
    ],
)
def test_hierarchy_matches_the_drawing(cls, bases):
    for base in bases:
        assert issubclass(cls, base)
    assert cls.__name__ in errors.__doc__  # drawn in the module docstring


def test_message_and_hint():
    err = ConfigError("PAXOS_ENV is 'prod'", hint="use sandbox, production or local")
    assert str(err) == "PAXOS_ENV is 'prod'\n  hint: use sandbox, production or local"
    assert err.message == "PAXOS_ENV is 'prod'"
    assert str(PaxosError("plain")) == "plain"
    assert PaxosError("plain").hint is None
    with pytest.raises(ValueError, match="PAXOS_ENV"):  # existing `except ValueError` still works
        raise err


def test_unknown_name_error_reads_well_despite_keyerror():
    err = UnknownNameError("scope", "event:read_event", ["events:read_event"])
    assert str(err) == "unknown scope 'event:read_event'\n  hint: did you mean 'events:read_event'?"
    assert err.closest == ("events:read_event",)
    assert (err.kind, err.name) == ("scope", "event:read_event")
    with pytest.raises(KeyError):
        raise err
    two = UnknownNameError("operation", "x", ["a", "b"])
    assert "did you mean 'a' or 'b'?" in str(two)
    none = UnknownNameError("preset", "zzz")
    assert str(none) == "unknown preset 'zzz'"
    assert none.hint is None


def test_auth_error_carries_the_rfc_code():
    err = AuthError("token refused", error="invalid_scope", status=400, hint="allow it")
    assert (err.error, err.status, err.hint) == ("invalid_scope", 400, "allow it")
    assert str(err) == "token refused\n  hint: allow it"
    assert AuthError("refused").error is None


def test_api_error_message_names_the_call_without_the_query():
    request = requests.Request(
        "GET", "https://api.sandbox.paxos.com/v2/profiles/p1?secret_param=x"
    ).prepare()
    err = NotFound(404, "Not Found", "profile not found: p1", request=request)
    assert str(err) == "404 Not Found (GET /v2/profiles/p1): profile not found: p1"
    assert "secret_param" not in str(err)
    assert (err.status, err.title, err.detail, err.type, err.meta) == (
        404,
        "Not Found",
        "profile not found: p1",
        "about:blank",
        {},
    )
    assert err.request is request
    assert str(APIError(500)) == "500"
    assert str(ServerError(503, "Service Unavailable")) == "503 Service Unavailable"


def test_scope_error_names_the_missing_scope():
    err = ScopeError(
        403,
        "Forbidden",
        "insufficient scopes: found 'funding:read_profile', required one of '[events:read_event]'",
        required="events:read_event",
        granted=["funding:read_profile"],
    )
    assert err.required == "events:read_event"
    assert err.granted == ("funding:read_profile",)
    assert "'events:read_event'" in err.hint
    assert "Dashboard" in err.hint
    assert isinstance(err, Forbidden)
    assert ScopeError(403, "Forbidden").hint is None
    assert ScopeError(403, required="x:y", hint="custom").hint == "custom"


def test_already_exists_gives_the_existing_resource():
    existing = {"id": "t1", "ref_id": "r1", "status": "PENDING"}
    err = AlreadyExists(
        409,
        "Already Exists",
        "duplicate ref_id",
        type="https://x/already-exists",
        meta={"existing": existing},
    )
    assert err.existing == existing
    assert AlreadyExists(409).existing is None
    assert err.meta is not existing


def test_rate_limited_defaults_and_retry_after():
    err = RateLimited(retry_after=2.5)
    assert err.status == 429
    assert err.retry_after == 2.5
    assert RateLimited(429, "Too Many Requests", "Too many requests").retry_after is None


def test_meta_is_copied():
    meta = {"profile_id": "p", "needed": "10"}
    err = Forbidden(403, "Insufficient Funds", meta=meta, type="insufficient-funds")
    meta["needed"] = "0"
    assert err.meta["needed"] == "10"
