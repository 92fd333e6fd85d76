#!/usr/bin/python3
"""DHCPv6 messages real clients rarely send, built with scapy and sent from the kernel end of
the appliance's tap (edge0) through ordinary UDP sockets; run by dhcp6_scapy_test.sh inside
its namespace. Replies are read with a small TLV reader of its own (not scapy's dissector),
so that what is checked is the bytes on the wire: which options, in which order, at which
level.

Prints one line per check, "ok: ..." or "FAIL: ...", for the shell to count; the exit status
is 0 when the scenarios ran to their end (a failed check does not stop them).

Usage: dhcp6_scapy.py API_PORT
"""
import json
import socket
import struct
import sys
import threading
import time
import urllib.request

from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.dhcp6 import (DUID_EN, DHCP6OptClientFQDN, DHCP6_Confirm, DHCP6_Decline, DHCP6_RelayForward,
                                DHCP6_Renew, DHCP6_Request, DHCP6_Solicit, DHCP6_Advertise,
                                DHCP6OptClientId, DHCP6OptClientLinkLayerAddr,
                                DHCP6OptElapsedTime, DHCP6OptIA_NA, DHCP6OptIA_PD,
                                DHCP6OptIAAddress, DHCP6OptIAPrefix, DHCP6OptIfaceId,
                                DHCP6OptRelayMsg, DHCP6OptRemoteID,
                                DHCP6OptSubscriberID, DHCP6OptUnknown)

API = f"http://127.0.0.1:{sys.argv[1]}"
IFACE = "edge0"
IFINDEX = socket.if_nametoindex(IFACE)
SERVER = "2001:db8::1"     # the appliance's address on edge0
RELAY = "2001:db8::2"      # the kernel end's global address: where relayed replies go
ALL_SERVERS = "ff02::1:2"  # All_DHCP_Relay_Agents_and_Servers

# Message types, options and status codes (RFC 9915 §7.3, §21, §21.13).
ADVERTISE, REPLY, RELAY_REPL = 2, 7, 13
O_CLIENTID, O_SERVERID, O_IA_NA, O_IAADDR, O_STATUS = 1, 2, 3, 5, 13
O_RELAY_MSG, O_IFACE_ID, O_IA_PD, O_IAPREFIX = 9, 18, 25, 26
SUCCESS, NO_ADDRS, NO_BINDING, NOT_ON_LINK, NO_PREFIX = 0, 2, 3, 4, 6

failures = 0


def check(what, cond, detail=""):
    global failures
    if cond:
        print(f"ok: {what}", flush=True)
    else:
        failures += 1
        print(f"FAIL: {what}" + (f" ({detail})" if detail else ""), flush=True)


# ---- reading replies ---------------------------------------------------------------------------
def options(data):
    """[(code, value bytes)] of a TLV run; raises ValueError when it does not parse exactly."""
    out, i = [], 0
    while i < len(data):
        if i + 4 > len(data):
            raise ValueError("option header past the end")
        code, n = struct.unpack_from("!HH", data, i)
        if i + 4 + n > len(data):
            raise ValueError(f"option {code} past the end")
        out.append((code, data[i + 4:i + 4 + n]))
        i += 4 + n
    return out


def first(opts, code):
    return next((v for c, v in opts if c == code), None)


def status_of(opts):
    v = first(opts, O_STATUS)
    return None if v is None else struct.unpack_from("!H", v)[0]


class Msg:
    """A client message (type, transaction id, options) or a relay level (with .inner)."""

    def __init__(self, data):
        self.type = data[0]
        if self.type == RELAY_REPL:
            self.hop, self.link, self.peer = data[1], data[2:18], data[18:34]
            self.opts = options(data[34:])
            rm = first(self.opts, O_RELAY_MSG)
            self.inner = Msg(rm) if rm is not None else None
        else:
            self.trid = int.from_bytes(data[1:4], "big")
            self.opts = options(data[4:])

    def ias(self, code):
        """[(iaid, [sub-options])] of every IA_NA (3) or IA_PD (25), in order."""
        return [(struct.unpack_from("!I", v)[0], options(v[12:])) for c, v in self.opts
                if c == code]

    def addrs(self):
        return [socket.inet_ntop(socket.AF_INET6, v[:16])
                for _, sub in self.ias(O_IA_NA) for c, v in sub if c == O_IAADDR]

    def prefixes(self):
        return [f"{socket.inet_ntop(socket.AF_INET6, v[9:25])}/{v[8]}"
                for _, sub in self.ias(O_IA_PD) for c, v in sub if c == O_IAPREFIX]


