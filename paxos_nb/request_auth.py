"""What every API request carries, as requests auths: the bearer token, then the signature.

The session's ``requests.Session`` has ``auth = AuthStack(BearerAuth(tokens),
SignatureAuth(signer))``, so every prepared request (every retry too) passes through:

1. :class:`BearerAuth`: a token valid for at least the renewal margin (fetched or renewed
   first if needed, authlib's ``OAuth2Auth``/``ensure_active_token`` pattern) in
   ``Authorization``; and a response hook that, on a 401, renews the token once and sends
   the same request again (the pattern of requests' own ``HTTPDigestAuth``);
2. :class:`SignatureAuth`: the ``Paxos-Signature`` JWS over the final method, path, query and
   body bytes; last, because it signs exactly what is sent.

A 401 whose body blames the signature is not a token problem: no renewal. A redirect that
left the origin has lost its ``Authorization`` (:class:`~paxos_nb.transport.SafeSession`),
and a 401 there never gets a token back.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import requests
from requests.auth import AuthBase

from .auth import Token, TokenManager

__all__ = ["AuthStack", "BearerAuth", "SignatureAuth", "Signer"]

# The session layer logs on one channel, paxos_nb.session (what users and the tutorials listen
# to), whichever of its modules does the work.
logger = logging.getLogger("paxos_nb.session")


class Signer(Protocol):
    """Signs a prepared request in place (:class:`~paxos_nb.signing.RequestSigner` does)."""

    def apply(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest: ...


class AuthStack(AuthBase):
    """Several auths applied in order to one request."""

    def __init__(self, *auths: AuthBase) -> None:
        self.auths = auths

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        for auth in self.auths:
            r = auth(r)
        return r


class SignatureAuth(AuthBase):
    """Signs each request with ``signer.apply`` (put it last in an :class:`AuthStack`)."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return self.signer.apply(r)


class BearerAuth(AuthBase):
    """The access token of ``tokens``, fresh on every request and renewed once on a 401."""

    def __init__(self, tokens: TokenManager) -> None:
        self.tokens = tokens

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self.tokens.get()
        r.headers["Authorization"] = _bearer(token)
        r.register_hook("response", _RenewOnce(self.tokens, token))
        return r


def _bearer(token: Token) -> str:
    return f"Bearer {token.access_token}"


class _RenewOnce:
    """Response hook of one request: on a 401 for ``token``, renew it and resend once."""

    def __init__(self, tokens: TokenManager, token: Token) -> None:
        self.tokens, self.token = tokens, token

    def __call__(self, response: requests.Response, **send_kwargs: Any) -> requests.Response:
        sent = response.request
        if (
            response.status_code != 401
            or sent.headers.get("Authorization") != _bearer(self.token)  # left the origin
            or "signature" in response.text.lower()  # a new token would not help
        ):
            return response
        path = (sent.path_url or "").split("?", 1)[0]
        logger.info("%s %s: 401; renewing the token once", sent.method, path)
        fresh = self.tokens.renew(self.token)
        response.close()  # its body is read (above): the connection goes back to the pool
        again = sent.copy()  # a copy shares its hooks: give it its own, without this one
        again.hooks = {event: [h for h in hs if h is not self] for event, hs in sent.hooks.items()}
        again.headers["Authorization"] = _bearer(fresh)
        # The signature covers method, path and body, unchanged: it stays valid.
        answer: requests.Response = response.connection.send(again, **send_kwargs)
        answer.history.insert(0, response)
        answer.request = again
        return answer
