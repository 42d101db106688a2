"""How long a login attempt must wait: pure rules over counts of failed passwords.

Failures are counted in three scopes over LOGIN_FAILURE_WINDOW (journal/auth.py reads them
from the database, so every server process sees the same counts):

- **pair**: one username from one address. This is the guesser, and it slows first.
- **address**: one address, any username: someone trying many usernames (spraying).
- **username**: one username from every address: a guesser with many addresses.

Each scope has a number of free failures; after that every further attempt in that scope
must wait a delay that doubles with each failure (2 s, 4 s, 8 s … up to DELAY_CAP), counted
from the scope's last failure. There is no lock: the owner of a username, at another
address, meets only the username scope, whose free allowance is more than one address can
use up inside the window (the address and pair delays hold it back first), so one address
cannot keep anybody else out (tests/test_throttle.py, and tests/test_throttle_server.py
behind a proxy with two server processes).
"""
import ipaddress
from dataclasses import dataclass

#: Failures within the window before each scope starts to delay.
FREE = {"pair": 5, "address": 20, "username": 50}
#: The longest delay between two attempts, in seconds.
DELAY_CAP = 15 * 60


@dataclass(frozen=True)
class Failures:
    """The failures of one scope within the window: how many, and when the last one was
    (seconds since the epoch)."""

    count: int
    last: float | None


def delay_after(failures, free):
    """Seconds the next attempt waits after *failures* failures with *free* of them free."""
    if failures < free:
        return 0
    return min(DELAY_CAP, 2 ** (failures - free + 1))


def wait_seconds(now, scopes):
    """Seconds until the next attempt may be tried, given {scope: Failures}; 0 = now."""
    wait = 0.0
    for scope, failures in scopes.items():
        delay = delay_after(failures.count, FREE[scope])
        if delay and failures.last is not None:
            wait = max(wait, failures.last + delay - now)
    return max(0.0, wait)


def address_key(address):
    """The address as it is counted: an IPv4 address as it is, an IPv6 address by its /64
    network (one household or phone gets a whole /64, and could otherwise rotate through it)."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