# ---- sockets -----------------------------------------------------------------------------------
def udp_socket(addr, port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFACE.encode())
    s.bind((addr, port, 0, IFINDEX if addr.startswith("fe80") or addr == "::" else 0))
    return s


client = udp_socket("::", 546)        # direct clients: from edge0's link-local address
relay = udp_socket(RELAY, 547)        # a relay agent on the server port
relay_sp = udp_socket(RELAY, 40547)   # a relay agent on another port (RFC 8357)


def drain(s):
    s.setblocking(False)
    try:
        while True:
            s.recv(4096)
    except BlockingIOError:
        pass
    s.setblocking(True)


def recv(s, timeout):
    """The next datagram on s within timeout seconds, or None."""
    s.settimeout(timeout)
    try:
        return s.recvfrom(4096)
    except socket.timeout:
        return None


def exchange(pkt, sock=None, to=None, timeout=3.0, retries=2):
    """Sends pkt (a scapy message) and returns the first reply as a Msg (None on timeout).
    Direct by default (to ff02::1:2 from port 546); retransmitted like a client would."""
    sock = sock or client
    dst = to or (ALL_SERVERS, 547, 0, IFINDEX)
    raw = bytes(pkt)
    for _ in range(retries + 1):
        sock.sendto(raw, dst)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got = recv(sock, max(0.01, end - time.monotonic()))
            if got is None:
                break
            m = Msg(got[0])
            inner = m
            while inner is not None and inner.type == RELAY_REPL:
                inner = inner.inner
            if inner is not None and raw[0] != 12 and inner.trid != int.from_bytes(raw[1:4], "big"):
                continue  # a late answer to an earlier message
            return m
    return None


# ---- building requests -------------------------------------------------------------------------
_trid = [0x100]


def trid():
    _trid[0] += 1
    return _trid[0]


def duid(n):
    """A DUID-EN (no MAC inside, so only what the test says identifies the client)."""
    return DUID_EN(enterprisenum=32473, id=struct.pack("!I", n))


def ia_na(iaid=1, addr=None):
    sub = [DHCP6OptIAAddress(addr=addr, preflft=0, validlft=0)] if addr else []
    return DHCP6OptIA_NA(iaid=iaid, T1=0, T2=0, ianaopts=sub)


def ia_pd(iaid=2, prefix=None, plen=56):
    sub = [DHCP6OptIAPrefix(prefix=prefix or "::", plen=plen, preflft=0, validlft=0)]
    return DHCP6OptIA_PD(iaid=iaid, T1=0, T2=0, iapdopt=sub)


def solicit(n, pd=True):
    m = DHCP6_Solicit(trid=trid()) / DHCP6OptClientId(duid=duid(n)) / DHCP6OptElapsedTime() / ia_na()
    return m / ia_pd() if pd else m


SERVER_DUID = None


def with_server(msg_cls, n, *ias):
    # The server's DUID as it sent it, byte for byte.
    m = (msg_cls(trid=trid()) / DHCP6OptClientId(duid=duid(n)) /
         DHCP6OptUnknown(optcode=O_SERVERID, data=SERVER_DUID))
    for ia in ias:
        m = m / ia
    return m / DHCP6OptElapsedTime()


def bind(n, pd=True):
    """Solicit, Request: returns (Reply, address, prefix) for client n."""
    adv = exchange(solicit(n, pd))
    if adv is None or not adv.addrs():
        return adv, None, None
    ias = [ia_na(addr=adv.addrs()[0])]
    if pd and adv.prefixes():
        p, l = adv.prefixes()[0].split("/")
        ias.append(ia_pd(prefix=p, plen=int(l)))
    elif pd:
        ias.append(ia_pd())
    rep = exchange(with_server(DHCP6_Request, n, *ias))
    if rep is None:
        return None, None, None
    return rep, (rep.addrs() or [None])[0], (rep.prefixes() or [None])[0]


