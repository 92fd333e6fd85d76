#!/usr/bin/python3
"""Writes malformed.pcap and malformed.expect.json: hostile and broken frames for the
appliance, then a few well-formed ones that must be answered.

Provenance: every frame is built here with scapy (no capture from any network); the pcap
is deterministic (fixed timestamps, fixed IDs), so running this again gives the same bytes
(the ctest data.malformed_pcap checks that). Replayed by tests/e2e/malformed_replay_test.sh
through a net_pcap vdev (rx_pcap).

Each frame carries what the appliance must do with it: a drop reason (the names of
dataplane/stats.hpp), "dhcp" (parsed and handed to the control lcore), or an answer kind.
The expectations file sums them up for the test, and lists the answers it must find in the
capture of what the appliance sent (tx_pcap).

Addresses: the appliance is 198.18.0.1/24 and 2001:db8::1/64 on the untagged link, VLAN 100
and QinQ 200/300 (see the test's configuration); net_pcap's first port has MAC
02:70:63:61:70:00 (locally administered "pcap" + index 0). Usage:
    make_malformed.py [OUTPUT_DIR]      (default: the directory of this script)
"""
import json
import os
import struct
import sys

from scapy.all import (ARP, BOOTP, DHCP, DNS, DNSQR, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q,
                       Ether, ICMPv6EchoRequest, IPv6, IPv6ExtHdrFragment, Raw, conf)

conf.verb = 0

OUR_MAC = "02:70:63:61:70:00"
PEER_MAC = "02:00:00:00:00:02"
BCAST = "ff:ff:ff:ff:ff:ff"
US4, PEER4 = "198.18.0.1", "198.18.0.2"
US6, PEER6 = "2001:db8::1", "2001:db8::2"

frames = []  # (description, expectation, bytes)


def add(what, expect, pkt):
    frames.append((what, expect, bytes(pkt)))


def eth(dst=OUR_MAC):
    return Ether(dst=dst, src=PEER_MAC)


def dns_query(qid, name="my-server.lan.", qtype="A"):
    return DNS(id=qid, rd=0, qd=DNSQR(qname=name, qtype=qtype))


def udp4(payload, dport=53, sport=40000, src=PEER4, dst=US4, l2=None):
    return (l2 if l2 is not None else eth()) / IP(src=src, dst=dst, id=1) / \
        UDP(sport=sport, dport=dport) / payload


