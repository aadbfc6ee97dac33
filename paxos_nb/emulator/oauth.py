"""``POST /oauth2/token``: the client-credentials grant (RFC 6749 section 4.4) on oauthlib's
server-side classes.

Client authentication: ``client_id``/``client_secret`` in the form body (what every Paxos
example does), urlencoded or multipart, or HTTP Basic (RFC 6749 section 2.3.1; not shown by
Paxos, accepted here). Errors follow RFC 6749 section 5.2. An omitted or empty ``scope``
grants every scope the client is allowed (RFC 6749 section 3.3 lets the server pick a
default); one requested scope outside the allowed set rejects the whole request.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote_plus, urlencode

from oauthlib.oauth2 import BackendApplicationServer, RequestValidator
from oauthlib.oauth2.rfc6749 import errors

from .config import EmulatorConfig
from .registry import ALL_SCOPES, Registry
from .stats import Stats
from .tokens import TokenStore, new_token

__all__ = ["TokenEndpoint"]

logger = logging.getLogger(__name__)

# oauthlib checks nothing about the URI scheme on the server side, but keep it https so no
# code path ever asks for OAUTHLIB_INSECURE_TRANSPORT.
_INTERNAL_URI = "https://emulator.paxos-nb.invalid/oauth2/token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_KNOWN = frozenset(ALL_SCOPES)
_DEFAULT_DESCRIPTIONS = {
    "invalid_client": "client authentication failed",
    "invalid_scope": "the requested scope is invalid",
    "unsupported_grant_type": "only grant_type=client_credentials is supported",
    "unauthorized_client": "this client may not use this grant type",
}


class _NoTokenInLogs(logging.Filter):
    """oauthlib logs the issued token dict at DEBUG; keep the access token out of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Issuing token"):
            # Replace the whole message: a log-record factory may have formatted it already.
            args = record.args if isinstance(record.args, tuple) else ()
            record.msg = "Issuing token to client id %r (token not logged)."
            record.args = (args[0] if args else "?",)
        return True


logging.getLogger("oauthlib.oauth2.rfc6749.grant_types.client_credentials").addFilter(
    _NoTokenInLogs()
)


