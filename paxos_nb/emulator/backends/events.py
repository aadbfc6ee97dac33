"""The events feed (``GET /v2/events``): a Paxos event for every documented state change.

:class:`Events` listens on :meth:`Core.changed` and records an :class:`Event` when a change
is one Paxos publishes (docs.paxos.com, Events and Webhooks):

- a transfer on a documented rail: ``transfer.<type in lower case>.<status in lower case>``
  (``transfer.crypto_withdrawal.pending``, ``transfer.wire_deposit.completed`` ...), one
  event per status change; a transfer created COMPLETED (or FAILED) emits only that status.
  Object ``transfer_status_change``, a snapshot of the transfer at that instant;
- an orchestration: ``orchestration.processing`` / ``.completed`` / ``.failed``, object
  ``orchestration_status_change``;
- any other change whose kind is itself a documented event type (``identity.approved`` ...)
  and whose record says what the event carries: ``record.event_object(kind)`` returns
  ``(object_type, object)``.

Everything else (balances, orders, internal and Paxos transfers, fiat accounts ...) has no
Paxos event and is not recorded. Events are ordered by ``created_at``, which is unique per
event (two events of one instant get instants 1 µs apart), so paging by moving
``created_at.gt`` never skips one. Event ids come from their own seeded stream, so
recording events leaves every other id of the world unchanged.
"""

from __future__ import annotations

import bisect
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..cursors import Key, SortedIndex, key_of
from ..fmt import Wired, fmt_ts
from ..problems import Problem, bad_request
from .core import Change, Core, Family

__all__ = ["EVENT_TYPES", "RAILS", "Event", "Events"]

_TICK = timedelta(microseconds=1)
# The rails with transfer events: 15 (deposit and withdrawal of seven networks, plus RTP).
_NETWORKS = ("crypto", "act", "wire", "cubix", "scb_intrabank", "banking_circle_intrabank",
             "bny_intrabank")  # fmt: skip
RAILS = (*(f"{n}_{d}" for n in _NETWORKS for d in ("deposit", "withdrawal")), "rtp_deposit")
_TRANSFER_TYPES = {f"transfer.{r}.{s}" for r in RAILS for s in ("pending", "completed", "failed")}
EVENT_TYPES = frozenset(
    (
        "identity.approved", "identity.denied", "identity.disabled",
        "identity.documents_required", "identity.kyc_refresh.started",
        "identity.kyc_refresh.completed", "identity.kyc_refresh.expired",
        "orchestration.processing", "orchestration.completed", "orchestration.failed",
        *_TRANSFER_TYPES,
    )
)  # fmt: skip
_ORCHESTRATION = {
    "orchestration.created": "orchestration.processing",
    "orchestration.completed": "orchestration.completed",
    "orchestration.failed": "orchestration.failed",
}


@dataclass
class Event(Wired):
    id: str
    type: str
    object_type: str
    object: dict[str, Any]
    created_at: datetime
    undelivered_webhooks: int = 0
    is_test: bool = field(default=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "object_type": self.object_type,
            "object": self.object,
            "created_at": fmt_ts(self.created_at),
            "undelivered_webhooks": self.undelivered_webhooks,
        }

    def webhook_payload(self) -> dict[str, Any]:
        """What a webhook delivers for this event: metadata only (docs.paxos.com, Webhooks)."""
        return {
            "id": self.id,
            "type": self.type,
            "source": "com.paxos",
            "time": fmt_ts(self.created_at),
            "object": "event",
            "is_test": self.is_test,
        }


def transfer_object(transfer: Any) -> dict[str, Any]:
    """The ``transfer_status_change`` object: the transfer's id, type and status now."""
    out: dict[str, Any] = {
        "id": transfer.id,
        "profile_id": transfer.profile_id,
        "type": transfer.type,
        "status": transfer.status,
    }
    for name in ("ref_id", "crypto_network", "crypto_tx_hash", "crypto_tx_index", "memo"):
        value = getattr(transfer, name, None)
        if value:
            out[name] = value
    return out