def dns_header(qid, flags=0, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def qname(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\x00"


QTAIL = struct.pack("!HH", 1, 1)  # QTYPE A, QCLASS IN

# --------------------------------------------------------------------------------------
# Ethernet and VLAN tags
add("empty frame", "runt", b"")
add("1 byte", "runt", b"\x02")
add("13 bytes: Ethernet header cut short", "runt", bytes(eth())[:13])
add("unicast to another station", "not_for_us", Ether(dst="02:00:00:00:00:99", src=PEER_MAC) /
    IP(src=PEER4, dst=US4) / UDP(sport=40000, dport=53) / dns_query(1))
add("LLDP ethertype", "ethertype_unknown", Ether(dst="01:80:c2:00:00:0e", src=PEER_MAC, type=0x88cc) /
    Raw(b"\x02\x07\x04" + b"\x00" * 40))
add("802.3 length field instead of an ethertype", "ethertype_unknown",
    Ether(dst=BCAST, src=PEER_MAC, type=0x0030) / Raw(b"\xaa" * 48))
add("IPX ethertype", "ethertype_unknown",
    Ether(dst=OUR_MAC, src=PEER_MAC, type=0x8137) / Raw(b"\xff\xff" + b"\x00" * 44))
add("802.1Q tag cut short", "runt", bytes(Ether(dst=OUR_MAC, src=PEER_MAC, type=0x8100))[:14] + b"\x00")
add("802.1Q tag without the inner ethertype", "runt",
    bytes(Ether(dst=OUR_MAC, src=PEER_MAC, type=0x8100))[:14] + b"\x00\x64")
add("unknown VLAN 999", "vlan_unknown", Ether(dst=OUR_MAC, src=PEER_MAC) / Dot1Q(vlan=999) /
    IP(src=PEER4, dst=US4) / UDP(sport=40000, dport=53) / dns_query(2))
add("QinQ 200/999: inner tag unknown", "vlan_unknown", Ether(dst=OUR_MAC, src=PEER_MAC) /
    Dot1AD(vlan=200) / Dot1Q(vlan=999) / IP(src=PEER4, dst=US4) / UDP(sport=40000, dport=53) /
    dns_query(3))
add("three tags", "vlan_too_deep", Ether(dst=OUR_MAC, src=PEER_MAC) / Dot1AD(vlan=200) /
    Dot1Q(vlan=300) / Dot1Q(vlan=5) / IP(src=PEER4, dst=US4) / UDP(sport=40000, dport=53) /
    dns_query(4))
add("eight tags", "vlan_too_deep", bytes(Ether(dst=OUR_MAC, src=PEER_MAC, type=0x8100)) +
    b"\x00\x64\x81\x00" * 7 + b"\x00\x64\x08\x00" + bytes(IP(src=PEER4, dst=US4) / UDP() / Raw(b"x")))

# --------------------------------------------------------------------------------------
# ARP
arp_ok = eth(BCAST) / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER4, pdst=US4)
add("ARP cut after the opcode", "arp_malformed", bytes(arp_ok)[:14 + 8])
add("ARP for a token-ring hardware type", "arp_malformed",
    eth(BCAST) / ARP(hwtype=6, op=1, hwsrc=PEER_MAC, psrc=PEER4, pdst=US4))
add("ARP with a 16-byte protocol address", "arp_malformed",
    bytes(Ether(dst=BCAST, src=PEER_MAC, type=0x0806)) + struct.pack("!HHBBH", 1, 0x0800, 6, 16, 1) +
    b"\x00" * 44)
add("ARP from a multicast sender MAC", "arp_malformed",
    eth(BCAST) / ARP(op=1, hwsrc="01:00:5e:00:00:01", psrc=PEER4, pdst=US4))
add("ARP reply nobody asked for", "arp_ignored", eth() / ARP(op=2, hwsrc=PEER_MAC, psrc=PEER4,
                                                              pdst=US4, hwdst=OUR_MAC))
add("ARP request for another address", "arp_ignored",
    eth(BCAST) / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER4, pdst="198.18.0.77"))
add("gratuitous ARP for our address", "arp_ignored",
    eth(BCAST) / ARP(op=1, hwsrc=PEER_MAC, psrc=US4, pdst=US4))

# --------------------------------------------------------------------------------------
# IPv4 headers
ipdns = IP(src=PEER4, dst=US4, id=1) / UDP(sport=40000, dport=53) / dns_query(5)
raw_ip = bytes(ipdns)


def ip_patch(b, **kw):
    """IPv4 header fields rewritten after checksumming: ihl, ver, total, csum (None: fix)."""
    h = bytearray(b)
    if "ver" in kw or "ihl" in kw:
        h[0] = (kw.get("ver", 4) << 4) | kw.get("ihl", 5)
    if "total" in kw:
        h[2:4] = struct.pack("!H", kw["total"])
    if kw.get("fix", True):
        h[10:12] = b"\x00\x00"
        s = sum(struct.unpack("!%dH" % ((h[0] & 15) * 2), bytes(h[:(h[0] & 15) * 4])))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        h[10:12] = struct.pack("!H", ~s & 0xffff)
    return bytes(h)


