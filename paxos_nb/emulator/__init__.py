"""The local Paxos emulator: an offline Paxos v2 sandbox on 127.0.0.1.

>>> with Emulator(seed=0) as emu:                       # doctest: +SKIP
...     emu.api_url, emu.token_url                       # ".../v2", ".../oauth2/token"
...     client = emu.add_client(scopes=["funding:read_profile"])

A real HTTP server (Starlette on uvicorn, in a background thread, keep-alive) serving the
client-credentials token endpoint, every operation of the v2 catalog behind Paxos's auth
chain (token, IP allowlist, request signing, scope), the documented rate limits, seeded
fault injection and ``GET /_emulator/stats``. It imports nothing from paxos_nb but the
operations catalog.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from . import routes
from .app import EmulatorApp
from .backends.outcomes import Outcomes
from .call import Backends
from .clock import Clock
from .config import EmulatorConfig, RateLimits
from .dispatch import Dispatcher, Services
from .faults import FaultInjector
from .ledger import Ledger
from .oauth import TokenEndpoint
from .ratelimit import RateLimiter
from .registry import ALL_SCOPES, ApiClient, Registry, build_client
from .server import ServerThread
from .stats import Stats
from .tokens import TokenStore
from .uploads import UploadsApp
from .wsserver import FeedServer

__all__ = ["DEMO_CLIENT_ID", "ApiClient", "Clock", "Emulator", "EmulatorConfig", "RateLimits"]

logger = logging.getLogger(__name__)

DEMO_CLIENT_ID = "paxos-nb-demo"


class Emulator:
    """A local Paxos v2 server; a context manager (``with Emulator() as emu:``).

    Parameters
    ----------
    seed : int
        Seed of the generated data (profiles, balances, transfers, prices).
    host : str
        Address to bind; loopback by default.
    port : int
        Port; 0 picks a free one.
    token_lifetime : int
        Seconds a token lives; a fresh token reports it as ``expires_in`` (Paxos: 3599).
        Settable later through :attr:`token_lifetime`.
    rate_limits : bool or RateLimits
        True for the documented limits, False for none, or a :class:`RateLimits` (tests use
        a short window and throttle).
    demo_client : bool
        Register ``paxos-nb-demo`` with every scope and a random secret.
    ledger_options : dict, optional
        Extra keyword arguments for the ledger (the emulated Paxos state).
    fault_proxy : bool
        Serve through a loopback proxy that can reset connections, for the fault kinds
        ``reset`` and ``reset_after_write`` (off by default: normal serving pays nothing).
    clock : Clock, optional
        The emulated world's clock (:attr:`clock`); default: wall-clock time, moved forward
        by :meth:`advance`. ``Clock(at=instant)`` starts frozen at ``instant``.
    ws_port : int
        Port of the WebSocket market-data feeds (:attr:`ws_url`, started on first use);
        0 picks a free one.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token_lifetime: int = 3599,
        rate_limits: bool | RateLimits = True,
        demo_client: bool = True,
        ledger_options: dict[str, Any] | None = None,
        fault_proxy: bool = False,
        clock: Clock | None = None,
        ws_port: int = 0,
    ) -> None:
        if rate_limits is True:
            limits: RateLimits | None = RateLimits()
        elif rate_limits is False or rate_limits is None:
            limits = None
        elif isinstance(rate_limits, RateLimits):
            limits = rate_limits
        else:
            raise TypeError("rate_limits must be True, False or a RateLimits(...)")
        self.config = EmulatorConfig(
            seed=seed, host=host, port=port, token_lifetime=token_lifetime, rate_limits=limits
        )
        self.registry = Registry()
        self.tokens = TokenStore()
        self.counters = Stats()
        self.faults = FaultInjector(resets=fault_proxy)
        self.fault_proxy = fault_proxy
        self.limiter = RateLimiter(limits) if limits is not None else None
        self.ledger = Ledger(seed=seed, **(ledger_options or {}))
        self.clock = clock or Clock()
        self.clock.subscribe(self.ledger.advance)
        self.demo_client: ApiClient | None = None
        if demo_client:
            self.demo_client = self.add_client(
                client_id=DEMO_CLIENT_ID,
                client_secret=secrets.token_urlsafe(32),
                nickname="paxos-nb demo (every scope)",
            )
        self.oauth = TokenEndpoint(self.registry, self.tokens, self.config, self.counters)
        self.ws_port = ws_port
        self.feeds: FeedServer | None = None
        self._server: ServerThread | None = None
        self._dispatcher: Dispatcher | None = None
        self._lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> Emulator:
        """Bind the port and serve in a background thread; returns self."""
        with self._lock:
            if self._server is not None:
                return self
            services = Services(
                config=self.config,
                backends=Backends(ledger=self.ledger, registry=self.registry, tokens=self.tokens),
                oauth=self.oauth,
                faults=self.faults,
                limiter=self.limiter,
                counters=self.counters,
                clock=lambda: self.now(),  # looked up per request: tests replace now()
                describe=self.describe,
            )
            server = ServerThread(
                self.counters.connection,
                host=self.config.host,
                port=self.config.port,
                fault_proxy=self.fault_proxy,
            )
            dispatcher = Dispatcher(
                services, routes.load(), name=f"paxos-nb-emulator:{server.port}"
            )
            # Identity documents' pre-signed upload URLs point at this server.
            host = f"[{server.host}]" if ":" in server.host else server.host
            self.ledger.documents.base_url = f"http://{host}:{server.port}"
            files = self.ledger.files  # pre-signed download links (tax forms), no token
            served = EmulatorApp(dispatcher, lambda p, q: files.serve(p, q, self.now()))
            app = UploadsApp(served, self.ledger, self.now)
            try:
                server.start(app)
            except BaseException:
                dispatcher.close()
                raise
            self._server, self._dispatcher = server, dispatcher
            self.ledger.files.base_url = self.url  # pre-signed links are absolute
        logger.info("Paxos emulator listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving: close open connections and the socket, join the thread."""
        with self._lock:
            server, self._server = self._server, None
            dispatcher, self._dispatcher = self._dispatcher, None
            feeds, self.feeds = self.feeds, None
        if feeds is not None:
            feeds.stop()
        if server is not None:
            server.stop()
            logger.info("Paxos emulator on port %s stopped", server.port)
        if dispatcher is not None:
            dispatcher.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- addresses ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        server = self._server
        if server is None:
            raise RuntimeError("the emulator is not running; call start() or use `with`")
        host = f"[{server.host}]" if ":" in server.host else server.host
        return f"http://{host}:{server.port}"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def api_url(self) -> str:
        """Base URL of the REST API (``.../v2``)."""
        return self.url + "/v2"

    @property
    def token_url(self) -> str:
        """The OAuth2 token endpoint (``.../oauth2/token``)."""
        return self.url + "/oauth2/token"

    @property
    def ws_url(self) -> str:
        """``ws://host:port`` of the WebSocket feeds: ``/marketdata[/{market}]``,
        ``/executiondata[/{market}]``, ``/marketdata/stablecoin[/{market}]``.

        The feeds' server (its own port and thread) starts on the first use of this
        property, so an emulator nobody streams from runs no extra thread; :meth:`stop`
        stops it with the rest.
        """
        with self._lock:
            if self._server is None:
                raise RuntimeError("the emulator is not running; call start() or use `with`")
            if self.feeds is None:
                limits = self.config.rate_limits
                feeds = FeedServer(
                    self.ledger,
                    lambda: self.now(),
                    lambda: self.clock.frozen,
                    host=self.config.host,
                    port=self.ws_port,
                    subscriptions_per_second=limits.subscriptions if limits else None,
                )
                feeds.start()
                self.feeds = feeds
                logger.info("Paxos emulator feeds listening on %s", feeds.url)
            return self.feeds.url

    @property
    def stats_url(self) -> str:
        return self.url + "/_emulator/stats"

    # -- credentials --------------------------------------------------------------------
    def add_client(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: Iterable[str] | str | None = None,
        ip_allowlist: Iterable[str] | None = None,
        public_keys: Iterable[Any] = (),
        enforce_request_signing: bool = False,
        nickname: str | None = None,
        **fields: Any,
    ) -> ApiClient:
        """Register API credentials, as the Dashboard does.

        Parameters
        ----------
        client_id, client_secret : str, optional
            Generated (a UUID and a random secret) when omitted.
        scopes : iterable of str or str, optional
            Scopes this client may request; None means all 60.
        ip_allowlist : iterable of str, optional
            CIDR blocks (``"127.0.0.1/32"``); empty allows every IP.
        public_keys : iterable of str
            PEM public keys (ES256 on P-256 or EdDSA on Ed25519), or ``ClientPublicKey``
            dicts. Each gets an id, the JWS ``kid``: see ``ApiClient.key_ids``.
        enforce_request_signing : bool
            Reject unsigned requests to authenticated endpoints.
        nickname : str, optional
            Shown in the credentials list.
        **fields
            Other ``FirstPartyClient`` fields: ``status``, ``id``, ``customer_id``,
            ``created_by``; and ``first_party=True`` for a first-party (1P) integration,
            which Paxos answers 403 when it sends ``identity_id`` (3P by default).

        Returns
        -------
        ApiClient
            The registered client; its repr masks the secret.

        Raises
        ------
        ValueError
            A field is invalid (the message names it), or the client_id exists.
        """
        client = build_client(
            client_id,
            client_secret,
            scopes,
            ip_allowlist,
            public_keys,
            enforce_request_signing,
            nickname,
            now=self.now(),
            **fields,
        )
        return self.registry.add(client)

    def clients(self) -> list[ApiClient]:
        """Every registered client (deleted ones have status DISABLED)."""
        return self.registry.clients()

    def revoke_tokens(self, client_id: str | None = None) -> int:
        """Revoke the tokens of one client (or all); returns how many were revoked."""
        return self.tokens.revoke(client_id=client_id)

    # -- settings and counters ----------------------------------------------------------
    @property
    def token_lifetime(self) -> int:
        """Seconds a newly issued token lives; may be changed while running."""
        return self.config.token_lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: int) -> None:
        if int(seconds) < 1:
            raise ValueError("token_lifetime must be at least 1 second")
        self.config.token_lifetime = int(seconds)

    # -- the clock ----------------------------------------------------------------------
    def now(self) -> datetime:
        """The emulated world's now (:attr:`clock`): timezone-aware UTC."""
        return self.clock.now()

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the emulator's clock ``seconds`` forward and complete what became due.

        A withdrawal created now is COMPLETED after ``emu.advance(1)`` (the default delay;
        see ``ledger.upcoming()`` for what is due when), with no sleeping. Returns the new
        now. The clock never goes back.
        """
        return self.clock.advance(seconds)

    @property
    def outcomes(self) -> Outcomes:
        """Force the outcome of the next calls of an operation (a failed withdrawal, a
        rejected fiat account, a crypto deposit held for travel-rule information)::

            emu.outcomes.next("CreateFiatWithdrawal", "FAILED")

        See ``paxos_nb.emulator.backends.outcomes.CHOICES`` for what can be forced.
        """
        return self.ledger.outcomes

    def stats(self) -> dict[str, Any]:
        """Counters: token requests, API requests per operation, statuses, connections,
        faults injected (the same JSON as ``GET /_emulator/stats``)."""
        return self.counters.snapshot()

    def describe(self) -> dict[str, Any]:
        """What ``GET /`` answers: where things are (never a secret)."""
        return {
            "service": "paxos-nb local Paxos emulator",
            "seed": self.config.seed,
            "api_url": self.api_url,
            "token_url": self.token_url,
            "stats_url": self.stats_url,
            "demo_client_id": self.demo_client.client_id if self.demo_client else None,
            "clients": len(self.registry),
            "scopes": len(ALL_SCOPES),
        }

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"Emulator(seed={self.config.seed}, {where}, clients={len(self.registry)})"
