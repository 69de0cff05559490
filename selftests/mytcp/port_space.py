#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# One port space with Linux TCP (issue 14, Documentation/security.rst):
# in a network namespace, a mytcp bind/listen/connect is refused what Linux
# TCP holds there and Linux TCP sees mytcp's ports as taken, both ways, for
# explicit and ephemeral ports, with Linux's SO_REUSEADDR/SO_REUSEPORT
# rules and never across users.  The "attacker" runs as user 65534 in a
# forked process (as_user); the victims belong to root.  Every case runs
# in its own network namespace (tcp_peer.run_cases) and checks at its end
# that the port reservations mytcp made in Linux's table are released
# (live_portres back to what it was).
#
# Environment: MYTCP_KO, MYTCP_CASES (tcp_peer.py).

import errno
import os
import pickle
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (_unshare_net, check, conns, mytcp_socket, run_cases,
                      stats, sysctl)

NOBODY = 65534
SO_REUSEPORT = getattr(socket, "SO_REUSEPORT", 15)
MYTCP_REUSEPORT = 201       # uapi/mytcp.h: the same switch at IPPROTO_TCP


def lo_up():
    """Loopback up, and TIME_WAIT (which keeps a port taken) short."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    sysctl("msl_ms", 500)


def as_user(uid, fn):
    """Run fn() as uid in a child process; its return value (or the
    exception's errno name) comes back through a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            res = fn()
        except OSError as e:
            res = errno.errorcode.get(e.errno, str(e.errno))
        except Exception as e:  # pylint: disable=broad-except
            res = "exception: %r" % e
        os.write(w, pickle.dumps(res))
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return pickle.loads(data)


def try_call(fn):
    """'OK' or the errno name of fn()'s OSError."""
    try:
        fn()
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def mysock(reuse=False, reuseport=False, blocking=True):
    s = mytcp_socket(blocking=blocking)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        # 6.1's socket core refuses SO_REUSEPORT for a non-inet family
        # (sockopt.c): MYTCP_REUSEPORT is the same switch on both kernels.
        s.setsockopt(socket.IPPROTO_TCP, MYTCP_REUSEPORT, 1)
    return s


def lxsock(reuse=False, reuseport=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, 1)
    return s


def mytcp_bind(addr, reuse=False, reuseport=False, listen=False):
    """As the caller's user: 'OK' or the errno of bind (+ listen)."""
    s = mysock(reuse, reuseport)
    try:
        s.bind(addr)
        if listen:
            s.listen(4)
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def linux_bind(addr, reuse=False, reuseport=False, listen=False):
    s = lxsock(reuse, reuseport)
    try:
        s.bind(addr)
        if listen:
            s.listen(4)
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def echo_check(a, b, what):
    """a and b are the two ends of one connection: data both ways."""
    a.settimeout(5)
    b.settimeout(5)
    a.sendall(b"ping-" + what.encode())
    got = b.recv(100)
    check(got == b"ping-" + what.encode(), "%s: b got %r" % (what, got))
    b.sendall(b"pong")
    got = a.recv(100)
    check(got == b"pong", "%s: a got %r" % (what, got))


def reservations_released(base, timeout=30):
    deadline = time.monotonic() + timeout
    while stats()["live_portres"] != base:
        check(time.monotonic() < deadline,
              "live_portres %d, was %d" % (stats()["live_portres"], base))
        time.sleep(0.1)


def case_linux_listener_vs_other_user(_peer):
    lo_up()
    base = stats()["live_portres"]
    srv = lxsock()
    srv.bind(("127.0.0.1", 8080))
    srv.listen(8)
    cli = socket.create_connection(("127.0.0.1", 8080), timeout=5)
    acc, _ = srv.accept()
    rsts = stats()["OutRsts"]
    attempts = [
        (("0.0.0.0", 8080), False, False),
        (("0.0.0.0", 8080), True, False),
        (("127.0.0.1", 8080), True, False),
        (("127.0.0.1", 8080), True, True),
        (("0.0.0.0", 8080), False, True),
    ]
    for addr, reuse, rport in attempts:
        for listen in (False, True):
            r = as_user(NOBODY, lambda a=addr, u=reuse, p=rport, li=listen:
                        mytcp_bind(a, u, p, li))
            check(r == "EADDRINUSE",
                  "user %d mytcp bind%s %s reuse=%d reuseport=%d: %s" %
                  (NOBODY, "+listen" if listen else "", addr, reuse, rport,
                   r))
    # Root too: the port is Linux's while its listener holds it.
    check(mytcp_bind(("0.0.0.0", 8080), True, True, True) == "EADDRINUSE",
          "root mytcp listen on a Linux listener's port")
    echo_check(cli, acc, "live Linux connection")
    cli2 = socket.create_connection(("127.0.0.1", 8080), timeout=5)
    srv.settimeout(5)
    acc2, _ = srv.accept()
    echo_check(cli2, acc2, "new Linux connection")
    check(stats()["OutRsts"] == rsts, "mytcp sent RSTs")
    for s in (cli, acc, cli2, acc2, srv):
        s.close()
    reservations_released(base)


def case_mytcp_listener_vs_linux(_peer):
    lo_up()
    base = stats()["live_portres"]
    r, w = os.pipe()
    q, z = os.pipe()
    pid = os.fork()
    if pid == 0:
        # user 65534 holds 0.0.0.0:8081 with a mytcp listener
        os.close(r)
        os.close(z)
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
        ls = mysock(reuse=True, reuseport=True)
        ls.bind(("0.0.0.0", 8081))
        ls.listen(8)
        os.write(w, b"L")
        ls.settimeout(20)
        try:
            c, _ = ls.accept()
            c.settimeout(5)
            c.sendall(c.recv(100).upper())
            os.read(q, 1)
            c.close()
        except OSError:
            pass
        os._exit(0)
    os.close(w)
    os.close(q)
    check(os.read(r, 1) == b"L", "listener did not start")
    try:
        for addr in (("0.0.0.0", 8081), ("127.0.0.1", 8081)):
            for reuse, rport in ((False, False), (True, False), (True, True)):
                for listen in (False, True):
                    res = linux_bind(addr, reuse, rport, listen)
                    check(res == "EADDRINUSE",
                          "Linux bind%s %s reuse=%d reuseport=%d: %s" %
                          ("+listen" if listen else "", addr, reuse, rport,
                           res))
        # A Linux TCP client reaches the mytcp listener that holds the port.
        cli = socket.create_connection(("127.0.0.1", 8081), timeout=5)
        cli.sendall(b"hello")
        check(cli.recv(100) == b"HELLO", "echo through mytcp")
        cli.close()
    finally:
        os.write(z, b"x")
        os.waitpid(pid, 0)
    deadline = time.monotonic() + 10
    while linux_bind(("0.0.0.0", 8081)) != "OK":
        check(time.monotonic() < deadline,
              "port still taken after the mytcp listener closed")
        time.sleep(0.1)
    reservations_released(base)


def case_reuseaddr_shared_port(_peer):
    lo_up()
    base = stats()["live_portres"]
    srv = lxsock(reuse=True)
    srv.bind(("127.0.0.1", 8082))
    srv.listen(8)
    cli = socket.create_connection(("127.0.0.1", 8082), timeout=5)
    acc, _ = srv.accept()
    srv.close()
    # Linux would let another SO_REUSEADDR socket listen here now: so
    # does mytcp, but the live Linux connection keeps its segments.
    rsts = stats()["OutRsts"]
    ls = mysock(reuse=True)
    ls.bind(("127.0.0.1", 8082))
    ls.listen(8)
    echo_check(cli, acc, "Linux connection beside a mytcp listener")
    echo_check(acc, cli, "Linux connection, other direction")
    check(stats()["OutRsts"] == rsts, "mytcp reset the Linux connection")
    # Without SO_REUSEADDR Linux refuses the port to either stack.
    check(mytcp_bind(("127.0.0.1", 8082)) == "EADDRINUSE",
          "mytcp bind without SO_REUSEADDR beside Linux connections")
    mc = mysock()
    mc.connect(("127.0.0.1", 8082))
    ls.settimeout(5)
    ma, _ = ls.accept()
    echo_check(mc, ma, "mytcp connection to the shared port")
    for s in (cli, acc, ls, mc, ma):
        s.close()
    reservations_released(base)


def case_ephemeral_linux_skips_mytcp(_peer):
    lo_up()
    base = stats()["live_portres"]
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("40000 40001")
    srv = lxsock()
    srv.bind(("127.0.0.1", 9000))
    srv.listen(8)
    held = []
    for port in (40000, 40001):
        s = mysock()
        s.bind(("0.0.0.0", port))
        held.append(s)
    c = lxsock()
    r = try_call(lambda: c.connect(("127.0.0.1", 9000)))
    c.close()
    check(r == "EADDRNOTAVAIL", "Linux connect with mytcp holding its "
          "whole ephemeral range: %s" % r)
    r = try_call(lambda: lxsock().bind(("127.0.0.1", 0)))
    check(r == "EADDRINUSE", "Linux bind(0): %s" % r)
    held.pop().close()
    c = lxsock()
    c.connect(("127.0.0.1", 9000))
    check(c.getsockname()[1] == 40001, "Linux got port %d" %
          c.getsockname()[1])
    c.close()
    for s in held + [srv]:
        s.close()
    reservations_released(base)


def case_ephemeral_mytcp_skips_linux(_peer):
    lo_up()
    base = stats()["live_portres"]
    sysctl("ephemeral_low", 40010)
    sysctl("ephemeral_high", 40011)
    ls = mysock()
    ls.bind(("127.0.0.1", 9001))
    ls.listen(8)
    held = []
    for port in (40010, 40011):
        s = lxsock()
        s.bind(("0.0.0.0", port))
        held.append(s)
    c = mysock()
    r = try_call(lambda: c.connect(("127.0.0.1", 9001)))
    c.close()
    check(r == "EADDRNOTAVAIL", "mytcp connect with Linux holding its "
          "whole ephemeral range: %s" % r)
    r = mytcp_bind(("127.0.0.1", 0))
    check(r == "EADDRINUSE", "mytcp bind(0): %s" % r)
    s = mysock()
    r = try_call(lambda: s.listen(1))   # listen() auto-binds
    s.close()
    check(r == "EADDRINUSE", "mytcp listen() auto-bind: %s" % r)
    held.pop().close()
    c = mysock()
    c.connect(("127.0.0.1", 9001))
    check(c.getsockname()[1] == 40011, "mytcp got port %d" %
          c.getsockname()[1])
    # ... and while mytcp's connection holds it, Linux cannot have it.
    check(linux_bind(("0.0.0.0", 40011), reuse=True) == "EADDRINUSE",
          "Linux bind of a mytcp connection's ephemeral port")
    ls.settimeout(5)
    a, _ = ls.accept()
    echo_check(c, a, "mytcp over an ephemeral port")
    for x in held + [c, a, ls]:
        x.close()
    reservations_released(base)


def case_reuseport_users(_peer):
    lo_up()
    base = stats()["live_portres"]
    srv = lxsock(reuseport=True)
    srv.bind(("0.0.0.0", 8083))
    srv.listen(8)
    r = as_user(NOBODY, lambda: mytcp_bind(("0.0.0.0", 8083), False, True,
                                           True))
    check(r == "EADDRINUSE", "SO_REUSEPORT across users: %s" % r)
    # Within one user Linux shares a SO_REUSEPORT port: so does mytcp.
    r = mytcp_bind(("0.0.0.0", 8083), False, True, True)
    check(r == "OK", "SO_REUSEPORT, same user: %s" % r)
    srv.close()
    reservations_released(base)


def case_reuseport_root_vs_user(_peer):
    lo_up()
    base = stats()["live_portres"]
    r, w = os.pipe()
    q, z = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.close(z)
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
        ls = mysock(reuseport=True)
        ls.bind(("0.0.0.0", 8085))
        ls.listen(4)
        os.write(w, linux_bind(("0.0.0.0", 8085), False, True,
                               True).encode() + b"\n")
        os.read(q, 1)
        ls.close()
        os._exit(0)
    os.close(w)
    os.close(q)
    same = os.read(r, 100).decode().strip()
    root = linux_bind(("0.0.0.0", 8085), False, True, True)
    os.write(z, b"x")
    os.waitpid(pid, 0)
    check(same == "OK", "user %d's own Linux SO_REUSEPORT listener beside "
          "its mytcp one: %s" % (NOBODY, same))
    check(root == "EADDRINUSE", "root's Linux SO_REUSEPORT listener beside "
          "user %d's mytcp one: %s" % (NOBODY, root))
    reservations_released(base)


def case_time_wait_holds_port(_peer):
    lo_up()
    base = stats()["live_portres"]
    ls = mysock()
    ls.bind(("127.0.0.1", 9002))
    ls.listen(4)
    c = mysock()
    c.bind(("127.0.0.1", 41000))
    c.connect(("127.0.0.1", 9002))
    ls.settimeout(5)
    a, _ = ls.accept()
    c.close()           # active close: TIME_WAIT on 41000
    a.recv(10)
    a.close()
    deadline = time.monotonic() + 5
    while not any(x["lport"] == 41000 and x["st"] == 6
                  for x in conns()):
        check(time.monotonic() < deadline, "no TIME_WAIT on port 41000")
        time.sleep(0.05)
    check(linux_bind(("127.0.0.1", 41000)) == "EADDRINUSE",
          "Linux bind over a mytcp TIME_WAIT")
    ls.close()
    deadline = time.monotonic() + 10
    while linux_bind(("127.0.0.1", 41000)) != "OK":
        check(time.monotonic() < deadline, "port not free after TIME_WAIT")
        time.sleep(0.1)
    reservations_released(base)


def server_time_wait(mytcp, port):
    """A connection to a SO_REUSEADDR listener on port whose server end
    closes first (TIME_WAIT on port), the listener then closed: a server
    about to restart."""
    ls = mysock(reuse=True) if mytcp else lxsock(reuse=True)
    ls.bind(("127.0.0.1", port))
    ls.listen(4)
    c = mysock() if mytcp else lxsock()
    c.connect(("127.0.0.1", port))
    ls.settimeout(5)
    a, _ = ls.accept()
    a.close()
    c.settimeout(5)
    check(c.recv(10) == b"", "no EOF at the client")
    c.close()
    time.sleep(0.2)
    ls.close()
    if mytcp:
        check(any(x["lport"] == port and x["st"] == 6 for x in conns()),
              "no mytcp TIME_WAIT on port %d" % port)


def case_reuseaddr_over_time_wait(_peer):
    """A server restarting with SO_REUSEADDR binds and listens over its
    port's TIME_WAIT entries, as Linux TCP over its own; without it the
    bind is refused.  Every pair of stacks, against Linux over Linux."""
    lo_up()
    sysctl("msl_ms", 30000)		# the TIME_WAITs outlive the binds
    got = {}
    port = 42000
    for tw_mytcp in (False, True):
        for bind_mytcp in (False, True):
            for reuse in (True, False):
                port += 1
                server_time_wait(tw_mytcp, port)
                bind = mytcp_bind if bind_mytcp else linux_bind
                got[tw_mytcp, bind_mytcp, reuse] = bind(
                    ("127.0.0.1", port), reuse=reuse, listen=True)
    name = {False: "Linux", True: "mytcp"}
    for (tw, b, reuse), res in sorted(got.items()):
        print("# TIME_WAIT of %s, %s bind%s: %s" %
              (name[tw], name[b], " SO_REUSEADDR" if reuse else "", res))
    check(got[False, False, True] == "OK" and
          got[False, False, False] == "EADDRINUSE",
          "Linux over Linux: %s" % got)
    for (tw, b, reuse), res in got.items():
        check(res == got[False, False, reuse],
              "%s bind%s over a %s TIME_WAIT: %s, Linux over Linux: %s" %
              (name[b], " SO_REUSEADDR" if reuse else "", name[tw], res,
               got[False, False, reuse]))
    sysctl("msl_ms", 500)


def case_per_namespace(_peer):
    lo_up()
    base = stats()["live_portres"]
    srv = lxsock()
    srv.bind(("0.0.0.0", 8086))
    srv.listen(4)
    check(mytcp_bind(("0.0.0.0", 8086)) == "EADDRINUSE", "same netns")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _unshare_net()
        os.write(w, mytcp_bind(("0.0.0.0", 8086), listen=True).encode())
        os._exit(0)
    os.close(w)
    res = os.read(r, 100).decode()
    os.waitpid(pid, 0)
    check(res == "OK", "another netns: %s" % res)
    srv.close()
    reservations_released(base)


run_cases([
    ("Linux listener and connection: another user's mytcp bind/listen "
     "refused, connections unharmed", case_linux_listener_vs_other_user),
    ("mytcp listener of another user: Linux bind/listen refused, Linux "
     "clients reach it", case_mytcp_listener_vs_linux),
    ("SO_REUSEADDR: mytcp listener beside Linux connections leaves their "
     "segments alone", case_reuseaddr_shared_port),
    ("ephemeral: Linux connect/bind(0) skip the ports mytcp holds",
     case_ephemeral_linux_skips_mytcp),
    ("ephemeral: mytcp connect/bind(0)/listen skip the ports Linux holds",
     case_ephemeral_mytcp_skips_linux),
    ("SO_REUSEPORT: shared within a user, never across users",
     case_reuseport_root_vs_user),
    ("SO_REUSEPORT: Linux listener of root, mytcp of another user refused",
     case_reuseport_users),
    ("TIME_WAIT keeps the port from Linux TCP until it ends",
     case_time_wait_holds_port),
    ("SO_REUSEADDR restart over TIME_WAIT, every pair of stacks (as "
     "Linux over Linux)", case_reuseaddr_over_time_wait),
    ("ports are per network namespace", case_per_namespace),
])