E = bytes(Ether(dst=OUR_MAC, src=PEER_MAC, type=0x0800))
add("IPv4 ethertype, 10 bytes of header", "ipv4_malformed", E + raw_ip[:10])
add("IPv4 ethertype, version 6 in the header", "ipv4_malformed", E + ip_patch(raw_ip, ver=6))
add("IPv4 IHL 4", "ipv4_malformed", E + ip_patch(raw_ip, ihl=4, fix=False))
add("IPv4 IHL 15 past the total length", "ipv4_malformed", E + ip_patch(raw_ip, ihl=15, total=40, fix=False))
add("IPv4 total length 10 (shorter than the header)", "ipv4_malformed", E + ip_patch(raw_ip, total=10))
add("IPv4 total length 1400 past the frame", "ipv4_malformed", E + ip_patch(raw_ip, total=1400))
add("IPv4 total length 65535", "ipv4_malformed", E + ip_patch(raw_ip, total=65535))
add("IPv4 header checksum wrong", "ipv4_bad_checksum",
    eth() / IP(src=PEER4, dst=US4, id=1, chksum=0x1234) / UDP(sport=40000, dport=53) / dns_query(6))
add("IPv4 header checksum zero", "ipv4_bad_checksum",
    eth() / IP(src=PEER4, dst=US4, id=1, chksum=0) / UDP(sport=40000, dport=53) / dns_query(7))
add("first fragment of a DNS query (MF)", "ipv4_fragment",
    eth() / IP(src=PEER4, dst=US4, id=77, flags="MF") / UDP(sport=40000, dport=53, len=80) /
    dns_query(8))
add("later fragment (offset 185)", "ipv4_fragment",
    eth() / IP(src=PEER4, dst=US4, id=77, frag=185, proto=17) / Raw(b"\x00" * 40))
add("fragment with offset and MF, tiny", "ipv4_fragment",
    eth() / IP(src=PEER4, dst=US4, id=78, frag=1, flags="MF", proto=17) / Raw(b"\x00" * 8))
add("source 255.255.255.255", "ipv4_malformed",
    eth() / IP(src="255.255.255.255", dst=US4, id=1) / UDP(sport=40000, dport=53) / dns_query(9))
add("multicast source", "ipv4_malformed",
    eth() / IP(src="224.0.0.5", dst=US4, id=1) / UDP(sport=40000, dport=53) / dns_query(10))
add("DNS query to another address", "ipv4_not_for_us",
    eth() / IP(src=PEER4, dst="198.18.0.99", id=1) / UDP(sport=40000, dport=53) / dns_query(11))
add("ICMP echo to the subnet broadcast", "ipv4_not_for_us",
    eth(BCAST) / IP(src=PEER4, dst="198.18.0.255", id=1) / ICMP(id=1, seq=1) / Raw(b"x" * 16))
add("TCP SYN to port 53", "proto_unhandled",
    eth() / IP(src=PEER4, dst=US4, id=1) / TCP(sport=40000, dport=53, flags="S", seq=1))
add("GRE", "proto_unhandled", eth() / IP(src=PEER4, dst=US4, id=1, proto=47) / Raw(b"\x00" * 24))

# --------------------------------------------------------------------------------------
# ICMP
add("ICMP cut to 3 bytes", "icmp_malformed", eth() / IP(src=PEER4, dst=US4, id=1, proto=1) / Raw(b"\x08\x00\x00"))
add("ICMP echo with a wrong checksum", "icmp_bad_checksum",
    eth() / IP(src=PEER4, dst=US4, id=1) / ICMP(id=1, seq=1, chksum=0xbeef) / Raw(b"x" * 16))
add("ICMP timestamp request", "icmp_unhandled", eth() / IP(src=PEER4, dst=US4, id=1) / ICMP(type=13, ts_ori=1, ts_rx=2, ts_tx=3))

# --------------------------------------------------------------------------------------
# UDP headers
dns_payload = bytes(dns_query(12))


def udp_raw(sport, dport, length, csum, payload):
    return struct.pack("!HHHH", sport, dport, length, csum) + payload


