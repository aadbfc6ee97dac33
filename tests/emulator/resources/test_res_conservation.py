"""Money is conserved exactly under 8 concurrent writers, by the audit and by the API."""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
import requests

from paxos_nb.emulator import Emulator

WRITERS, OPS = 8, 60


def one_op(rng: random.Random, call, pids: list[str], n: int, address_id: str) -> int:
    """One random write; returns its HTTP status (``address_id``: a crypto destination)."""
    pid, other = rng.sample(pids, 2)
    kind = rng.choice(
        [
            "internal",
            "internal",
            "deposit",
            "withdrawal",
            "market",
            "limit",
            "convert",
            "orchestrate",
            "quote",
        ]
    )
    if kind == "internal":
        asset = rng.choice(["USD", "BTC", "ETH", "USDG"])
        amount = {"USD": "12.34", "BTC": "0.00012345", "ETH": "0.0101", "USDG": "7.000001"}[asset]
        body = {"from_profile_id": pid, "to_profile_id": other, "amount": amount, "asset": asset}
        return call("POST", "/transfer/internal", body)[0]
    if kind == "deposit":
        body = rng.choice(
            [
                {"asset": "USD", "amount": "100.01"},
                {"asset": "BTC", "amount": "0.01", "crypto_network": "BITCOIN"},
            ]
        )
        return call("POST", f"/sandbox/profiles/{pid}/deposit", body)[0]
    if kind == "withdrawal":
        body = {
            "profile_id": pid,
            "destination_address": "tb1q" + "x" * 38,
            "asset": "BTC",
            "crypto_network": "BITCOIN",
            "amount": "0.0015",
        }
        return call("POST", "/transfer/crypto-withdrawals", body)[0]
    if kind == "market":
        side = rng.choice(["BUY", "SELL"])
        body = {"side": side, "market": "ETHUSD", "type": "MARKET"}
        body.update({"quote_amount": "250.00"} if side == "BUY" else {"base_amount": "0.0333"})
        return call("POST", f"/profiles/{pid}/orders", body)[0]
    if kind == "limit":
        status, made = call(
            "POST",
            f"/profiles/{pid}/orders",
            {
                "side": "BUY",
                "market": "BTCUSD",
                "type": "LIMIT",
                "base_amount": "0.01",
                "price": "50000",
            },
        )
        if status == 200 and rng.random() < 0.5:
            return call("DELETE", f"/profiles/{pid}/orders/{made['id']}")[0]
        return status
    if kind == "convert":
        body = {
            "profile_id": pid,
            "amount": "25.50",
            "source_asset": "USD",
            "target_asset": rng.choice(["USDP", "PYUSD", "USDG"]),
        }
        return call("POST", "/conversion/stablecoins", body)[0]
    if kind == "orchestrate":
        body = {
            "ref_id": f"conc-{threading.get_ident()}-{n}",
            "source_asset": "USDP",
            "destination_asset": "USD",
            "source_amount": "9.99",
            "source": {"profile": {"profile_id": pid}},
            "destination": {"profile": {"profile_id": other}},
        }
        if rng.random() < 0.5:  # converted and withdrawn to a crypto address instead
            body.update(
                source_asset="USD", destination_asset="USDG",
                destination={"crypto": {"address_id": address_id}},
            )  # fmt: skip
        return call("POST", "/orchestration/orchestrations", body)[0]
    status, quotes = call("GET", "/quotes", params={"markets": "BTCUSD"})
    side = rng.choice(quotes["items"])
    return call(
        "POST",
        f"/profiles/{pid}/quote-executions",
        {"quote_id": side["id"], "quote_amount": "40.00"},
    )[0]


