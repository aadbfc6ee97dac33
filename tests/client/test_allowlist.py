"""Allowable IP addresses: CIDR normalization and allowlist checks."""

from __future__ import annotations

import ipaddress

import pytest

from paxos_nb.allowlist import cidr, contains, validate
from paxos_nb.errors import ConfigError


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("203.0.113.7", "203.0.113.7/32"),
        ("  203.0.113.7\n", "203.0.113.7/32"),
        ("203.0.113.7/32", "203.0.113.7/32"),
        ("198.51.100.0/24", "198.51.100.0/24"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("2001:db8::1", "2001:db8::1/128"),
        ("2001:DB8:0:0::/32", "2001:db8::/32"),
        (ipaddress.ip_address("192.0.2.1"), "192.0.2.1/32"),
        (ipaddress.ip_network("192.0.2.0/28"), "192.0.2.0/28"),
    ],
)
def test_cidr_normalizes(given, expected):
    assert cidr(given) == expected


def test_host_bits_set_suggests_the_network_and_the_host():
    with pytest.raises(ConfigError) as info:
        cidr("10.0.0.1/8")
    message = str(info.value)
    assert "'10.0.0.1/8'" in message
    assert "'10.0.0.0/8'" in message
    assert "'10.0.0.1/32'" in message
    with pytest.raises(ConfigError, match="2001:db8::/64"):
        cidr("2001:db8::1/64")


@pytest.mark.parametrize(
    ("value", "advice"),
    [
        ("garbage", "e.g. '203.0.113.7'"),
        ("", "e.g. '203.0.113.7'"),
        ("203.0.113.7:443", "drop the port: '203.0.113.7'"),
        ("api.example.com", "host names are not accepted"),
        ("10.0.0.1-10.0.0.9", "ranges are not accepted"),
        ("300.1.1.1", "0-255"),
        ("010.0.0.1", "leading zeros"),
        ("1.2.3.4/33", "/0 to /32"),
    ],
)
def test_garbage_names_the_value_and_shows_an_example(value, advice):
    with pytest.raises(ConfigError) as info:
        cidr(value)
    assert repr(value) in str(info.value)
    assert advice in str(info.value)
    assert isinstance(info.value, ValueError)


def test_non_strings_are_refused():
    with pytest.raises(ConfigError, match="int"):
        cidr(42)  # type: ignore[arg-type]


def test_validate_lists_and_separated_strings_without_duplicates():
    text = "203.0.113.7, 198.51.100.0/24\n2001:db8::1;203.0.113.7/32  203.0.113.7"
    assert validate(text) == ["203.0.113.7/32", "198.51.100.0/24", "2001:db8::1/128"]
    assert validate(["203.0.113.7", " ", "203.0.113.8"]) == ["203.0.113.7/32", "203.0.113.8/32"]
    assert validate("") == []


def test_validate_reports_every_bad_entry():
    with pytest.raises(ConfigError) as info:
        validate(["203.0.113.7", "nonsense", "10.0.0.1/8"])
    message = str(info.value)
    assert message.startswith("2 bad allowlist entries")
    assert "'nonsense'" in message
    assert "'10.0.0.0/8'" in message
    with pytest.raises(ConfigError, match="1 bad allowlist entry"):
        validate("1.2.3.4 x")


def test_contains():
    allow = ["198.51.100.0/24", "203.0.113.7", "2001:db8::/32"]
    assert contains(allow, "198.51.100.42")
    assert contains(allow, "203.0.113.7")
    assert not contains(allow, "203.0.113.8")
    assert contains(allow, "2001:db8::abcd")
    assert contains(allow, "::ffff:198.51.100.1")  # IPv4-mapped IPv6 counts as IPv4
    assert not contains("2001:db8::/32", "10.0.0.1")
    assert not contains([], "10.0.0.1")
    with pytest.raises(ConfigError, match="not an IP address"):
        contains(allow, "localhost")
    with pytest.raises(ConfigError):
        contains(["bad"], "10.0.0.1")
