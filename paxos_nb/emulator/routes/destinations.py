"""Crypto destination addresses: upsert and list (docs.paxos.com, Crypto Withdrawals)."""

from __future__ import annotations

from typing import Any

from .. import cursors
from ..backends.destinations import Destination
from ..fmt import body_of, compare_filters, opt_str, query_bool, query_choice, query_list, time_ok
from ..networks import CRYPTO_NETWORKS
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of, listing

_LIST_NETWORKS = tuple(n for n in CRYPTO_NETWORKS if n != "XLAYER")  # the list filter's enum


def _names(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise bad_request(f"{where} must be an object")
    return value


def _travelrule(value: Any) -> dict[str, Any] | None:
    """``travelrule_metadata{beneficiary, vasp{id}, custodian_type}``, checked and copied."""
    if value is None:
        return None
    where = "travelrule_metadata"
    given = _names(value, where)
    out: dict[str, Any] = {}
    if given.get("beneficiary") not in (None, {}):
        beneficiary = _names(given["beneficiary"], f"{where}.beneficiary")
        kinds = [k for k in ("person_details", "institution_details") if beneficiary.get(k)]
        if len(kinds) != 1:
            raise bad_request(
                f"{where}.beneficiary must hold exactly one of person_details or "
                "institution_details"
            )
        details = _names(beneficiary[kinds[0]], f"{where}.beneficiary.{kinds[0]}")
        # The spec's BeneficiaryPerson requires firstName/lastName: a known typo (snake_case).
        names = ("first_name", "last_name") if kinds[0] == "person_details" else ("name",)
        for name in names:
            if not isinstance(details.get(name), str) or not details[name].strip():
                raise bad_request(f"{where}.beneficiary.{kinds[0]}.{name} is required")
        out["beneficiary"] = {kinds[0]: {n: details[n] for n in names}}
    if given.get("vasp") not in (None, {}):
        vasp = _names(given["vasp"], f"{where}.vasp")
        out["vasp"] = {"id": opt_str(vasp, "id") or ""}
    custodian = given.get("custodian_type")
    if custodian not in (None, ""):
        if custodian not in ("VASP", "PRIVATE"):
            raise bad_request(f"{where}.custodian_type must be VASP or PRIVATE")
        out["custodian_type"] = custodian
    return out


@handles("PutCryptoDestinationAddress")
def put_destination(call: Call) -> Body:
    body = body_of(call)
    network = opt_str(body, "crypto_network")
    if network and network not in CRYPTO_NETWORKS:
        raise bad_request(
            f"crypto_network invalid: '{network}' is not one of {', '.join(CRYPTO_NETWORKS)}"
        )
    # The orchestrations guide sends `name` for the nickname: tolerated.
    nickname = opt_str(body, "nickname") or opt_str(body, "name")
    bookmarked = body.get("bookmarked_status")
    if bookmarked is not None and not isinstance(bookmarked, bool):
        raise bad_request("bookmarked_status must be true or false")
    travelrule = _travelrule(body.get("travelrule_metadata"))
    with ledger_of(call).at(call.now) as led:
        record = led.destinations.put(
            opt_str(body, "id"), network, opt_str(body, "address"), nickname=nickname,
            bookmarked=bookmarked, travelrule=travelrule,
        )  # fmt: skip
        return {"address": record.to_json()}


@handles("ListCryptoDestinationAddresses")
def list_destinations(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    query_choice(q, "order_by", ("CREATED_AT",))
    created = compare_filters(q, "created_at")
    sets = {
        "id": set(query_list(q, "ids")),
        "crypto_network": set(query_list(q, "crypto_networks", _LIST_NETWORKS)),
        "address": set(query_list(q, "addresses")),
        "nickname": set(query_list(q, "nicknames")),
    }
    sets = {attr: values for attr, values in sets.items() if values}
    bookmarked = query_bool(q, "bookmarked_status") if q.get("bookmarked_status") else None

    def keep(record: Destination) -> bool:
        return (
            all(getattr(record, attr) in values for attr, values in sets.items())
            and (bookmarked is None or record.bookmarked == bookmarked)
            and time_ok(record.created_at, created)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.destinations.created, kind="crypto_destination_addresses", order=order,
            limit=limit, token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, "addresses")