def relayed(inner, link, peer="fe80::1:2", hop=0, opts=()):
    m = DHCP6_RelayForward(hopcount=hop, linkaddr=link, peeraddr=peer)
    for o in opts:
        m = m / o
    return m / DHCP6OptRelayMsg(message=inner)


def api(path):
    with urllib.request.urlopen(API + path, timeout=3) as r:
        return json.load(r)


def leases6():
    out = api("/api/v1/leases?family=6")
    return out["leases"] if isinstance(out, dict) else out


def parse_errors():
    return dict(api("/api/v1/stats")["dhcp"].get("dhcp6_parse_errors", {}))


def duid_text(n):
    return ":".join(f"{b:02x}" for b in bytes(duid(n)))


def lease(addr=None, prefix=None):
    for l in leases6():
        if (addr and l.get("ia") == "na" and l["address"] == addr) or \
                (prefix and l.get("ia") == "pd" and l.get("prefix") == prefix):
            return l
    return None


# ---- the scenarios -----------------------------------------------------------------------------
def direct():
    """Confirm, Renew without a binding, exhaustion, Decline: the direct scope lan6, whose
    pool holds 4 addresses and whose PD pool 2 /56s."""
    global SERVER_DUID
    adv = exchange(solicit(1))
    check("Solicit answered with an Advertise", adv is not None and adv.type == ADVERTISE)
    if adv is None:
        return
    SERVER_DUID = first(adv.opts, O_SERVERID)
    rep, a1, p1 = bind(1)
    check(f"client 1 bound an address and a prefix ({a1}, {p1})",
          rep is not None and rep.type == REPLY and a1 is not None and p1 is not None)
    l = lease(addr=a1)
    check("... its lease is bound under its DUID", l is not None and l["state"] == "bound" and
          l["duid"] == duid_text(1), l)

    # Confirm (§18.3.3): Success at the top level when every address is on the link.
    m = exchange(DHCP6_Confirm(trid=trid()) / DHCP6OptClientId(duid=duid(1)) / ia_na(addr=a1))
    check("Confirm of an on-link address: Reply with Success",
          m is not None and m.type == REPLY and status_of(m.opts) == SUCCESS,
          m and (m.type, status_of(m.opts)))
    m = exchange(DHCP6_Confirm(trid=trid()) / DHCP6OptClientId(duid=duid(1)) /
                 ia_na(addr="2001:db8:ffff::5"))
    check("Confirm of an address outside the scope: Reply with NotOnLink",
          m is not None and m.type == REPLY and status_of(m.opts) == NOT_ON_LINK,
          m and (m.type, status_of(m.opts)))

    # Renew for a binding the server does not have (§18.3.4): NoBinding inside the IA_NA.
    m = exchange(with_server(DHCP6_Renew, 99, ia_na(iaid=7, addr=a1)))
    ia = m.ias(O_IA_NA) if m is not None else []
    check("Renew without a binding: Reply with NoBinding inside the IA_NA (IAID 7)",
          m is not None and m.type == REPLY and len(ia) == 1 and ia[0][0] == 7 and
          status_of(ia[0][1]) == NO_BINDING and status_of(m.opts) is None,
          m and (ia, status_of(m.opts)))
    check("... and it grants nothing", m is not None and all(
        struct.unpack_from("!I", v, 20)[0] == 0 for _, sub in ia for c, v in sub if c == O_IAADDR))
    l = lease(addr=a1)
    check("... client 1's lease is untouched", l is not None and l["state"] == "bound" and
          l["duid"] == duid_text(1), l)

    # Exhaustion of the PD pool: client 3 gets an address, and NoPrefixAvail inside its IA_PD.
    _, a2, p2 = bind(2)
    check(f"client 2 bound the second prefix ({a2}, {p2})", a2 is not None and p2 is not None
          and p2 != p1)
    adv = exchange(solicit(3))
    pd = adv.ias(O_IA_PD) if adv else []
    check("PD pool exhausted: the Advertise's IA_PD holds NoPrefixAvail and no prefix",
          len(pd) == 1 and status_of(pd[0][1]) == NO_PREFIX and not adv.prefixes(),
          adv and pd)
    check("... and its IA_NA an address", adv is not None and len(adv.addrs()) == 1)
    check("... and NoPrefixAvail is not at the top level",
          adv is not None and status_of(adv.opts) != NO_PREFIX)
    rep = exchange(with_server(DHCP6_Request, 3, ia_na(addr=adv.addrs()[0]), ia_pd()))
    pd = rep.ias(O_IA_PD) if rep else []
    check("... the Reply to its Request: NoPrefixAvail inside the IA_PD, the address granted",
          rep is not None and len(pd) == 1 and status_of(pd[0][1]) == NO_PREFIX and
          len(rep.addrs()) == 1 and not rep.prefixes(), rep and (pd, rep.addrs()))

    # Decline (§18.3.8): client 4 takes the last address and declines it.
    _, a4, _ = bind(4, pd=False)
    check(f"client 4 bound the pool's last address ({a4})", a4 is not None)
    m = exchange(with_server(DHCP6_Decline, 4, ia_na(addr=a4)))
    check("Decline answered with a Reply, Success at the top level (§18.3.8)",
          m is not None and m.type == REPLY and status_of(m.opts) == SUCCESS)
    l = lease(addr=a4)
    check("the declined address is in probation (state declined)",
          l is not None and l["state"] == "declined", l)

    # The pool is now used up but for the declined address, which must not be handed out.
    adv = exchange(solicit(5, pd=False))
    na = adv.ias(O_IA_NA) if adv else []
    check("address pool exhausted: the Advertise's IA_NA holds NoAddrsAvail and no address "
          "(the declined one is not offered)",
          len(na) == 1 and status_of(na[0][1]) == NO_ADDRS and not adv.addrs(),
          adv and (na, adv.addrs()))
    rep = exchange(with_server(DHCP6_Request, 5, ia_na(addr=a4)))
    na = rep.ias(O_IA_NA) if rep else []
    check("... a Request naming the declined address: NoAddrsAvail inside the IA_NA",
          rep is not None and len(na) == 1 and status_of(na[0][1]) == NO_ADDRS and
          not rep.addrs(), rep and (na, rep.addrs()))
    l = lease(addr=a4)
    check("... and the address is still declined, not client 5's",
          l is not None and l["state"] == "declined" and l["duid"] != duid_text(5), l)

    # A client cannot decline an address that is someone else's: NoBinding in its IA_NA.
    m = exchange(with_server(DHCP6_Decline, 5, ia_na(addr=a1)))
    na = m.ias(O_IA_NA) if m else []
    check("Decline of another client's address: NoBinding inside the IA_NA",
          m is not None and len(na) == 1 and status_of(na[0][1]) == NO_BINDING, m and na)
    l = lease(addr=a1)
    check("... and client 1's lease stays bound", l is not None and l["state"] == "bound" and
          l["duid"] == duid_text(1), l)
    # A Request for another server (its Server Identifier not ours) is not answered (§16).
    saved = SERVER_DUID
    SERVER_DUID = b"\0\3\0\1\x02\0\0\0\0\x99"
    m = exchange(with_server(DHCP6_Request, 6, ia_na()), timeout=0.5, retries=0)
    SERVER_DUID = saved
    check("a Request naming another server's DUID is left unanswered", m is None, m and m.type)