def orchestration_object(orchestration: Any, status: str) -> dict[str, Any]:
    """The ``orchestration_status_change`` object."""
    out: dict[str, Any] = {"id": orchestration.id}
    if orchestration.rule_id:
        out["orchestration_rule_id"] = orchestration.rule_id
    out.update(ref_id=orchestration.ref_id, status=status)
    return out


class Events(Family[Event]):
    """Every recorded event, by id and in ``created_at`` order."""

    def __init__(self, core: Core) -> None:
        super().__init__("event")
        self.core = core
        self.used: set[int] = set()  # the instants taken (µs since the epoch)
        self._ids = random.Random(0)  # noqa: S311 - seeded by reset()
        core.listeners.append(self.record)
        self.reset()

    def reset(self) -> None:
        self.clear()
        self.used = set()
        self._ids = random.Random(f"paxos-nb-events:{self.core.seed}")  # noqa: S311 - seeded

    # -- recording ----------------------------------------------------------------------------
    def record(self, change: Change) -> None:
        """The listener on ``Core.changed``: record the Paxos event of ``change``, if any."""
        kind, record = change.kind, change.record
        if kind.startswith("transfer."):
            if kind in ("transfer.created", "transfer.completed", "transfer.failed"):
                rail = record.type.lower()
                if rail in RAILS:
                    # A transfer created COMPLETED or FAILED reached that status at updated_at
                    # (the seeded history completes later than it starts).
                    at = record.updated_at if record.status != "PENDING" else change.at
                    event_type = f"transfer.{rail}.{record.status.lower()}"
                    self._add(event_type, "transfer_status_change", transfer_object(record), at)
        elif kind in _ORCHESTRATION:
            event_type = _ORCHESTRATION[kind]
            status = event_type.rsplit(".", 1)[1].upper()
            body = orchestration_object(record, status)
            self._add(event_type, "orchestration_status_change", body, change.at)
        elif kind in EVENT_TYPES and hasattr(record, "event_object"):
            object_type, body = record.event_object(kind)
            self._add(kind, object_type, dict(body), change.at)

    def _add(self, event_type: str, object_type: str, body: dict[str, Any], at: datetime) -> None:
        key = key_of(at, "")[0]
        while key in self.used:  # one instant per event: created_at.gt paging never skips
            key += 1
            at += _TICK
        self.used.add(key)
        ident = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
        self.add(Event(ident, event_type, object_type, body, at))

    # -- reads --------------------------------------------------------------------------------
    def find(self, ident: str, *, is_test: bool = False) -> Event:
        """The event ``ident``: 400 ``error parsing event id`` unless a UUID, 404 (no
        detail, as Paxos answers) when there is none."""
        try:
            uuid.UUID(ident)
        except ValueError:
            raise bad_request("error parsing event id") from None
        found = self.get(ident)
        if found is None or found.is_test != is_test:
            raise Problem(404, "")
        return found

    def window(
        self,
        *,
        lower: tuple[datetime, bool] | None,
        upper: tuple[datetime, bool] | None,
        event_type: str | None,
        is_test: bool,
        limit: int,
    ) -> list[Event]:
        """At most ``limit`` events, oldest first, in the window between ``lower`` and
        ``upper`` (an instant and whether it is included), of ``event_type`` if given."""
        keys = self.created.keys
        start = 0
        if lower is not None:
            bound = key_of(lower[0], "")
            start = (bisect.bisect_left if lower[1] else bisect.bisect_right)(
                keys, bound if lower[1] else (bound[0], "\uffff")
            )
        out: list[Event] = []
        for _, event in self._from(start):
            if upper is not None and not (
                event.created_at <= upper[0] if upper[1] else event.created_at < upper[0]
            ):
                break
            if (event_type is None or event.type == event_type) and event.is_test == is_test:
                out.append(event)
                if len(out) == limit:
                    break
        return out

    def _from(self, start: int) -> Iterator[tuple[Key, Event]]:
        index: SortedIndex = self.created
        for position in range(start, len(index)):
            yield index[position]