def api_caller(emu: Emulator, token: str):
    session = requests.Session()

    def call(method: str, path: str, body=None, params=None):
        r = session.request(
            method,
            emu.api_url + path,
            json=body,
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        return r.status_code, r.json()

    return call, session


def every_page(call, path: str, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        status, page = call(
            "GET", path, params={**params, **({"page_cursor": cursor} if cursor else {})}
        )
        assert status == 200, page
        items += page["items"]
        cursor = page.get("next_page_cursor")
        if not cursor:
            return items


def from_records(call, pids: list[str]) -> dict[str, Decimal]:
    """Each asset's total rebuilt only from records the API lists (no balance read)."""
    total: dict[str, Decimal] = defaultdict(Decimal)
    for t in every_page(call, "/transfer/transfers", limit=1000):
        if t["direction"] == "CREDIT" and t["status"] == "COMPLETED":
            total[t["balance_asset"]] += Decimal(t["total"])
        elif t["direction"] == "DEBIT" and t["status"] != "FAILED":
            total[t["balance_asset"]] -= Decimal(t["total"])
    for e in every_page(call, "/executions", limit=1000):
        base, quote = e["market"][:-3], e["market"][-3:]
        gross, fee, amount = (
            Decimal(e["gross_trade_amount"]),
            Decimal(e["commission"]),
            Decimal(e["amount"]),
        )
        sign = 1 if e["side"] == "BUY" else -1
        total[base] += sign * amount
        total[quote] -= sign * gross + fee
    for pid in pids:
        for q in every_page(call, f"/profiles/{pid}/quote-executions", limit=1000):
            paid, got = ("quote", "base") if q["side"] == "BUY" else ("base", "quote")
            total[q[f"{paid}_asset"]] -= Decimal(q[f"{paid}_amount"])
            if q["status"] == "SETTLED":
                total[q[f"{got}_asset"]] += Decimal(q[f"{got}_amount"])
    for o in every_page(call, "/orchestration/orchestrations", limit=1000):
        if "profile" not in o["destination"] and o["status"] != "FAILED":
            # paid out: the converted asset its withdrawal (a debit, counted above) sends
            total[o["destination_asset"]] += Decimal(o["source_amount"])
    for c in every_page(call, "/conversion/stablecoins", limit=1000):
        if c["status"] != "CANCELLED":
            total[c["source_asset"]] -= Decimal(c["amount"])
        if c["status"] == "SETTLED":
            total[c["target_asset"]] += Decimal(c["amount"])
    return total


def nonzero(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    return {asset: value for asset, value in totals.items() if value}


def from_balances(call, pids: list[str]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = defaultdict(Decimal)
    for pid in pids:
        status, rows = call("GET", f"/profiles/{pid}/balances")
        assert status == 200
        for row in rows["items"]:
            total[row["asset"]] += Decimal(row["available"]) + Decimal(row["trading"])
    return total


@pytest.mark.timeout(300)
def test_exact_conservation_under_eight_concurrent_writers():
    with Emulator(seed=3, rate_limits=False, ledger_options={"settle_after": 0.02}) as emu:
        r = requests.post(
            emu.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": emu.demo_client.client_id,
                "client_secret": emu.demo_client.client_secret,
            },
            timeout=10,
        )
        token = r.json()["access_token"]
        call, session = api_caller(emu, token)
        pids = [p["id"] for p in call("GET", "/profiles")[1]["items"]]
        status, where = call(
            "PUT", "/transfer/crypto-destination-address",
            {"crypto_network": "ETHEREUM", "address": "0x" + "cd" * 20},
        )  # fmt: skip
        assert status == 200, where
        statuses: Counter = Counter()
        failures: list[BaseException] = []
        start = threading.Barrier(WRITERS)

        def writer(k: int) -> None:
            rng = random.Random(k)
            mine, own = api_caller(emu, token)
            try:
                start.wait()
                for n in range(OPS):
                    statuses[one_op(rng, mine, pids, n, where["address"]["id"])] += 1
            except BaseException as exc:  # surfaced below
                failures.append(exc)
            finally:
                own.close()

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures
        assert set(statuses) <= {200, 403}, statuses  # 403: a profile ran short, nothing moved
        assert statuses[200] >= WRITERS * OPS * 0.8

        # Mid-flight (some transfers may still be pending): the identity already holds.
        audit = emu.ledger.audit()
        assert all(line["difference"] == 0 for line in audit.values()), audit

        # Then settle everything: nothing is in flight, internal legs cancel out exactly.
        emu.ledger.settle(emu.now() + timedelta(hours=1))
        audit = emu.ledger.audit()
        for asset, line in audit.items():
            assert line["difference"] == 0, asset
            assert line["in_flight"] == 0, asset
            assert line["internal"] == 0, asset
        api_totals = nonzero(from_balances(call, pids))
        assert api_totals == nonzero({a: line["balances"] for a, line in audit.items()})
        assert nonzero(from_records(call, pids)) == api_totals
        paid_out = every_page(call, "/orchestration/orchestrations", limit=1000)
        assert any("crypto" in o["destination"] for o in paid_out)  # the payout path ran
        session.close()