add("UDP length past the IP payload", "udp_malformed",
    eth() / IP(src=PEER4, dst=US4, id=1, proto=17) / Raw(udp_raw(40000, 53, 1008, 0, dns_payload)))
add("UDP length 4 (shorter than its header)", "udp_malformed",
    eth() / IP(src=PEER4, dst=US4, id=1, proto=17) / Raw(udp_raw(40000, 53, 4, 0, dns_payload)))
add("UDP header cut to 4 bytes", "udp_malformed",
    eth() / IP(src=PEER4, dst=US4, id=1, proto=17) / Raw(b"\x9c\x40\x00\x35"))
add("UDP checksum wrong", "udp_bad_checksum",
    eth() / IP(src=PEER4, dst=US4, id=1) / UDP(sport=40000, dport=53, chksum=0x4242) / dns_query(13))
add("UDP to a port nobody serves", "udp_no_service",
    eth() / IP(src=PEER4, dst=US4, id=1) / UDP(sport=40000, dport=9999) / Raw(b"hello"))
add("UDP to port 0", "udp_no_service",
    eth() / IP(src=PEER4, dst=US4, id=1) / UDP(sport=40000, dport=0) / Raw(b"hello"))

# --------------------------------------------------------------------------------------
# DNS messages (port 53). Malformed queries get FORMERR (the question echoed when intact);
# what cannot be answered at all (shorter than a header, a response) is dropped.
def dns_raw(qid, body, flags=0, qd=1, an=0, ns=0, ar=0):
    return eth() / IP(src=PEER4, dst=US4, id=1) / UDP(sport=40000, dport=53) / \
        Raw(dns_header(qid, flags, qd, an, ns, ar) + body)


GOOD_Q = qname(b"my-server", b"lan") + QTAIL
add("DNS: 5 bytes (shorter than a header)", "dns_unanswerable",
    eth() / IP(src=PEER4, dst=US4, id=1) / UDP(sport=40000, dport=53) / Raw(b"\x12\x34\x01\x00\x00"))
add("DNS: empty UDP payload", "dns_unanswerable", eth() / IP(src=PEER4, dst=US4, id=1) / UDP(sport=40000, dport=53))
add("DNS: a response (QR=1)", "dns_unanswerable", dns_raw(0xB001, GOOD_Q, flags=0x8400))
add("DNS: question name points at itself (compression loop)", "dns:FORMERR:0xB002",
    dns_raw(0xB002, b"\xc0\x0c" + QTAIL))
add("DNS: two pointers pointing at each other", "dns:FORMERR:0xB003",
    dns_raw(0xB003, b"\x03abc\xc0\x12\xc0\x0c" + QTAIL))
add("DNS: pointer past the end", "dns:FORMERR:0xB004", dns_raw(0xB004, b"\xc3\xff" + QTAIL))
add("DNS: label length 63 past the end", "dns:FORMERR:0xB005", dns_raw(0xB005, b"\x3fabc"))
add("DNS: label type 0x40 (extended label)", "dns:FORMERR:0xB006",
    dns_raw(0xB006, b"\x41abc\x00" + QTAIL))
add("DNS: name longer than 255 octets", "dns:FORMERR:0xB007",
    dns_raw(0xB007, (b"\x3f" + b"a" * 63) * 5 + b"\x00" + QTAIL))
add("DNS: question without QTYPE/QCLASS", "dns:FORMERR:0xB008", dns_raw(0xB008, qname(b"my-server", b"lan")))
add("DNS: QDCOUNT 0", "dns:FORMERR:0xB009", dns_raw(0xB009, b"", qd=0))
add("DNS: QDCOUNT 5, one question", "dns:FORMERR:0xB00A", dns_raw(0xB00A, GOOD_Q, qd=5))
add("DNS: QDCOUNT 65535", "dns:FORMERR:0xB00B", dns_raw(0xB00B, GOOD_Q, qd=65535))
add("DNS: ANCOUNT 3 in a query, no records", "dns:FORMERR:0xB00C", dns_raw(0xB00C, GOOD_Q, an=3))
add("DNS: ARCOUNT 1, additional record cut short", "dns:FORMERR:0xB00D",
    dns_raw(0xB00D, GOOD_Q + b"\x00\x00\x29\x04", ar=1))
