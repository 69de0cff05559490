# SPDX-License-Identifier: GPL-2.0
"""Python helpers for mytcp tests: sockets of the AF_MYTCP family.

Python's socket module does not know the family number, so bind(),
connect() and accept() on a plain socket.socket(19, ...) fail with "bad
family".  mytcp takes struct sockaddr_in addresses, so the socket is
wrapped as an AF_INET socket object around the same file descriptor:
address tuples are then built as sockaddr_in and every call still goes to
mytcp.

    import mytcp_sock
    s = mytcp_sock.socket()          # SOCK_STREAM, family from the module
    s.connect(("10.0.1.2", 5000))
"""
import socket as _socket

AF_MYTCP = 19
FAMILY_PARAM = "/sys/module/mytcp/parameters/family"


def family():
    """The family the loaded module registered (AF_MYTCP if unreadable)."""
    try:
        with open(FAMILY_PARAM) as f:
            return int(f.read())
    except OSError:
        return AF_MYTCP


def socket(type=_socket.SOCK_STREAM, proto=0, fam=None):
    """A mytcp socket usable with (host, port) tuples."""
    raw = _socket.socket(family() if fam is None else fam, type, proto)
    return _socket.socket(_socket.AF_INET, type, proto, fileno=raw.detach())


def stat(key=None):
    """/proc/net/mytcp_stat of this netns as a dict, or one value."""
    with open("/proc/net/mytcp_stat") as f:
        d = {k: int(v) for k, v in (line.split() for line in f if line.strip())}
    return d if key is None else d[key]
