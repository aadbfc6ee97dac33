"""RFC 9457 problem+json answers, shaped like the ones Paxos sends (API-BRIEF.md section 4)."""

from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://developer.paxos.com/docs/v2/problems/"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


class Problem(Exception):
    """Raise from a handler to answer with ``application/problem+json``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        slug: str | None = None,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.title = title or TITLES.get(status, "Error")
        self.type = PROBLEM_BASE + slug if slug else "about:blank"
        self.meta, self.headers = meta, dict(headers or {})

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:  # Paxos leaves it out of some answers (an unknown event id's 404)
            out["detail"] = self.detail
        if self.meta is not None:
            out["meta"] = self.meta
        return out


def bad_request(detail: str) -> Problem:
    return Problem(400, detail)


def not_found(detail: str) -> Problem:
    return Problem(404, detail)


def forbidden(detail: str) -> Problem:
    return Problem(403, detail)


def already_exists(detail: str, existing: dict[str, Any]) -> Problem:
    return Problem(
        409, detail, title="Already Exists", slug="already-exists", meta={"existing": existing}
    )


def insufficient_funds(profile_id: str, asset: str, available: str, needed: str) -> Problem:
    return Problem(
        403,
        f"insufficient funds: available {available} {asset}, needed {needed} {asset}",
        title="Insufficient Funds",
        slug="insufficient-funds",
        meta={"profile_id": profile_id, "asset": asset, "available": available, "needed": needed},
    )