def relays():
    """Relay-Forward to the server's address from a relay on edge0 (RFC 9915 §9, §19): the
    scope relay6 (2001:db8:1::/64) is chosen by the link-address; its reservations match the
    interface-id, the remote-id or the client link-layer address the relay adds."""
    link = "2001:db8:1::1"
    to = (SERVER, 547)

    def relay_solicit(n, opts, **kw):
        return exchange(relayed(solicit(n, pd=False), link, opts=opts, **kw), sock=relay, to=to)

    m = relay_solicit(10, [DHCP6OptIfaceId(ifaceid=b"eth0/1/3")])
    ok = m is not None and m.type == RELAY_REPL and m.inner is not None
    check("Relay-Forward answered with a Relay-Reply to the relay's port 547", ok)
    if ok:
        check("... hop-count, link-address and peer-address echoed",
              m.hop == 0 and socket.inet_ntop(socket.AF_INET6, m.link) == link and
              socket.inet_ntop(socket.AF_INET6, m.peer) == "fe80::1:2")
        check("... interface-id (18) echoed", first(m.opts, O_IFACE_ID) == b"eth0/1/3",
              first(m.opts, O_IFACE_ID))
        check("... the Advertise inside gives the reservation by interface_id (2001:db8:1::43)",
              m.inner.type == ADVERTISE and m.inner.addrs() == ["2001:db8:1::43"], m.inner.addrs())

    m = relay_solicit(11, [DHCP6OptIfaceId(ifaceid=b"port-9"),
                           DHCP6OptRemoteID(enterprisenum=9, remoteid=b"sub-42"),
                           DHCP6OptSubscriberID(subscriberid=b"subscriber-42")])
    check("remote-id (37) with subscriber-id (38): the reservation by remote_id (2001:db8:1::42)",
          m is not None and m.inner is not None and m.inner.addrs() == ["2001:db8:1::42"],
          m and m.inner and m.inner.addrs())
    check("... interface-id port-9 echoed, nothing else of the relay's",
          m is not None and [c for c, _ in m.opts] == [O_IFACE_ID, O_RELAY_MSG] and
          first(m.opts, O_IFACE_ID) == b"port-9", m and m.opts)

    # The frame comes from edge0's MAC; only option 79 names 02:00:00:00:00:44.
    m = relay_solicit(12, [DHCP6OptClientLinkLayerAddr(lltype=1, clladdr="02:00:00:00:00:44")])
    check("client link-layer address (79): the reservation by hw_address (2001:db8:1::44)",
          m is not None and m.inner is not None and m.inner.addrs() == ["2001:db8:1::44"],
          m and m.inner and m.inner.addrs())
    check("... a Relay-Reply without an interface-id when the relay sent none",
          m is not None and first(m.opts, O_IFACE_ID) is None)
    m = relay_solicit(13, [DHCP6OptIfaceId(ifaceid=b"port-9")])
    a = m.inner.addrs() if m is not None and m.inner is not None else []
    check(f"a relayed client without a reservation: the relay6 pool ({a})",
          len(a) == 1 and a[0].startswith("2001:db8:1::10"))

    # Two levels (§19.1.2): the inner relay's link-address chooses the scope, its interface-id
    # the reservation; the outer relay sits on lan6's link, which must not win.
    inner = relayed(solicit(14, pd=False), link, opts=[DHCP6OptIfaceId(ifaceid=b"eth0/1/3")])
    outer = relayed(inner, RELAY, peer="2001:db8:2::9", hop=1,
                    opts=[DHCP6OptIfaceId(ifaceid=b"outer-if")])
    m = exchange(outer, sock=relay, to=to)
    ok = m is not None and m.inner is not None and m.inner.type == RELAY_REPL
    check("two relay levels: a Relay-Reply inside a Relay-Reply", ok)
    if ok:
        check("... each level's hop-count and interface-id echoed at its level",
              m.hop == 1 and first(m.opts, O_IFACE_ID) == b"outer-if" and m.inner.hop == 0 and
              first(m.inner.opts, O_IFACE_ID) == b"eth0/1/3")
        adv = m.inner.inner
        check("... the innermost link-address chose the scope (reservation 2001:db8:1::43)",
              adv is not None and adv.type == ADVERTISE and adv.addrs() == ["2001:db8:1::43"],
              adv and adv.addrs())

    # Relay source port (RFC 8357 §5): a relay sending from port 40547 with option 135 gets
    # its Relay-Reply on port 40547; without 135 the reply goes to port 547.
    opts = [DHCP6OptIfaceId(ifaceid=b"port-9"), DHCP6OptUnknown(optcode=135, data=b"\x00\x00")]
    drain(relay)
    m = exchange(relayed(solicit(15, pd=False), link, opts=opts), sock=relay_sp, to=to)
    check("relay source port option (135): the Relay-Reply comes to the relay's port 40547",
          m is not None and m.type == RELAY_REPL and m.inner is not None and m.inner.addrs())
    check("... and nothing to port 547", recv(relay, 0.3) is None)
    drain(relay_sp)
    raw = bytes(relayed(solicit(16, pd=False), link, opts=opts[:1]))
    relay_sp.sendto(raw, to)
    got = recv(relay, 3.0)
    check("without option 135, a Relay-Forward from port 40547 is answered to port 547",
          got is not None and got[0][0] == RELAY_REPL)
    check("... and not to port 40547", recv(relay_sp, 0.3) is None)


