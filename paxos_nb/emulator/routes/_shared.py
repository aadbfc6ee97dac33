"""Small helpers the resource handlers share (no handlers live here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from ..call import Call
from ..fmt import Encoded, dumps, metadata_of, opt_str
from ..ledger import Ledger
from ..problems import forbidden

FIRST_PARTY = "identity_id forbidden for first-party customers"


class Record(Protocol):
    def wire(self) -> bytes: ...


def ledger_of(call: Call) -> Ledger:
    """The ledger of the running emulator that received ``call``."""
    return call.backends.ledger


def listing(
    records: Iterable[Record],
    cursor: str | None,
    *keys: str,
    head: Mapping[str, Any] | None = None,
) -> Encoded:
    """A list envelope, encoded: ``head`` fields first, then the records under each of ``keys``
    (default ``items``), then the cursor (left out on the last page, as the brief recommends).

    The records' cached JSON is joined as it is (see :class:`~..fmt.Wired`).
    """
    items = b"[" + b",".join([r.wire() for r in records]) + b"]"
    parts = [dumps(k) + b":" + dumps(v) for k, v in (head or {}).items()]
    parts += [dumps(key) + b":" + items for key in (keys or ("items",))]
    if cursor:
        parts.append(b'"next_page_cursor":' + dumps(cursor))
    return Encoded(b"{" + b",".join(parts) + b"}")


def refuse_first_party(call: Call, *sent: Any) -> None:
    """403 when a first-party (1P) client sends an identity_id: any of ``sent`` is set.

    identity_id and account_id are for third-party (3P) integrations (docs.paxos.com; the
    detail is Paxos's). Clients are 3P unless registered with ``first_party=True``.
    """
    if any(value not in (None, "", [], ()) for value in sent) and call.client_id:
        client = call.backends.registry.get(call.client_id)
        if client is not None and client.first_party:
            raise forbidden(FIRST_PARTY)


def leg_fields(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The debit and the credit leg's own fields of a transfer between two profiles: the
    sender's ``metadata``, ``from_identity_id``, ``from_account_id`` and the recipient's
    ``recipient_metadata``, ``to_identity_id``, ``to_account_id`` (CreateInternalTransfer,
    CreatePaxosTransfer)."""
    debit = {
        "metadata": metadata_of(body),
        "identity_id": opt_str(body, "from_identity_id"),
        "account_id": opt_str(body, "from_account_id"),
    }
    credit = {
        "metadata": metadata_of(body, "recipient_metadata"),
        "identity_id": opt_str(body, "to_identity_id"),
        "account_id": opt_str(body, "to_account_id"),
    }
    return debit, credit
