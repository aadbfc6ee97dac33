"""Benchmarks 1-3: per-call overhead, token reuse, connections opened.

All against an :class:`~emulator_proc.EmulatorProcess` (a separate process).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from timing import interleave, median, time_batch

import paxos_nb as px

__all__ = ["bare_session", "connections", "overhead", "token_reuse"]

PROFILES_SCOPE = ["funding:read_profile"]


def fetch_token(emu: Any, scopes: list[str], http: Any = requests) -> str:
    """A client-credentials token by hand: one form POST (what a user writes)."""
    info = emu.info
    resp = http.post(
        info["token_url"],
        data={
            "grant_type": "client_credentials",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
            "scope": " ".join(scopes),
        },
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()["access_token"]


def bare_session(
    emu: Any, *, scopes: list[str] = PROFILES_SCOPE, trust_env: bool = True
) -> requests.Session:
    """What a user writes by hand: fetch a token once, then a keep-alive Session."""
    s = requests.Session()
    s.trust_env = trust_env
    s.headers["Authorization"] = f"Bearer {fetch_token(emu, scopes, http=s)}"
    return s


def _authlib_session(emu: Any) -> Any:
    """authlib's OAuth2Session with the client-credentials grant (renews before expiry)."""
    from authlib.integrations.requests_client import OAuth2Session

    info = emu.info
    client = OAuth2Session(
        info["client_id"],
        info["client_secret"],
        scope=" ".join(PROFILES_SCOPE),
        token_endpoint=info["token_url"],
        token_endpoint_auth_method="client_secret_post",
        grant_type="client_credentials",
    )
    client.fetch_token(info["token_url"], grant_type="client_credentials")
    return client


def _getter(session: requests.Session, url: str) -> Any:
    def call() -> Any:
        resp = session.get(url, timeout=30)
        resp.raise_for_status()
        return resp.json()

    return call


def overhead(emu: Any, *, rounds: int, calls: int) -> dict[str, Any]:
    """Benchmark 1: seconds per ``GET /v2/profiles`` for each client, interleaved rounds.

    The target compares wall time per call (what a user waits); the client's own CPU time
    per call is reported too (the part each library adds, the server's share left out).

    ``requests`` (the baseline) is a default ``requests.Session`` with a token fetched by
    hand; ``requests (trust_env=False)`` skips the per-call proxy/netrc lookup from the
    environment, as paxos_nb does for loopback (shown for reference, not the target).
    """
    url = emu.info["api_url"] + "/profiles"
    session = px.connect(emu.creds(), scopes=PROFILES_SCOPE, progress=False)
    bare = bare_session(emu)
    bare_no_env = bare_session(emu, trust_env=False)
    authlib = _authlib_session(emu)
    fns = {
        "requests": _getter(bare, url),
        "paxos_nb": lambda: session.get("/profiles"),
        "authlib": _getter(authlib, url),
        "requests (trust_env=False)": _getter(bare_no_env, url),
    }
    try:
        expected = fns["requests"]()
        for name, fn in fns.items():
            for _ in range(max(3, calls // 10)):  # warm up: connection, caches
                got = fn()
            if got != expected:
                raise RuntimeError(f"{name} got a different answer from the same endpoint")
        cpu: dict[str, list[float]] = {name: [] for name in fns}
        runs = interleave(
            {n: (lambda f=f, c=cpu[n]: time_batch(f, calls, c)) for n, f in fns.items()}, rounds
        )
    finally:
        session.close()
        bare.close()
        bare_no_env.close()
        authlib.close()
    med = {name: median(times) for name, times in runs.items()}
    med_cpu = {name: median(times) for name, times in cpu.items()}
    base = med["requests"]
    return {
        "endpoint": "GET /v2/profiles",
        "rounds": rounds,
        "calls_per_round": calls,
        "seconds_per_call": med,
        "ratio_to_requests": {name: value / base for name, value in med.items()},
        "client_cpu_seconds_per_call": med_cpu,
        "client_cpu_ratio_to_requests": {n: v / med_cpu["requests"] for n, v in med_cpu.items()},
        "rounds_seconds_per_call": runs,
        "target": 1.10,
        "met": med["paxos_nb"] / base <= 1.10,
    }


class SimClock:
    """A monotonic clock the benchmark moves by hand (no sleeping)."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _session_with_clock(emu: Any, clock: SimClock) -> px.PaxosSession:
    """A session whose token expiry reads ``clock`` (``PaxosSession(clock=...)``)."""
    return px.PaxosSession(emu.creds(), PROFILES_SCOPE, progress=False, clock=clock)


def token_reuse(emu: Any, *, calls: int, sim_calls: int, hours: float = 2.0) -> dict[str, Any]:
    """Benchmark 2: token requests for ``calls`` calls, and over ``hours`` simulated hours.

    Counted twice: by the session (``token_requests``) and by the server (granted tokens).
    The simulated run spreads ``sim_calls`` calls evenly over ``hours`` of a fake clock; the
    emulator issues 3599 s tokens (real time, so they stay valid on the server side).
    """
    before = emu.stats()["token_requests"]["granted"]
    with px.connect(emu.creds(), scopes=PROFILES_SCOPE, progress=False) as session:
        for _ in range(calls):
            session.get("/profiles")
        client_count = session.token_requests
    real_server = emu.stats()["token_requests"]["granted"] - before

    clock = SimClock()
    before = emu.stats()["token_requests"]["granted"]
    session = _session_with_clock(emu, clock)
    step = hours * 3600 / sim_calls
    lifetime = None
    with session:
        for i in range(sim_calls):
            clock.now = i * step
            session.get("/profiles")
            lifetime = lifetime or session.token.lifetime
        sim_count = session.token_requests
    sim_server = emu.stats()["token_requests"]["granted"] - before
    return {
        "calls": calls,
        "token_requests": client_count,
        "token_requests_server": real_server,
        "target_calls": 1,
        "simulated_hours": hours,
        "simulated_calls": sim_calls,
        "token_lifetime_s": lifetime,
        "simulated_token_requests": sim_count,
        "simulated_token_requests_server": sim_server,
        "target_simulated": 3,
        "met": client_count == real_server == 1 and sim_count == sim_server and sim_count <= 3,
    }


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.opened = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Starting new"):
            self.opened += 1


def connections(emu: Any, *, calls: int) -> dict[str, Any]:
    """Benchmark 3: TCP connections one session opens for connect + ``calls`` sequential GETs.

    Counted by the server (``/_emulator/stats`` connections, minus the stats request's own)
    and by urllib3 ("Starting new HTTP connection" at DEBUG).
    """
    log = logging.getLogger("urllib3.connectionpool")
    counter = _Counter()
    saved = (log.level, log.propagate)
    log.addHandler(counter)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    try:
        before = emu.stats()["connections"]
        with px.connect(emu.creds(), scopes=PROFILES_SCOPE, progress=False) as session:
            for _ in range(calls):
                session.get("/profiles")
        after = emu.stats()["connections"]
    finally:
        log.removeHandler(counter)
        log.setLevel(saved[0])
        log.propagate = saved[1]
    server = after - before - 1  # the second stats request opened one itself
    return {
        "calls": calls,
        "connections_server": server,
        "connections_urllib3": counter.opened,
        "target": 2,
        "met": max(server, counter.opened) <= 2,
    }
