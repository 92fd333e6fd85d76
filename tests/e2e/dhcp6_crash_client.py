#!/usr/bin/python3
"""DHCPv6 clients for crash_loop6_test.sh: N clients (DUID-EN n), each with an IA_NA, an IA_PD
and a Client FQDN c<n>.lan., served round-robin from one UDP socket on IFACE's link-local
address until STOP_FILE appears or DURATION seconds pass. An unbound client runs Solicit /
Advertise / Request / Reply, a bound one Renew / Reply. Every Reply that grants (an address
and a prefix with valid lifetimes above 0) is appended to ACKED_FILE as
"<duid hex> <address> <prefix/len> <name>" and flushed: the appliance sends such a Reply only
once the lease is durable, so the last line per DUID is a lease that must survive any crash.
scapy builds the messages; replies are read as plain TLVs.

Usage: dhcp6_crash_client.py IFACE CLIENTS DURATION ACKED_FILE STOP_FILE
"""
import os
import socket
import struct
import sys
import time

from scapy.layers.dhcp6 import (DUID_EN, DHCP6_Renew, DHCP6_Request, DHCP6_Solicit,
                                DHCP6OptClientFQDN, DHCP6OptClientId, DHCP6OptElapsedTime,
                                DHCP6OptIA_NA, DHCP6OptIA_PD, DHCP6OptIAAddress,
                                DHCP6OptIAPrefix, DHCP6OptUnknown)

iface, nclients, duration, acked_path, stop_path = sys.argv[1], int(sys.argv[2]), \
    float(sys.argv[3]), sys.argv[4], sys.argv[5]
ifindex = socket.if_nametoindex(iface)
sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
sock.bind(("::", 546, 0, ifindex))
DST = ("ff02::1:2", 547, 0, ifindex)
ADVERTISE, REPLY = 2, 7


def options(data):
    out, i = [], 0
    while i + 4 <= len(data):
        code, n = struct.unpack_from("!HH", data, i)
        out.append((code, data[i + 4:i + 4 + n]))
        i += 4 + n
    return out


def leases_in(opts):
    """(address, prefix/len, server id) granted with valid lifetimes above 0, if any."""
    addr = pfx = sid = None
    for c, v in opts:
        if c == 2:
            sid = v
        elif c in (3, 25):
            for sc, sv in options(v[12:]):
                if sc == 5 and len(sv) >= 24 and struct.unpack_from("!I", sv, 20)[0] > 0:
                    addr = socket.inet_ntop(socket.AF_INET6, sv[:16])
                elif sc == 26 and len(sv) >= 25 and struct.unpack_from("!I", sv, 4)[0] > 0:
                    pfx = f"{socket.inet_ntop(socket.AF_INET6, sv[9:25])}/{sv[8]}"
    return addr, pfx, sid


trid = [0]


def exchange(msg, want):
    """Sends msg and waits (0.25 s) for the message of type `want` with its transaction id."""
    raw = bytes(msg)
    sock.sendto(raw, DST)
    end = time.monotonic() + 0.25
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data = sock.recv(4096)
        except (socket.timeout, BlockingIOError):
            return None
        if len(data) >= 4 and data[0] == want and data[1:4] == raw[1:4]:
            return options(data[4:])


def message(cls, n, state, sid=None):
    trid[0] = (trid[0] + 1) & 0xFFFFFF
    m = cls(trid=trid[0]) / DHCP6OptClientId(duid=DUID_EN(enterprisenum=32473, id=struct.pack("!I", n)))
    if sid is not None:
        m = m / DHCP6OptUnknown(optcode=2, data=sid)
    na = [DHCP6OptIAAddress(addr=state["addr"], preflft=0, validlft=0)] if state.get("addr") else []
    pd = [DHCP6OptIAPrefix(prefix=state["pfx"].split("/")[0], plen=int(state["pfx"].split("/")[1]),
                           preflft=0, validlft=0)] if state.get("pfx") else \
        [DHCP6OptIAPrefix(prefix="::", plen=56, preflft=0, validlft=0)]
    return (m / DHCP6OptElapsedTime() / DHCP6OptIA_NA(iaid=1, T1=0, T2=0, ianaopts=na) /
            DHCP6OptIA_PD(iaid=2, T1=0, T2=0, iapdopt=pd) /
            DHCP6OptClientFQDN(flags=1, fqdn=f"c{n}.lan."))


def duid_hex(n):
    return bytes(DUID_EN(enterprisenum=32473, id=struct.pack("!I", n))).hex()


states = [dict() for _ in range(nclients)]
replies = 0
deadline = time.monotonic() + duration
with open(acked_path, "a") as acked:
    n = 0
    while time.monotonic() < deadline and not os.path.exists(stop_path):
        st = states[n]
        got = None
        if st.get("sid") is None:
            adv = exchange(message(DHCP6_Solicit, n, st), ADVERTISE)
            if adv is not None:
                a, p, sid = leases_in(adv)
                if a and p and sid:
                    got = exchange(message(DHCP6_Request, n, {"addr": a, "pfx": p}, sid), REPLY)
                    st_sid = sid
        else:
            st_sid = st["sid"]
            got = exchange(message(DHCP6_Renew, n, st, st_sid), REPLY)
        if got is not None:
            a, p, _ = leases_in(got)
            if a and p:
                st.update(addr=a, pfx=p, sid=st_sid)
                acked.write(f"{duid_hex(n)} {a} {p} c{n}\n")
                acked.flush()
                replies += 1
        n = (n + 1) % nclients
print(f"{replies} granting Replies to {sum(1 for s in states if s.get('sid'))} of {nclients} clients")
