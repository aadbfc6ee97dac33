"""The Dashboard's "Allowable IP Addresses": CIDR blocks, normalized and checked.

>>> cidr("203.0.113.7")
'203.0.113.7/32'
>>> validate("203.0.113.7, 198.51.100.0/24 2001:db8::1")
['203.0.113.7/32', '198.51.100.0/24', '2001:db8::1/128']
>>> contains(["198.51.100.0/24"], "198.51.100.42")
True
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from .errors import ConfigError

__all__ = ["cidr", "contains", "validate"]

_EXAMPLE = "e.g. '203.0.113.7' (one address, /32) or '198.51.100.0/24' (a network)"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(value: object) -> Network:
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return ipaddress.ip_network(value)
    if not isinstance(value, str):
        raise ConfigError(
            f"an allowlist entry must be a string, not {type(value).__name__}", hint=_EXAMPLE
        )
    text = value.strip()
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            fixed = ipaddress.ip_network(text, strict=False)
            raise ConfigError(
                f"{text!r} is not a network address: the bits after /{fixed.prefixlen} must be 0",
                hint=f"use {str(fixed)!r} for the whole network, or "
                f"'{text.split('/')[0]}/{fixed.max_prefixlen}' for that one address",
            ) from None
        raise ConfigError(
            f"{text!r} is not an IP address or CIDR block", hint=_hint(text)
        ) from None


def _hint(text: str) -> str:
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}:\d+", text):
        return f"drop the port: {text.rsplit(':', 1)[0]!r}; {_EXAMPLE}"
    if "-" in text and re.fullmatch(r"[\d.:a-fA-F]+\s*-\s*[\d.:a-fA-F]+", text):
        return f"ranges are not accepted; cover them with CIDR blocks, {_EXAMPLE}"
    if re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}", text):
        return f"host names are not accepted; use the address Paxos sees you from, {_EXAMPLE}"
    dotted = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)\.(\d+)(/\d+)?", text)
    if dotted and any(int(n) > 255 for n in dotted.groups()[:4]):
        return f"each of the four numbers must be 0-255; {_EXAMPLE}"
    if dotted and dotted.group(5) and int(dotted.group(5)[1:]) > 32:
        return f"an IPv4 prefix length is /0 to /32; {_EXAMPLE}"
    if dotted and any(len(n) > 1 and n.startswith("0") for n in dotted.groups()[:4]):
        return f"write each number without leading zeros; {_EXAMPLE}"
    return _EXAMPLE


def cidr(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address | Network) -> str:
    """Normalize an address or network to the CIDR form the Dashboard takes.

    Parameters
    ----------
    address : str or ipaddress object
        ``"203.0.113.7"`` (becomes ``/32``), ``"2001:db8::1"`` (``/128``) or a CIDR block.

    Returns
    -------
    str
        The canonical CIDR text, e.g. ``"203.0.113.7/32"`` or ``"2001:db8::/32"``.

    Raises
    ------
    ConfigError
        Not an address or network (the message names the value and shows an example), or a
        network with host bits set such as ``10.0.0.1/8`` (the hint offers ``10.0.0.0/8``).
    """
    return _network(address).with_prefixlen


def _entries(entries: str | Iterable[object]) -> list[object]:
    if isinstance(entries, str):
        return [e for e in re.split(r"[\s,;]+", entries) if e]
    return [e for e in entries if not (isinstance(e, str) and not e.strip())]


def validate(entries: str | Iterable[object]) -> list[str]:
    """Check a whole allowlist; return it normalized, without duplicates, in order.

    Parameters
    ----------
    entries : str or iterable
        A list, or one string separated by commas, spaces or new lines.

    Raises
    ------
    ConfigError
        One message listing every bad entry with its fix.
    """
    out: dict[str, None] = {}
    problems: list[str] = []
    for entry in _entries(entries):
        try:
            out[cidr(entry)] = None  # type: ignore[arg-type]
        except ConfigError as exc:
            problems.append(f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
    if problems:
        raise ConfigError(
            f"{len(problems)} bad allowlist entr{'y' if len(problems) == 1 else 'ies'}: "
            + "; ".join(problems),
            hint="fix or remove them; every entry is an address or a CIDR block",
        )
    return list(out)


def contains(entries: str | Iterable[object], address: str) -> bool:
    """Whether ``address`` falls inside any block of the allowlist ``entries``.

    IPv4-mapped IPv6 addresses (``::ffff:203.0.113.7``) are checked as IPv4.
    """
    networks = [ipaddress.ip_network(e) for e in validate(entries)]
    try:
        ip = ipaddress.ip_address(str(address).strip())
    except ValueError:
        raise ConfigError(
            f"{address!r} is not an IP address", hint="e.g. '203.0.113.7' or '2001:db8::1'"
        ) from None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)