def malformed():
    """Datagrams to port 547 that the worker must drop, each counted under its reason, with
    no reply at all; then an 8-level chain (the limit) is still answered."""
    link = "2001:db8:1::1"

    def chain(levels, top_hop=None):
        m = solicit(20, pd=False)
        for i in range(levels):
            hop = i if top_hop is None or i != levels - 1 else top_hop
            m = relayed(m, link if i == 0 else RELAY, hop=hop)
        return bytes(m)

    good_solicit = bytes(solicit(21, pd=False))
    bad_len = bytearray(good_solicit)
    bad_len[4 + 3] += 1  # the Client Identifier's length one past the end of the message
    cases = {
        "too_many_relays": [chain(9), chain(1, top_hop=9)],
        "no_relay_message": [bytes(DHCP6_RelayForward(hopcount=0, linkaddr=link, peeraddr="fe80::1")
                                   / DHCP6OptIfaceId(ifaceid=b"x"))],
        "truncated": [b"\x01\x00\x00", b"\x0c\x00" + bytes(20)],
        "not_client_message": [bytes(DHCP6_Advertise(trid=5) / DHCP6OptClientId(duid=duid(22)))],
        "option_overrun": [bytes(bad_len)],
        "bad_option": [bytes(DHCP6_Solicit(trid=6) / DHCP6OptClientId(duid=duid(23)) /
                             DHCP6OptUnknown(optcode=8, data=b"\0\0\0"))],  # Elapsed Time: 3 bytes
        "duid_too_long": [bytes(DHCP6_Solicit(trid=7) /
                                DHCP6OptUnknown(optcode=O_CLIENTID, data=b"\0\2" + bytes(129)))],
        "no_client_id": [bytes(DHCP6_Solicit(trid=8) / DHCP6OptElapsedTime() / ia_na())],
        "unexpected_server_id": [bytes(DHCP6_Solicit(trid=9) / DHCP6OptClientId(duid=duid(24)) /
                                       DHCP6OptUnknown(optcode=O_SERVERID, data=SERVER_DUID or b"\0\3\0\1abcdef"))],
        "no_server_id": [bytes(DHCP6_Request(trid=10) / DHCP6OptClientId(duid=duid(25)) / ia_na())],
        # Three levels each with a 255-byte interface-id: more than the 512 relay bytes kept.
        "relay_options_too_long": [bytes(relayed(relayed(relayed(
            solicit(26, pd=False), link, opts=[DHCP6OptIfaceId(ifaceid=b"a" * 255)]),
            RELAY, hop=1, opts=[DHCP6OptIfaceId(ifaceid=b"b" * 255)]),
            RELAY, hop=2, opts=[DHCP6OptIfaceId(ifaceid=b"c" * 255)]))],
    }
    before, malformed_before = parse_errors(), api("/api/v1/stats")["dhcp"]["dhcp6_malformed"]
    drain(relay)
    for frames in cases.values():
        for f in frames:
            relay.sendto(f, (SERVER, 547))

    def counted():
        now = parse_errors()
        return all(now.get(k, 0) - before.get(k, 0) == len(v) for k, v in cases.items())

    end = time.monotonic() + 5
    while not counted() and time.monotonic() < end:
        time.sleep(0.1)
    now = parse_errors()
    for k, v in cases.items():
        check(f"dropped and counted: {k} (+{now.get(k, 0) - before.get(k, 0)}, sent {len(v)})",
              now.get(k, 0) - before.get(k, 0) == len(v))
    sent = sum(len(v) for v in cases.values())
    grew = api("/api/v1/stats")["dhcp"]["dhcp6_malformed"] - malformed_before
    check(f"... dhcp6_malformed grew by all of them ({grew} of {sent})", grew == sent)
    check("... and none of them answered", recv(relay, 0.5) is None)
    m = exchange(chain(8), sock=relay, to=(SERVER, 547))
    depth, lvl = 0, m
    while lvl is not None and lvl.type == RELAY_REPL:
        depth, lvl = depth + 1, lvl.inner
    check(f"an 8-level chain (the limit) is answered through 8 Relay-Replies ({depth})",
          depth == 8 and lvl is not None and lvl.type == ADVERTISE)


