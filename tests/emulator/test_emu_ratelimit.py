"""Rate limits: an average over a window per IP and path group, then a throttle (429)."""

from __future__ import annotations

import time

import pytest
import requests

from paxos_nb import catalog
from paxos_nb.emulator import Emulator, RateLimits
from paxos_nb.emulator.ratelimit import RateLimiter, group_of

PAXOS_429 = {
    "type": "about:blank",
    "title": "Too Many Requests",
    "status": 429,
    "detail": "Too many requests",
}


@pytest.fixture
def limited():
    # 0.2 req/s averaged over 10 s: the 3rd request inside the window is over the limit.
    limits = RateLimits(window=10, throttle=60, limits={"default": 0.2, "token": 0.2})
    with Emulator(rate_limits=limits) as emu:
        yield emu


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=10)


def test_over_the_average_gives_429_then_throttles(limited):
    url = f"{limited.api_url}/markets"
    assert get(url).status_code != 429
    assert get(url).status_code != 429
    r = get(url)
    assert r.status_code == 429
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json() == PAXOS_429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # Throttled: every request of the group keeps getting 429.
    r = get(url)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    stats = limited.stats()
    assert stats["rate_limited"]["default"] == 2
    assert stats["responses"]["429"] == 2


def test_groups_are_separate(limited):
    for _ in range(3):
        get(f"{limited.api_url}/markets")
    assert get(f"{limited.api_url}/markets").status_code == 429
    # Another path template is another bucket.
    assert get(f"{limited.api_url}/all-markets/ticker").status_code != 429


def test_token_endpoint_limit(limited):
    demo = limited.demo_client
    data = {
        "grant_type": "client_credentials",
        "client_id": demo.client_id,
        "client_secret": demo.client_secret,
    }
    codes = [requests.post(limited.token_url, data=data, timeout=10).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert limited.stats()["token_requests"]["errors"]["rate_limited"] == 1


def test_throttle_ends():
    limits = RateLimits(window=10, throttle=1, limits={"default": 0.1})
    with Emulator(rate_limits=limits) as emu:
        url = f"{emu.api_url}/markets"
        assert get(url).status_code != 429
        assert get(url).status_code == 429
        time.sleep(1.2)  # past the throttle
        assert get(url).status_code != 429


def test_rate_limits_off():
    with Emulator(rate_limits=False) as emu:
        assert emu.limiter is None
        codes = {get(f"{emu.api_url}/markets").status_code for _ in range(30)}
        assert 429 not in codes


def test_groups_follow_the_documented_table():
    by_path = {op.path: group_of(op)[0] for op in catalog.operations()}
    assert by_path["/markets/{market}/order-book"] == "order-book"
    assert by_path["/markets/{market}/recent-executions"] == "recent-executions"
    assert by_path["/profiles/{profile_id}/quote-executions"] == "quote-executions"
    assert by_path["/identity/identities"] == "identity"
    assert by_path["/transfer/internal"] == "transfer-internal"
    assert by_path["/transfer/crypto-withdrawals"] == "crypto-withdrawals"
    assert by_path["/profiles"] == "default"
    defaults = RateLimits().limits
    assert defaults["token"] == 1
    assert defaults["order-book"] == defaults["identity"] == 10
    assert defaults["transfer-internal"] == 20
    assert defaults["default"] == 50


def test_limits_are_per_ip():
    limiter = RateLimiter(RateLimits(window=10, throttle=60, limits={"default": 0.1}))
    limiter.check("10.0.0.1", "default", "/profiles")
    with pytest.raises(Exception, match="Too many requests"):
        limiter.check("10.0.0.1", "default", "/profiles")
    limiter.check("10.0.0.2", "default", "/profiles")  # another IP, its own bucket


def test_bad_config_is_explained():
    with pytest.raises(ValueError, match="unknown rate-limit group"):
        RateLimits(limits={"orders": 5})
    with pytest.raises(TypeError, match="rate_limits"):
        Emulator(rate_limits="yes")  # type: ignore[arg-type]
