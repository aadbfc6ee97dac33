"""Settings of one emulator instance: token lifetime, signing window, rate limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DEFAULT_LIMITS", "EmulatorConfig", "RateLimits"]

# Requests per second per client IP, per path-pattern group (API-BRIEF section 7).
DEFAULT_LIMITS: Mapping[str, float] = {
    "token": 1.0,  # /oauth2/token
    "order-book": 10.0,  # /v2/markets/*/order-book
    "recent-executions": 10.0,  # /v2/markets/*/recent-executions
    "quote-executions": 10.0,  # /v2/profiles/*/quote-executions
    "identity": 10.0,  # /v2/identity/... (the docs write /v2/identities/*/)
    "transfer-internal": 20.0,  # /v2/transfer/internal
    "crypto-withdrawals": 20.0,  # /v2/transfer/crypto-withdrawals
    "default": 50.0,  # everything else, one bucket per path template
}


@dataclass
class RateLimits:
    """The documented rate limits: an average over ``window`` seconds, then a throttle.

    Parameters
    ----------
    window : float
        Seconds over which the request rate is averaged (Paxos: 5 minutes).
    throttle : float
        Seconds during which every request of the offending group gets 429 (Paxos: 5 minutes).
    limits : mapping of str to float
        Requests per second by group name (see ``DEFAULT_LIMITS``); names given here
        override the defaults, the others keep them.
    subscriptions : float
        New WebSocket feed subscriptions per second per client IP (Paxos: 1); more wait.
    """

    window: float = 300.0
    throttle: float = 300.0
    limits: Mapping[str, float] = field(default_factory=dict)
    subscriptions: float = 1.0

    def __post_init__(self) -> None:
        unknown = set(self.limits) - set(DEFAULT_LIMITS)
        if unknown:
            raise ValueError(
                f"unknown rate-limit group(s) {sorted(unknown)}; known: {sorted(DEFAULT_LIMITS)}"
            )
        if self.subscriptions <= 0:
            raise ValueError("RateLimits needs subscriptions > 0 (new feed connections per second)")
        if self.window <= 0 or self.throttle < 0:
            raise ValueError("RateLimits needs window > 0 and throttle >= 0 (seconds)")
        self.limits = {**DEFAULT_LIMITS, **self.limits}


@dataclass
class EmulatorConfig:
    """Mutable settings read on every request (so tests may change them after start)."""

    seed: int = 0
    host: str = "127.0.0.1"
    port: int = 0
    token_lifetime: int = 3599  # seconds; a fresh token reports this as expires_in
    signature_max_age: int = 1800  # Paxos accepts a signature for 30 minutes
    signature_max_future: int = 300  # clock skew tolerated for timestamps ahead of now
    rate_limits: RateLimits | None = field(default_factory=RateLimits)