def dns(name, qtype):
    """The answer's addresses for name/qtype from the appliance (198.18.0.1:53)."""
    q = DNS(id=0x4242, rd=0, qd=DNSQR(qname=name, qtype=qtype))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(bytes(q), ("198.18.0.1", 53))
        r = DNS(s.recv(4096))
    return sorted(str(r.an[i].rdata) for i in range(r.ancount) if r.an[i].type == q.qd.qtype)


def dhcp4(sock, chaddr, cid, msgtype, extra=()):
    """A DHCPv4 exchange as a relay agent on 198.18.0.2 (giaddr; the reply comes to port 67)."""
    xid = trid()
    req = (BOOTP(op=1, hops=1, xid=xid, giaddr="198.18.0.2", chaddr=chaddr + bytes(10)) /
           DHCP(options=[("message-type", msgtype), ("client_id", cid), ("hostname", b"ds-host")]
                + list(extra) + ["end"]))
    sock.sendto(bytes(req), ("198.18.0.1", 67))
    end = time.monotonic() + 3
    while time.monotonic() < end:
        got = recv(sock, end - time.monotonic())
        if got is None:
            break
        rep = BOOTP(got[0])
        if rep.xid == xid:
            return rep.yiaddr, {o[0]: o[1] for o in rep[DHCP].options if isinstance(o, tuple)}
    return None, {}


