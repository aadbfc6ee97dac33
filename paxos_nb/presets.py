"""Task presets: the scope sets a job needs (API brief §3.2 and the Paxos guides).

``PRESETS["convert"]`` is the docs' 16-scope mint/redeem/convert set, in the docs' order;
the others are ours, each one least-privilege for its task. Read through
:data:`paxos_nb.scopes.PRESETS`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from .errors import UnknownNameError

__all__ = ["PRESETS"]

_FIAT = (
    "transfer:read_fiat_account",
    "transfer:write_fiat_account",
    "transfer:read_fiat_deposit_instructions",
    "transfer:write_fiat_deposit_instructions",
)
_ORCHESTRATION = (
    "orchestration:read_orchestration",
    "orchestration:write_orchestration",
    "orchestration:read_orchestration_rule",
    "orchestration:write_orchestration_rule",
)

# Task presets (API brief §3.2). "convert" is the docs' 16-scope set in the docs' order.
# "analyst" and "trading" are ours: the docs recommend no set for them.
_PRESETS: dict[str, tuple[str, ...]] = {
    "convert": (
        *_ORCHESTRATION,
        "funding:read_profile",
        "funding:write_profile",
        "transfer:read_deposit_address",
        "transfer:read_transfer",
        "transfer:read_fiat_account",
        "transfer:read_fiat_deposit_instructions",
        "transfer:write_internal_transfer",
        "transfer:write_crypto_withdrawal",
        "transfer:write_deposit_address",
        "transfer:write_fiat_account",
        "transfer:write_fiat_deposit_instructions",
        "transfer:write_fiat_withdrawal",
    ),
    # Read-only reporting over money movement and trading. Left out on purpose: identity
    # and accounts (personal data), API credentials, tax and statements (documents), the
    # deprecated conversion API, settlement and rewards (niche products a credential
    # rarely has; requesting a scope the credential lacks fails the token request).
    "analyst": (
        "funding:read_profile",
        "transfer:read_transfer",
        "transfer:read_transfer_limit",
        "transfer:read_deposit_address",
        "transfer:read_fiat_account",
        "transfer:read_fiat_deposit_instructions",
        "transfer:read_crypto_destination_address",
        "exchange:read_order",
        "exchange:read_quote",
        "exchange:read_quote_execution",
        "exchange:historical_prices",
        "orchestration:read_orchestration",
        "orchestration:read_orchestration_rule",
        "events:read_event",
    ),
    # Order-book trading: balances, place/cancel orders, list orders and executions.
    "trading": ("funding:read_profile", "exchange:read_order", "exchange:write_order"),
    "quotes": (
        "funding:read_profile",
        "exchange:read_quote",
        "exchange:write_quote_execution",
        "exchange:read_quote_execution",
    ),
    "fiat_transfers": (
        *_FIAT,
        "transfer:write_fiat_withdrawal",
        "transfer:write_sandbox_fiat_deposit",
        "transfer:read_transfer",
        "funding:read_profile",
    ),
    "stablecoin_payments": (
        "funding:read_profile",
        "funding:write_profile",
        "transfer:read_transfer",
        "transfer:write_crypto_withdrawal",
        "transfer:write_deposit_address",
    ),
    "identity_onboarding": (
        "identity:read_identity",
        "identity:read_account",
        "identity:write_identity",
        "identity:write_account",
        "funding:read_profile",
        "funding:write_profile",
        "exchange:read_order",
        "exchange:write_order",
    ),
    # The guide's required set; add transfer:read/write_crypto_destination_address
    # for orchestrations that pay out to crypto addresses.
    "orchestrations": (*_ORCHESTRATION, "events:read_event", *_FIAT),
}


class _Presets(Mapping[str, tuple[str, ...]]):
    """Read-only preset table; an unknown name raises with the closest preset names."""

    def __init__(self, table: dict[str, tuple[str, ...]]) -> None:
        self._table = dict(table)

    def __getitem__(self, name: str) -> tuple[str, ...]:
        try:
            return self._table[name]
        except (KeyError, TypeError):
            key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
            if key in self._table:
                return self._table[key]
            close = difflib.get_close_matches(str(name).lower(), list(self._table), n=3)
            raise UnknownNameError("preset", str(name), close) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __repr__(self) -> str:
        return f"PRESETS({', '.join(self._table)})"


PRESETS: Mapping[str, tuple[str, ...]] = _Presets(_PRESETS)