add("DNS: trailing garbage after the question", "dns:FORMERR:0xB00E", dns_raw(0xB00E, GOOD_Q + b"\xde\xad"))
add("DNS: OPT with a compression loop in its owner name", "dns:FORMERR:0xB00F",
    dns_raw(0xB00F, GOOD_Q + b"\xc0\x1f\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", ar=1))

# --------------------------------------------------------------------------------------
# DHCPv4 (port 67). Parse failures are dropped as dhcp_malformed (the parse error is counted
# too); what parses goes to the control lcore.
CHADDR = bytes.fromhex("020000000002")


def bootp(op=1, htype=1, hlen=6, xid=0x5eed0000, options=b"\x35\x01\x01\xff", cookie=True,
          sname=b"", file=b"", total=None):
    b = struct.pack("!BBBBIHHIIII", op, htype, hlen, 0, xid, 0, 0, 0, 0, 0, 0)
    b += CHADDR + b"\x00" * 10 + sname.ljust(64, b"\x00") + file.ljust(128, b"\x00")
    if cookie:
        b += b"\x63\x82\x53\x63"
    b += options
    return b if total is None else b[:total]


def dhcp_frame(payload, l2=None):
    return (l2 if l2 is not None else eth(BCAST)) / IP(src="0.0.0.0", dst="255.255.255.255", id=1) / \
        UDP(sport=68, dport=67) / Raw(payload)


add("DHCP: BOOTREPLY sent to the server port", "dhcp_malformed/not_request", dhcp_frame(bootp(op=2)))
add("DHCP: hlen 16", "dhcp_malformed/bad_hardware", dhcp_frame(bootp(hlen=16)))
add("DHCP: hlen 0", "dhcp_malformed/bad_hardware", dhcp_frame(bootp(hlen=0)))
add("DHCP: htype 6 (IEEE 802)", "dhcp_malformed/bad_hardware", dhcp_frame(bootp(htype=6)))
add("DHCP: BOOTP cut at 200 bytes", "dhcp_malformed/truncated", dhcp_frame(bootp(total=200)))
add("DHCP: 4 bytes", "dhcp_malformed/truncated", dhcp_frame(b"\x01\x01\x06\x00"))
add("DHCP: no magic cookie", "dhcp_malformed/no_cookie", dhcp_frame(bootp(cookie=False)))
add("DHCP: option length past the end", "dhcp_malformed/option_overrun",
    dhcp_frame(bootp(options=b"\x35\x01\x01\x0c\xc8abcdefgh")))
add("DHCP: option code with no length byte", "dhcp_malformed/option_overrun", dhcp_frame(bootp(options=b"\x35\x01\x01\x0c")))
add("DHCP: no message type", "dhcp_malformed/no_message_type", dhcp_frame(bootp(options=b"\x0c\x03abc\xff")))
add("DHCP: message type OFFER from a client", "dhcp_malformed/bad_message_type", dhcp_frame(bootp(options=b"\x35\x01\x02\xff")))
add("DHCP: message type 0", "dhcp_malformed/bad_message_type", dhcp_frame(bootp(options=b"\x35\x01\x00\xff")))
add("DHCP: message type option of length 2", "dhcp_malformed/bad_option",
    dhcp_frame(bootp(options=b"\x35\x02\x01\x01\xff")))
add("DHCP: option 82 sub-option length past the option", "dhcp_malformed/bad_option",
    dhcp_frame(bootp(options=b"\x35\x01\x01\x52\x04\x01\xfe\x41\x42\xff")))
