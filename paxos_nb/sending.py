"""Sending one API call: prepare (auth), send (redirects), retry under the policy.

The layers of one try, as in httpx (send -> auth -> redirects -> single send):

* :meth:`Sender.send` prepares the request with the session's auth stack (bearer token,
  then signature: :mod:`paxos_nb.request_auth`) and sends it through
  :class:`~paxos_nb.transport.SafeSession`, which follows redirects without carrying
  credentials to another origin, over :class:`~paxos_nb.transport.PaxosAdapter`;
* around the tries, the :class:`~paxos_nb.retry.RetryPolicy`: connection errors and the
  busy statuses (429, 502, 503, 504) are retried when the call may be repeated safely
  (:func:`is_retryable`), honouring ``Retry-After`` within the policy's budget.

Each try is prepared again, so it carries a fresh token and a fresh signature. What comes
back is the final answer, whatever its status: :mod:`paxos_nb.problems` turns an error
answer into its typed error.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests

from . import redact
from .errors import TransportError
from .retry import RetryPolicy, parse_retry_after
from .transport import SafeSession

__all__ = ["Sender", "is_retryable"]

# The session layer logs on one channel, paxos_nb.session (what users and the tutorials listen
# to), whichever of its modules does the work.
logger = logging.getLogger("paxos_nb.session")


def is_retryable(method: str, json: Any) -> bool:
    """Whether a call may be sent again after a failure without doing its work twice.

    GET always. POST and PUT when the JSON body carries a ``ref_id``: Paxos then refuses a
    duplicate with 409 already-exists and returns the first object in ``meta.existing``.
    Everything else (DELETE, writes without ``ref_id``) is sent once.
    """
    if method == "GET":
        return True
    return method in ("POST", "PUT") and isinstance(json, dict) and bool(json.get("ref_id"))


class Sender:
    """Sends API requests on ``http`` and retries them under ``retry``.

    Parameters
    ----------
    http : SafeSession
        With ``auth`` set to the session's auth stack.
    retry : RetryPolicy
    timeout : float
        Seconds per HTTP request.
    """

    def __init__(self, http: SafeSession, retry: RetryPolicy, timeout: float) -> None:
        self.http, self.retry, self.timeout = http, retry, timeout
        self.calls = 0  # HTTP requests sent for API calls (retries, renewals, redirects)

    def send(
        self,
        request: requests.Request,
        *,
        label: str,
        retryable: bool,
        timeout: float | None = None,
    ) -> tuple[requests.Response, bool]:
        """The final answer to ``request`` and whether it took more than one try.

        Parameters
        ----------
        request : requests.Request
            Not yet prepared: each try prepares it (a fresh token and signature).
        label : str
            ``"METHOD /path"``, for messages and logs.
        retryable : bool
            See :func:`is_retryable`; False sends once.

        Raises
        ------
        TransportError
            No answer after the allowed tries, or an unusable URL or redirect chain.
        """
        tries = self.retry.start(enabled=retryable)
        while True:
            prepared = self.http.prepare_request(request)  # the auth stack runs here
            try:
                response = self.http.send(
                    prepared, timeout=timeout or self.timeout, allow_redirects=True
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                self.calls += 1
                wait = tries.next_wait()
                if wait is not None:
                    logger.info("%s: %s; retrying", label, type(exc).__name__)
                    tries.wait(wait)
                    continue
                raise _unreachable(request, label, exc, tries.retries, retryable) from None
            except requests.RequestException as exc:  # too many redirects, a bad URL...
                self.calls += 1
                raise TransportError(
                    f"{label}: {type(exc).__name__}: {redact.scrub(str(exc))}",
                    hint="check the API URL (PAXOS_API_URL / PAXOS_ENV)",
                ) from None
            self.calls += 1 + len(response.history)
            if retryable and response.status_code in self.retry.statuses:
                wait = tries.next_wait(parse_retry_after(response.headers.get("Retry-After")))
                if wait is not None:
                    logger.info("%s: %s; retrying in %.2f s", label, response.status_code, wait)
                    response.close()
                    tries.wait(wait)
                    continue
            return response, tries.retries > 0


def _unreachable(
    request: requests.Request, label: str, exc: Exception, retries: int, retryable: bool
) -> TransportError:
    hint = "check the network and the API URL"
    if not retryable:  # a write (GETs are always retryable)
        hint += (
            "; a write without ref_id is never retried: it may or may not have been "
            "applied, so check before sending it again (or add a ref_id)"
        )
    return TransportError(
        f"{label}: no answer from {urlsplit(request.url).netloc} ({type(exc).__name__})"
        + (f" after {retries + 1} attempts" if retries else ""),
        hint=hint,
    )
