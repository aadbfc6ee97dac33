"""Crypto withdrawals and their guaranteed fees (API-BRIEF.md sections 10.5 and 10.8)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ..fmt import (
    body_of,
    check_precision,
    fmt_dec,
    fmt_ts,
    metadata_of,
    opt_str,
    parse_amount,
    require,
)
from ..problems import Problem, already_exists, bad_request, not_found
from ..records import ASSETS, FIAT, PAXOS_STABLECOINS, Transfer, WithdrawalFee
from ..seed import CRYPTO_NETWORKS, EVM_NETWORKS, NETWORKS_BY_ASSET, make_tx_hash, usd_value
from . import Body, Call, handles
from ._shared import ledger_of

# Sandbox per-transaction caps (API-BRIEF.md section 10.8).
SANDBOX_CAPS = {
    "BTC": "0.002", "ETH": "0.05", "BCH": "0.05", "LTC": "0.05", "SOL": "0.5",
    "AAVE": "10", "MATIC": "10", "LINK": "10", "UNI": "10",
    "PAXG": "1000000", "USDP": "1000000", "PYUSD": "1000000", "USDC": "1000000",
    "USDG": "1000000",
}  # fmt: skip
FEE_LIFETIME = timedelta(seconds=60)  # emulator choice: Paxos does not document it
_NATIVE_FEES = {"BTC": "0.00002", "ETH": "0.0004", "BCH": "0.0001", "LTC": "0.001", "SOL": "0.0005"}


def network_fee(asset: str, network: str) -> Decimal:
    """The emulator's flat network fee, in units of the withdrawn asset."""
    if asset in _NATIVE_FEES:
        return Decimal(_NATIVE_FEES[asset])
    if asset in ("USDP", "PYUSD", "USDG", "USDC"):
        return Decimal("1.5") if network == "ETHEREUM" else Decimal("0.05")
    return Decimal("0.0004") if asset == "PAXG" else Decimal("0.01")


def _asset_and_network(body: dict[str, Any]) -> tuple[str, str]:
    asset, network = body["asset"], body["crypto_network"]
    if asset not in ASSETS or asset in FIAT:
        raise bad_request(f"asset invalid: '{asset}' cannot be withdrawn to a crypto address")
    if network not in CRYPTO_NETWORKS:
        raise bad_request(f"crypto_network invalid: '{network}' is not a supported network")
    if network not in NETWORKS_BY_ASSET.get(asset, ()):
        raise bad_request(f"{asset} is not supported on network {network}")
    if network in EVM_NETWORKS and not body["destination_address"].startswith("0x"):
        raise bad_request(f"destination_address is not a valid {network} address")
    return asset, network


def _amount_or_total(body: dict[str, Any], asset: str) -> tuple[Decimal | None, Decimal | None]:
    has_amount, has_total = (
        body.get("amount") not in (None, ""),
        body.get("total") not in (None, ""),
    )
    if has_amount == has_total:
        raise bad_request("specify exactly one of amount or total")
    name = "amount" if has_amount else "total"
    value = parse_amount(body[name], name)
    check_precision(value, asset, ASSETS[asset])
    return (value, None) if has_amount else (None, value)


def _net(amount: Decimal | None, total: Decimal | None, fee: Decimal) -> Decimal:
    """The amount sent: given, or the total less the fee."""
    if amount is not None:
        return amount
    assert total is not None  # _amount_or_total returns exactly one of them
    return total - fee


@handles("CreateCryptoWithdrawalFee")
def create_fee(call: Call) -> Body:
    body = body_of(call)
    require(body, "asset", "destination_address", "crypto_network")
    asset, network = _asset_and_network(body)
    amount, total = _amount_or_total(body, asset)
    fee = network_fee(asset, network)
    amount = _net(amount, total, fee)
    if amount <= 0:
        raise bad_request(f"total must exceed the fee of {fmt_dec(fee)} {asset}")
    with ledger_of(call).at(call.now) as led:
        record = WithdrawalFee(
            led.new_id(),
            fee,
            asset,
            led.now + FEE_LIFETIME,
            body["destination_address"],
            network,
            amount,
            amount + fee,
        )
        return led.fees.add(record, led.now).to_json()