add("DHCP: option 82 of 255 bytes, one sub-option claiming 255", "dhcp_malformed/bad_option",
    dhcp_frame(bootp(options=b"\x35\x01\x01\x52\xff\x01\xff" + b"C" * 253 + b"\xff")))
add("DHCP: option 61 of length 0", "dhcp_malformed/bad_option", dhcp_frame(bootp(options=b"\x35\x01\x01\x3d\x00\xff")))
add("DHCP: option 82 split over four instances (RFC 3396), 1000 bytes together",
    "dhcp_malformed/bad_option",
    dhcp_frame(bootp(options=b"\x35\x01\x01" + (b"\x52\xfa\x01\xf8" + b"R" * 248) * 4 + b"\xff")))
add("DHCP: overload (52) into sname, whose option runs past it", "dhcp_malformed/option_overrun",
    dhcp_frame(bootp(options=b"\x35\x01\x01\x34\x01\x02\xff", sname=b"\x0c\x7fabc")))
add("DHCP: overload value 4", "dhcp_malformed/bad_option",
    dhcp_frame(bootp(options=b"\x35\x01\x01\x34\x01\x04\xff")))
# An option that parses but carries no usable request still reaches the control lcore,
# which answers nothing (counted as an engine outcome).
add("DHCP: REQUEST with neither server id, requested address nor ciaddr", "dhcp",
    dhcp_frame(bootp(xid=0x5eed0001, options=b"\x35\x01\x03\xff")))
add("DHCP: INFORM without an end option (options run to the end of the datagram)",
    "dhcp:ACK:0x5eed0002", dhcp_frame(bootp(xid=0x5eed0002, options=b"\x35\x01\x08")))
add("DHCP over IPv6 to port 67", "udp_no_service",
    eth() / IPv6(src=PEER6, dst=US6) / UDP(sport=68, dport=67) /
    Raw(bootp()))

# --------------------------------------------------------------------------------------
# IPv6
ip6dns = IPv6(src=PEER6, dst=US6) / UDP(sport=40000, dport=53) / dns_query(14)
raw6 = bytearray(bytes(ip6dns))
short6 = bytearray(raw6)
short6[4:6] = struct.pack("!H", 1400)
v4in6 = bytearray(raw6)
v4in6[0] = 0x40
add("IPv6 payload length past the frame", "ipv6_malformed", E[:12] + b"\x86\xdd" + bytes(short6))
add("IPv6 ethertype, version 4", "ipv6_malformed", E[:12] + b"\x86\xdd" + bytes(v4in6))
add("IPv6 header cut at 20 bytes", "ipv6_malformed", E[:12] + b"\x86\xdd" + bytes(raw6[:20]))
add("IPv6 fragment of a DNS query", "ipv6_fragment",
    eth() / IPv6(src=PEER6, dst=US6) / IPv6ExtHdrFragment(id=9, m=1) / UDP(sport=40000, dport=53) / dns_query(15))
add("IPv6 DNS query to another address", "ipv6_not_for_us",
    eth() / IPv6(src=PEER6, dst="2001:db8::99") / UDP(sport=40000, dport=53) / dns_query(16))
add("UDP over IPv6 with checksum 0 (RFC 8200 8.1)", "udp_bad_checksum",
    eth() / IPv6(src=PEER6, dst=US6) / UDP(sport=40000, dport=53, chksum=0) / dns_query(17))
add("ICMPv6 echo with a wrong checksum", "icmp_bad_checksum",
    eth() / IPv6(src=PEER6, dst=US6) / ICMPv6EchoRequest(id=1, seq=1, cksum=0x1111))

# --------------------------------------------------------------------------------------
# Well-formed: each must be answered (checked in the capture of what the appliance sent).
add("ARP request for our address", "arp", arp_ok)
add("ICMP echo request", "icmp_echo",
    eth() / IP(src=PEER4, dst=US4, id=1) / ICMP(id=0x77, seq=1) / Raw(b"edgelease-echo"))