def _basic_credentials(header: str) -> tuple[str, list[str]] | None:
    """(client_id, candidate secrets) from ``Authorization: Basic``; None if not Basic."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise errors.InvalidClientError(
            description="malformed HTTP Basic credentials (expected base64 of id:secret)"
        ) from None
    cid, sep, secret = decoded.partition(":")
    if not sep:
        raise errors.InvalidClientError(description="malformed HTTP Basic credentials")
    # RFC 6749 2.3.1 form-encodes id and secret before base64; many clients do not.
    return unquote_plus(cid), list(dict.fromkeys([secret, unquote_plus(secret)]))


class _Validator(RequestValidator):
    def __init__(self, registry: Registry, tokens: TokenStore, config: EmulatorConfig) -> None:
        self.registry, self.tokens, self.config = registry, tokens, config

    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        basic = _basic_credentials(request.headers.get("Authorization", ""))
        body_id, body_secret = request.client_id, request.client_secret
        if basic is not None:
            if body_secret:
                raise errors.InvalidRequestError(
                    description="use one client authentication method: HTTP Basic or "
                    "client_id/client_secret in the body, not both"
                )
            if body_id and body_id != basic[0]:
                raise errors.InvalidRequestError(
                    description="client_id in the body differs from the HTTP Basic user"
                )
            client_id, candidates = basic
        else:
            if not body_id and not body_secret:
                raise errors.InvalidClientError(
                    description="no client authentication: send client_id and client_secret "
                    "in the form body (or use HTTP Basic)"
                )
            if not body_id or not body_secret:
                missing = "client_id" if not body_id else "client_secret"
                raise errors.InvalidClientError(description=f"{missing} is missing")
            client_id, candidates = body_id, [body_secret]
        client = self.registry.get(client_id)
        expected = (client.client_secret if client else "x").encode()
        ok = any(hmac.compare_digest(c.encode(), expected) for c in candidates)
        if client is None or not ok:
            raise errors.InvalidClientError(
                description="client authentication failed: unknown client_id or wrong "
                "client_secret (check the credentials in the Dashboard)"
            )
        if client.status != "APPROVED":
            raise errors.InvalidClientError(
                description=f"the credentials {client_id!r} are {client.status} (deleted)"
            )
        request.client = client
        request.client_id = client.client_id
        return True

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return grant_type == "client_credentials"

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list:
        return list(request.client.scopes)

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Any,  # the ApiClient authenticate_client put on the request
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        wanted = list(dict.fromkeys(s for s in scopes or () if s))
        if not wanted:
            wanted = list(client.scopes)
        unknown = [s for s in wanted if s not in _KNOWN]
        refused = [s for s in wanted if s in _KNOWN and s not in client.scopes]
        problems = []
        if unknown:
            problems.append("unknown scope(s) " + " ".join(repr(s) for s in unknown))
        if refused:
            problems.append(
                f"scope(s) not allowed for client {client_id!r}: "
                + " ".join(repr(s) for s in refused)
            )
        if problems:
            raise errors.InvalidScopeError(
                description="; ".join(problems)
                + " (request only scopes these API credentials are allowed)"
            )
        request.scopes = wanted
        return True

    def save_token(self, token: Mapping[str, Any], request: Any, *args: Any, **kwargs: Any) -> None:
        self.tokens.issue(
            token["access_token"],
            request.client.client_id,
            tuple(request.scopes),
            float(token["expires_in"]),
        )


def _paxos_shape(token: dict, *args: Any) -> dict:
    """The Paxos response: lowercase token_type, no extra keys, fixed key order."""
    return {
        "access_token": token["access_token"],
        "expires_in": token["expires_in"],
        "scope": token.get("scope", ""),
        "token_type": "bearer",
    }


class TokenEndpoint:
    """Turns one token request into the RFC 6749 token response."""

    def __init__(
        self, registry: Registry, tokens: TokenStore, config: EmulatorConfig, stats: Stats
    ) -> None:
        self.stats = stats
        self.server = BackendApplicationServer(
            _Validator(registry, tokens, config),
            token_generator=lambda request: new_token(),
            token_expires_in=lambda request: int(config.token_lifetime),
        )
        self.server.credentials_grant.register_token_modifier(_paxos_shape)

    def respond(
        self,
        *,
        content_type: str,
        form: Sequence[tuple[str, str]] | None,
        authorization: str | None,
        query_string: str = "",
    ) -> tuple[bytes, int, dict[str, str]]:
        """(body, status, headers) for one token request.

        Parameters
        ----------
        content_type
            The request's ``Content-Type`` header.
        form
            Its form fields, in order (None when the body is not a form).
        authorization
            The ``Authorization`` header, if any (HTTP Basic client authentication).
        query_string
            The raw query string (parameters there are refused by oauthlib).
        """
        headers = {
            "Content-Type": "application/json",
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
        }
        mimetype = content_type.partition(";")[0].strip().lower()
        if mimetype not in _FORM_TYPES or form is None:
            return self._error(
                headers,
                "invalid_request",
                "send the token request as application/x-www-form-urlencoded or "
                f"multipart/form-data (got {mimetype or 'no content type'!r})",
                400,
            )
        oauth_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if authorization:
            oauth_headers["Authorization"] = authorization
        uri = _INTERNAL_URI + (f"?{query_string}" if query_string else "")
        _, body, status = self.server.create_token_response(
            uri, "POST", urlencode(list(form)), oauth_headers
        )
        if status == 200:
            self.stats.token_request(None)
            return body.encode(), 200, headers
        data = json.loads(body)
        error = data.get("error", "invalid_request")
        description = data.get("error_description") or _DEFAULT_DESCRIPTIONS.get(error, error)
        if status == 401 and authorization and authorization.lower().startswith("basic"):
            headers["WWW-Authenticate"] = 'Basic realm="paxos"'
        return self._error(headers, error, description, status)

    def _error(
        self, headers: dict[str, str], error: str, description: str, status: int
    ) -> tuple[bytes, int, dict[str, str]]:
        self.stats.token_request(error)
        body = json.dumps({"error": error, "error_description": description})
        return body.encode(), status, headers