def _guaranteed_fee(led, call: Call, fee_id: str, asset: str, network: str) -> WithdrawalFee:
    fee = led.fees.get(fee_id)
    if fee is None:
        raise not_found(f"fee not found with id {fee_id}")
    if led.now > fee.expires_at:
        at = fmt_ts(fee.expires_at)
        raise Problem(
            403, f"fee {fee_id} expired at {at}", title="Expired", slug="expired",
            meta={"expired_at": at},
        )  # fmt: skip
    if (fee.asset, fee.crypto_network) != (asset, network):
        raise bad_request(f"fee {fee_id} was quoted for {fee.asset} on {fee.crypto_network}")
    return fee


@handles("CreateCryptoWithdrawal")
def create_crypto_withdrawal(call: Call) -> Body:
    body = body_of(call)
    require(body, "profile_id", "destination_address", "asset", "crypto_network")
    asset, network = _asset_and_network(body)
    amount, total = _amount_or_total(body, asset)
    balance_asset = opt_str(body, "balance_asset") or asset
    if balance_asset != asset and not (asset in PAXOS_STABLECOINS and balance_asset == "USD"):
        raise bad_request("balance_asset must be the withdrawn asset, or USD for USDP, PYUSD, USDG")
    ref_id = opt_str(body, "ref_id")
    fee_id = opt_str(body, "fee_id")
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(body["profile_id"])
        if ref_id and (existing := led.transfers.refs.get(ref_id)):
            raise already_exists(
                f"transfer already exists with ref_id '{ref_id}'", existing.to_json()
            )
        if fee_id:
            quoted = _guaranteed_fee(led, call, fee_id, asset, network)
            fee = quoted.fee
        else:
            quoted, fee = None, network_fee(asset, network)
        amount = _net(amount, total, fee)
        if amount <= 0:
            raise bad_request(f"total must exceed the fee of {fmt_dec(fee)} {asset}")
        if quoted is not None and amount > quoted.amount:
            raise bad_request(
                f"amount exceeds the amount {fmt_dec(quoted.amount)} quoted by fee {fee_id}"
            )
        cap = Decimal(SANDBOX_CAPS.get(asset, "1000000"))
        if amount > cap:
            raise Problem(
                400,
                f"withdrawal amount {fmt_dec(amount)} exceeds withdrawal limit "
                f"for this asset {asset}",
                title="Withdrawal Amount Too Large",
                slug="exceed-max-withdraw-limit",
                meta={"limit": fmt_dec(cap), "amount": fmt_dec(amount)},
            )
        led.debit(profile.id, balance_asset, amount + fee)
        transfer = led.add_transfer(
            Transfer(
                id=led.new_id(),
                customer_id=led.customer_id,
                profile_id=profile.id,
                amount=amount,
                fee=fee,
                asset=asset,
                balance_asset=balance_asset,
                direction="DEBIT",
                type="CRYPTO_WITHDRAWAL",
                status="PENDING",
                created_at=led.now,
                updated_at=led.now,
                kind="withdrawal",
                ref_id=ref_id,
                metadata=metadata_of(body),
                destination_address=body["destination_address"],
                crypto_network=network,
                notional_value=usd_value(led, asset, amount + fee, led.now),
                memo=opt_str(body, "memo"),
                identity_id=opt_str(body, "identity_id"),
                account_id=opt_str(body, "account_id"),
            )
        )

        def broadcast(when) -> None:  # the testnet confirms it: it has a hash and is final
            transfer.crypto_tx_hash = make_tx_hash(network, led.random("tx", transfer.id))
            led.update_transfer(transfer, "COMPLETED", when)

        led.schedule(led.now + led.settle_after, broadcast)
        return transfer.to_json()