def dual_stack():
    """One device by its DUID alone (RFC 4361): a DHCPv4 client whose client identifier is
    0xff, an IAID and DUID-EN 50, with chaddr 02:00:00:00:0a:aa, and a relayed DHCPv6 client
    with DUID-EN 50 (no option 79, no MAC inside the DUID: nothing but the DUID ties the two).
    Both call themselves ds-host: A and AAAA under one name. Then a relayed DHCPv6 client with another
    DUID and no MAC claims ds-host: a conflict, skipped and audited; the records stay."""
    v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    v4.bind(("198.18.0.2", 67))
    chaddr = bytes.fromhex("020000000aaa")
    cid = b"\xff" + struct.pack("!I", 1) + bytes(duid(50))
    offered, opts = dhcp4(v4, chaddr, cid, "discover")
    ip4 = None
    if offered and offered != "0.0.0.0":
        ip4, opts = dhcp4(v4, chaddr, cid, "request",
                          [("requested_addr", offered), ("server_id", opts.get("server_id"))])
    check(f"DHCPv4 with an RFC 4361 client identifier: ACK ({ip4})",
          ip4 is not None and opts.get("message-type") == 5, opts.get("message-type"))

    fqdn = DHCP6OptClientFQDN(flags=1, fqdn="ds-host.lan.")
    link = "2001:db8:1::1"  # relay6, through a relay that adds no option 79

    def bind_relayed(n):
        m = exchange(relayed(solicit(n, pd=False) / fqdn, link), sock=relay, to=(SERVER, 547))
        got = m.inner.addrs() if m and m.inner else []
        m = exchange(relayed(with_server(DHCP6_Request, n, ia_na(addr=got[0] if got else None))
                             / fqdn, link), sock=relay, to=(SERVER, 547))
        got = m.inner.addrs() if m and m.inner else []
        return got[0] if len(got) == 1 else None

    ip6 = bind_relayed(50)
    check(f"DHCPv6 with the same DUID and the name: Reply ({ip6})", ip6 is not None)
    end = time.monotonic() + 5
    while (dns("ds-host.lan.", "A"), dns("ds-host.lan.", "AAAA")) != ([ip4], [ip6]) and \
            time.monotonic() < end:
        time.sleep(0.1)
    a, aaaa = dns("ds-host.lan.", "A"), dns("ds-host.lan.", "AAAA")
    check("one device by its DUID: A and AAAA under one name", (a, aaaa) == ([ip4], [ip6]),
          (a, aaaa))

    skips = api("/api/v1/stats")["dns"]["changes"].get("conflict-skip", 0)
    other = bind_relayed(51)  # no option 79, a DUID-EN: nothing ties it to ds-host
    check(f"another device (another DUID, no MAC) claiming ds-host gets its lease ({other})",
          other is not None and other != ip6)
    end = time.monotonic() + 5
    while api("/api/v1/stats")["dns"]["changes"].get("conflict-skip", 0) == skips and \
            time.monotonic() < end:
        time.sleep(0.1)
    check("... a conflict: skipped and counted (dns.changes.conflict-skip)",
          api("/api/v1/stats")["dns"]["changes"].get("conflict-skip", 0) > skips)
    check("... the name keeps the first device's A and AAAA, no flap",
          (dns("ds-host.lan.", "A"), dns("ds-host.lan.", "AAAA")) == ([ip4], [ip6]))

    def skip_audited():
        audit = api("/api/v1/audit?name=ds-host")
        audit = audit["events"] if isinstance(audit, dict) else audit
        return any(e["reason"] == "conflict-skip" and e["type"] == "AAAA" and not e["applied"]
                   and e["name"] == "ds-host.lan." for e in audit), audit[:3]

    # The audit trail is written by the record store's writer, after the change: poll.
    end = time.monotonic() + 5
    while not skip_audited()[0] and time.monotonic() < end:
        time.sleep(0.1)
    ok, events = skip_audited()
    check("... and audited (conflict-skip of ds-host's AAAA, not applied)", ok, events)
    v4.close()