add("DNS query, untagged", "dns:NOERROR:0xA001", udp4(dns_query(0xA001)))
add("DNS query on VLAN 100", "dns:NOERROR:0xA002",
    udp4(dns_query(0xA002), l2=Ether(dst=OUR_MAC, src=PEER_MAC) / Dot1Q(vlan=100)))
add("DNS query on QinQ 200/300", "dns:NOERROR:0xA003",
    udp4(dns_query(0xA003), l2=Ether(dst=OUR_MAC, src=PEER_MAC) / Dot1AD(vlan=200) / Dot1Q(vlan=300)))
add("DNS query with UDP checksum 0 (none computed)", "dns:NOERROR:0xA004",
    eth() / IP(src=PEER4, dst=US4, id=1) / UDP(sport=40000, dport=53, chksum=0) / dns_query(0xA004))
add("DNS query with IPv4 options", "dns:NOERROR:0xA005",
    eth() / IP(src=PEER4, dst=US4, id=1, options=[b"\x01\x01\x01\x00"]) / UDP(sport=40000, dport=53) /
    dns_query(0xA005))
add("DNS query padded with Ethernet trailer bytes", "dns:NOERROR:0xA006",
    bytes(udp4(dns_query(0xA006))) + b"\xee" * 20)
add("DNS query for a name that does not exist", "dns:NXDOMAIN:0xA007",
    udp4(dns_query(0xA007, "nothing-here.lan.")))
add("DNS query over IPv6", "dns:NOERROR:0xA008",
    eth() / IPv6(src=PEER6, dst=US6) / UDP(sport=40000, dport=53) / dns_query(0xA008, qtype="A"))
add("DHCPDISCOVER", "dhcp:OFFER:0x0ff1ce01",
    dhcp_frame(bootp(xid=0x0ff1ce01, options=b"\x35\x01\x01\x37\x03\x01\x03\x06\xff")))


def expectations():
    drops, dns_answers, dhcp_replies, inline = {}, [], [], {}
    dhcp_requests, parse_errors = 0, {}
    for _, exp, _ in frames:
        kind = exp.split(":")[0]
        if kind == "dns":
            _, rcode, qid = exp.split(":")
            dns_answers.append({"id": int(qid, 16), "rcode": rcode})
        elif kind == "dhcp":
            dhcp_requests += 1
            if exp != "dhcp":
                _, mtype, xid = exp.split(":")
                dhcp_replies.append({"xid": int(xid, 16), "type": mtype})
        elif kind in ("arp", "icmp_echo"):
            inline[kind] = inline.get(kind, 0) + 1
        else:
            reason, _, err = kind.partition("/")
            drops[reason] = drops.get(reason, 0) + 1
            if err:
                parse_errors[err] = parse_errors.get(err, 0) + 1
    return {"frames": len(frames), "drops": dict(sorted(drops.items())),
            "dns_answers": dns_answers, "inline": inline, "dhcp_requests": dhcp_requests,
            "dhcp_replies": dhcp_replies, "dhcp_parse_errors": dict(sorted(parse_errors.items())),
            "list": [{"n": i + 1, "what": w, "expect": e} for i, (w, e, _) in enumerate(frames)]}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    # Classic pcap, written by hand so that the bytes are fixed: microsecond timestamps one
    # millisecond apart from 2026-01-01, link type 1 (Ethernet).
    with open(os.path.join(out, "malformed.pcap"), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, (_, _, b) in enumerate(frames):
            f.write(struct.pack("<IIII", 1767225600 + i // 1000, (i % 1000) * 1000, len(b), len(b)))
            f.write(b)
    with open(os.path.join(out, "malformed.expect.json"), "w") as f:
        json.dump(expectations(), f, indent=1)
        f.write("\n")
    print("%d frames written to %s" % (len(frames), out))


if __name__ == "__main__":
    main()