def vlans():
    """Direct clients on tagged links, as raw frames on edge0 (802.1Q 100; QinQ: 802.1ad 200
    with 802.1Q 300 inside): the scope is the one on the receiving interface (port + tags),
    and the Advertise and the Reply come back with the request's tags."""
    from scapy.all import AsyncSniffer, conf, get_if_hwaddr, sendp
    from scapy.layers.inet import UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Dot1AD, Dot1Q, Ether
    conf.verb = 0
    mac = get_if_hwaddr(IFACE)
    ll = "fe80::ff:fe00:77"  # the tagged host's link-local address (no kernel interface has it)
    links = (("802.1Q 100", lambda: Dot1Q(vlan=100), [(0x8100, 100)], "2001:db8:100::", "vlan100"),
             ("QinQ 200/300", lambda: Dot1AD(vlan=200) / Dot1Q(vlan=300),
              [(0x88a8, 200), (0x8100, 300)], "2001:db8:300::", "qinq300"))

    def tags_of(frame):
        out, l = [], frame.payload
        while isinstance(l, (Dot1Q, Dot1AD)):
            out.append((0x88a8 if isinstance(l, Dot1AD) else 0x8100, l.vlan))
            l = l.payload
        return out

    def tagged_exchange(tags, msg):
        raw = bytes(msg)
        want = lambda f: UDP in f and f[UDP].dport == 546 and bytes(f[UDP].payload)[1:4] == raw[1:4]
        ready = threading.Event()  # set once the sniffer's socket is open
        sn = AsyncSniffer(iface=IFACE, lfilter=want, count=1, timeout=5,
                          started_callback=ready.set)
        sn.start()
        ready.wait(5)
        sendp(Ether(src=mac, dst="33:33:00:01:00:02") / tags() /
              IPv6(src=ll, dst=ALL_SERVERS, hlim=1) / UDP(sport=546, dport=547) / raw, iface=IFACE)
        sn.join()
        if not sn.results:
            return None, None
        f = sn.results[0]
        return tags_of(f), Msg(bytes(f[UDP].payload))

    for what, tags, want_tags, scope_prefix, scope in links:
        n = 70 + len(want_tags)
        got_tags, adv = tagged_exchange(tags, solicit(n, pd=False))
        got = adv.addrs() if adv else []
        check(f"{what}: the Advertise comes back with the request's tags ({got_tags})",
              got_tags == want_tags)
        check(f"{what}: ... from the tagged link's scope ({got})",
              len(got) == 1 and got[0].startswith(scope_prefix))
        if not got:
            continue
        got_tags, rep = tagged_exchange(tags, with_server(DHCP6_Request, n, ia_na(addr=got[0])))
        check(f"{what}: the Reply grants it, tagged ({got_tags})",
              rep is not None and rep.addrs() == got and got_tags == want_tags)
        l = lease(addr=got[0])
        check(f"{what}: the lease is bound in scope {scope}",
              l is not None and l["state"] == "bound" and l["scope"] == scope, l)


if __name__ == "__main__":
    direct()
    relays()
    malformed()
    dual_stack()
    vlans()
    print(f"scapy scenarios done, {failures} failed", flush=True)
    sys.exit(0)
