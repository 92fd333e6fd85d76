// The lookup semantics of answer_query (RFC 1034 §4.3.2) as a table: one row per query, the
// whole expected response per row. Zones are zone-file text (answer_harness.cpp); the
// response is walked by the independent decoder in tests/unit/dataplane/wire/dns_builder.hpp.
//
// Rows with a non-empty `bug` describe what the RFCs require and the code does not do yet;
// they fail on purpose until answer.cpp / zone_view.cpp is fixed (the text names the cause).
// Their test names start with BUG_ (skip them with --gtest_filter=-*BUG_* or ctest -E BUG_).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/dataplane/dns/answer_harness.hpp"

namespace edgelease::dataplane::dns::answer_test {
namespace {

namespace wt = dataplane::wire::dns::test;
using namespace rrtype;

using V = std::vector<std::string>;

// Negative answers carry the SOA at min(SOA TTL, MINIMUM) (RFC 2308 §3, §5).
const std::string kLanSoa = "lan. 120 SOA ns.lan. hostmaster.lan. 2024010101 3600 600 1209600 120";
const std::string kOtherSoa =
    "other.test. 60 SOA ns.other.test. admin.other.test. 7 3600 600 86400 300";
const std::string kExampleSoa =
    "example. 300 SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300";
const std::string kNestedLanSoa = "lan. 120 SOA ns.lan. hostmaster.lan. 1 3600 600 1209600 120";
const std::string kChildSoa =
    "child.lan. 60 SOA ns.child.lan. hostmaster.child.lan. 1 3600 600 1209600 60";
const std::string kGenSoa =
    "gen.test. 300 SOA ns.gen.test. hostmaster.gen.test. 7 3600 600 1209600 300";

// The referral for sub.lan. (NS in authority; addresses of both servers in additional:
// the in-bailiwick glue and the other hosted zone's authoritative A, RFC 1034 §4.3.2 3b).
const V kSubNs = {"sub.lan. 300 NS ns.sub.lan.", "sub.lan. 300 NS ns.other.test."};
const V kSubGlue = {"ns.sub.lan. 300 A 198.18.0.53", "ns.other.test. 60 A 198.18.1.1"};

std::vector<Row> table() {
    const std::string long_lan = name_of_length(255, "lan.", 63);
    std::string long_lan_mixed = long_lan;  // the same name, every other letter upper-case
    for (size_t i = 0; i < long_lan_mixed.size(); i += 2)
        if (long_lan_mixed[i] >= 'a' && long_lan_mixed[i] <= 'z') long_lan_mixed[i] -= 32;
    const std::string long_wild = name_of_length(255, "wild.lan.", 1);  // 124 labels
    const V big = a_records("big.lan.", 300, "198.18.2.", 1, 40);
    const V bigref_glue = a_records("ns.bigref.lan.", 300, "198.18.3.", 1, 40);

    // One row per line group, kept as a table rather than formatted.
    // clang-format off
    std::vector<Row> rows = {
        // ---- exact matches ---------------------------------------------------------------
        {.what = "exact_A", .set = "main", .q = {.name = "www.lan."},
         .e = {.aa = true, .an = {"www.lan. 300 A 198.18.0.10"}}},
        {.what = "exact_AAAA", .set = "main", .q = {.name = "www.lan.", .type = AAAA},
         .e = {.aa = true, .an = {"www.lan. 300 AAAA 2001:db8::10"}}},
        {.what = "apex_SOA_keeps_its_TTL", .set = "main", .q = {.name = "lan.", .type = SOA},
         .e = {.aa = true,
               .an = {"lan. 3600 SOA ns.lan. hostmaster.lan. 2024010101 3600 600 1209600 120"}}},
        {.what = "apex_NS", .set = "main", .q = {.name = "lan.", .type = NS},
         .e = {.aa = true, .an = {"lan. 3600 NS ns.lan.", "lan. 3600 NS ns.other.test."}}},
        {.what = "rrset_in_file_order_smallest_TTL", .set = "main", .q = {.name = "multi.lan."},
         .e = {.aa = true,
               .an = {"multi.lan. 60 A 198.18.0.21", "multi.lan. 60 A 198.18.0.22",
                      "multi.lan. 60 A 198.18.0.23"}}},
        {.what = "TXT_two_strings", .set = "main", .q = {.name = "txt.lan.", .type = TXT},
         .e = {.aa = true, .an = {"txt.lan. 300 TXT \"hello world\" \"second\""}}},
        {.what = "MX_targets", .set = "main", .q = {.name = "mail.lan.", .type = MX},
         .e = {.aa = true, .an = {"mail.lan. 300 MX 10 mx1.lan.", "mail.lan. 300 MX 20 mx.other.test."}}},
        {.what = "SRV_target", .set = "main", .q = {.name = "_sip._udp.lan.", .type = SRV},
         .e = {.aa = true, .an = {"_sip._udp.lan. 300 SRV 10 60 5060 sip.lan."}}},
        {.what = "PTR_reverse_zone", .set = "main",
         .q = {.name = "12.0.18.198.in-addr.arpa.", .type = PTR},
         .e = {.aa = true, .an = {"12.0.18.198.in-addr.arpa. 3600 PTR www.lan."}}},
        {.what = "second_zone_exact", .set = "main", .q = {.name = "www.other.test."},
         .e = {.aa = true, .an = {"www.other.test. 60 A 198.18.1.10"}}},
        {.what = "qclass_ANY_is_answered", .set = "main",
         .q = {.name = "www.lan.", .klass = rrclass::ANY},
         .e = {.aa = true, .an = {"www.lan. 300 A 198.18.0.10"}}},
        // RFC 2181 §5: an RRset never holds the same RR twice, even when the twins are not
        // adjacent in the zone file.
        {.what = "duplicate_RR_collapses", .set = "main", .q = {.name = "dup.lan."},
         .e = {.aa = true, .an = {"dup.lan. 300 A 198.18.0.31", "dup.lan. 300 A 198.18.0.32"}}},

        // ---- 0x20: the client's letter case comes back ----------------------------------
        {.what = "case_echo_exact", .set = "main", .q = {.name = "WwW.LaN."},
         .e = {.aa = true, .an = {"WwW.LaN. 300 A 198.18.0.10"}}},
        {.what = "case_echo_nxdomain", .set = "main", .q = {.name = "NoSuCh.LaN."},
         .e = {.rcode = 3, .aa = true,
               .ns = {"LaN. 120 SOA ns.LaN. hostmaster.LaN. 2024010101 3600 600 1209600 120"}}},
        {.what = "case_echo_wildcard", .set = "main", .q = {.name = "FoO.WiLd.LAN."},
         .e = {.aa = true, .an = {"FoO.WiLd.LAN. 300 A 198.18.0.40"}}},
        {.what = "case_echo_cname", .set = "main", .q = {.name = "ALIAS.lan."},
         .e = {.aa = true, .an = {"ALIAS.lan. 300 CNAME www.lan.", "www.lan. 300 A 198.18.0.10"}}},

        // ---- negative answers -----------------------------------------------------------
        {.what = "nodata", .set = "main", .q = {.name = "www.lan.", .type = MX},
         .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "nxdomain", .set = "main", .q = {.name = "nosuch.lan."},
         .e = {.rcode = 3, .aa = true, .ns = {kLanSoa}}},
        {.what = "nxdomain_soa_ttl_below_minimum", .set = "main", .q = {.name = "nosuch.other.test."},
         .e = {.rcode = 3, .aa = true, .ns = {kOtherSoa}}},
        {.what = "empty_non_terminal_nodata", .set = "main", .q = {.name = "c.lan."},
         .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "empty_non_terminal_deeper_nodata", .set = "main", .q = {.name = "b.c.lan.", .type = TXT},
         .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "empty_non_terminal_srv_parent", .set = "main", .q = {.name = "_udp.lan.", .type = SRV},
         .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "below_empty_non_terminal_nxdomain", .set = "main", .q = {.name = "x.b.c.lan."},
         .e = {.rcode = 3, .aa = true, .ns = {kLanSoa}}},

        // ---- CNAME ----------------------------------------------------------------------
        {.what = "cname_in_zone", .set = "main", .q = {.name = "alias.lan."},
         .e = {.aa = true, .an = {"alias.lan. 300 CNAME www.lan.", "www.lan. 300 A 198.18.0.10"}}},
        {.what = "cname_target_nodata", .set = "main", .q = {.name = "alias.lan.", .type = MX},
         .e = {.aa = true, .an = {"alias.lan. 300 CNAME www.lan."}, .ns = {kLanSoa}}},
        {.what = "cname_chain", .set = "main", .q = {.name = "chain1.lan."},
         .e = {.aa = true,
               .an = {"chain1.lan. 300 CNAME chain2.lan.", "chain2.lan. 300 CNAME chain3.lan.",
                      "chain3.lan. 300 CNAME www.lan.", "www.lan. 300 A 198.18.0.10"}}},
        {.what = "cname_chain_of_7_then_answer", .set = "main", .q = {.name = "long1.lan."},
         .e = {.aa = true,
               .an = {"long1.lan. 300 CNAME long2.lan.", "long2.lan. 300 CNAME long3.lan.",
                      "long3.lan. 300 CNAME long4.lan.", "long4.lan. 300 CNAME long5.lan.",
                      "long5.lan. 300 CNAME long6.lan.", "long6.lan. 300 CNAME long7.lan.",
                      "long7.lan. 300 CNAME www.lan.", "www.lan. 300 A 198.18.0.10"}}},
        // kMaxCnameChain = 8 lookups: an eighth CNAME ends the answer, NOERROR, target unread.
        // Eight CNAMEs are followed to the final answer; a ninth would end the chain.
        {.what = "cname_chain_of_8_followed", .set = "main", .q = {.name = "long0.lan."},
         .e = {.aa = true,
               .an = {"long0.lan. 300 CNAME long1.lan.", "long1.lan. 300 CNAME long2.lan.",
                      "long2.lan. 300 CNAME long3.lan.", "long3.lan. 300 CNAME long4.lan.",
                      "long4.lan. 300 CNAME long5.lan.", "long5.lan. 300 CNAME long6.lan.",
                      "long6.lan. 300 CNAME long7.lan.", "long7.lan. 300 CNAME www.lan.",
                      "www.lan. 300 A 198.18.0.10"}}},
        {.what = "cname_to_255_octet_name", .set = "main", .q = {.name = "tolong.lan."},
         .e = {.aa = true,
               .an = {"tolong.lan. 300 CNAME " + long_lan, long_lan + " 300 A 198.18.0.99"}}},
        {.what = "cname_to_other_hosted_zone", .set = "main", .q = {.name = "ext.lan."},
         .e = {.aa = true,
               .an = {"ext.lan. 300 CNAME www.other.test.", "www.other.test. 60 A 198.18.1.10"}}},
        {.what = "cname_leaving_our_zones", .set = "main", .q = {.name = "out.lan."},
         .e = {.aa = true, .an = {"out.lan. 300 CNAME www.example.com."}}},
        // A loop ends when it comes back to a name already answered: each CNAME once.
        {.what = "cname_loop_stops", .set = "main", .q = {.name = "loop1.lan."},
         .e = {.aa = true,
               .an = {"loop1.lan. 300 CNAME loop2.lan.", "loop2.lan. 300 CNAME loop1.lan."}}},
        // RFC 6604 §2.1: the rcode is that of the last name in the chain.
        {.what = "cname_to_nxdomain", .set = "main", .q = {.name = "dangling.lan."},
         .e = {.rcode = 3, .aa = true, .an = {"dangling.lan. 300 CNAME nothere.lan."}, .ns = {kLanSoa}}},
        {.what = "cname_to_nxdomain_other_zone", .set = "main", .q = {.name = "danglingx.lan."},
         .e = {.rcode = 3, .aa = true, .an = {"danglingx.lan. 300 CNAME nothere.other.test."},
               .ns = {kOtherSoa}}},
        {.what = "qtype_CNAME_at_cname_owner", .set = "main", .q = {.name = "alias.lan.", .type = CNAME},
         .e = {.aa = true, .an = {"alias.lan. 300 CNAME www.lan."}}},
        {.what = "cname_into_delegation", .set = "main", .q = {.name = "toref.lan."},
         .e = {.aa = true, .an = {"toref.lan. 300 CNAME host.sub.lan."}, .ns = kSubNs, .ar = kSubGlue}},

        // ---- wildcards (RFC 4592) -------------------------------------------------------
        {.what = "wildcard_A", .set = "main", .q = {.name = "foo.wild.lan."},
         .e = {.aa = true, .an = {"foo.wild.lan. 300 A 198.18.0.40"}}},
        {.what = "wildcard_several_labels", .set = "main", .q = {.name = "a.b.wild.lan.", .type = TXT},
         .e = {.aa = true, .an = {"a.b.wild.lan. 300 TXT \"wild\""}}},
        {.what = "wildcard_nodata", .set = "main", .q = {.name = "foo.wild.lan.", .type = AAAA},
         .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "wildcard_not_where_name_exists", .set = "main",
         .q = {.name = "exists.wild.lan.", .type = TXT}, .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "wildcard_not_below_existing_node", .set = "main", .q = {.name = "below.exists.wild.lan."},
         .e = {.rcode = 3, .aa = true, .ns = {kLanSoa}}},
        {.what = "wildcard_owner_queried_literally", .set = "main", .q = {.name = "*.wild.lan."},
         .e = {.aa = true, .an = {"*.wild.lan. 300 A 198.18.0.40"}}},
        {.what = "wildcard_cname", .set = "main", .q = {.name = "x.wc.lan."},
         .e = {.aa = true, .an = {"x.wc.lan. 300 CNAME www.lan.", "www.lan. 300 A 198.18.0.10"}}},
        {.what = "wildcard_cname_qtype_CNAME", .set = "main", .q = {.name = "x.wc.lan.", .type = CNAME},
         .e = {.aa = true, .an = {"x.wc.lan. 300 CNAME www.lan."}}},
        // RFC 4592 §2.2.1's example zone and its listed answers.
        {.what = "rfc4592_host3_MX_synthesised", .set = "rfc4592", .q = {.name = "host3.example.", .type = MX},
         .e = {.aa = true, .an = {"host3.example. 3600 MX 10 host1.example."}}},
        {.what = "rfc4592_host3_A_nodata", .set = "rfc4592", .q = {.name = "host3.example."},
         .e = {.aa = true, .ns = {kExampleSoa}}},
        {.what = "rfc4592_foo_bar_TXT_synthesised", .set = "rfc4592",
         .q = {.name = "foo.bar.example.", .type = TXT},
         .e = {.aa = true, .an = {"foo.bar.example. 3600 TXT \"this is a wildcard\""}}},
        {.what = "rfc4592_host1_MX_nodata", .set = "rfc4592", .q = {.name = "host1.example.", .type = MX},
         .e = {.aa = true, .ns = {kExampleSoa}}},
        {.what = "rfc4592_sub_star_MX_nodata", .set = "rfc4592", .q = {.name = "sub.*.example.", .type = MX},
         .e = {.aa = true, .ns = {kExampleSoa}}},
        {.what = "rfc4592_telnet_tcp_host1_nxdomain", .set = "rfc4592",
         .q = {.name = "_telnet._tcp.host1.example.", .type = SRV},
         .e = {.rcode = 3, .aa = true, .ns = {kExampleSoa}}},
        {.what = "rfc4592_host_subdel_referral", .set = "rfc4592", .q = {.name = "host.subdel.example."},
         .e = {.ns = {"subdel.example. 3600 NS ns.example.com.", "subdel.example. 3600 NS ns.example.net."}}},
        {.what = "rfc4592_ghost_star_MX_nxdomain", .set = "rfc4592", .q = {.name = "ghost.*.example.", .type = MX},
         .e = {.rcode = 3, .aa = true, .ns = {kExampleSoa}}},
        {.what = "rfc4592_tcp_host1_ent_nodata", .set = "rfc4592", .q = {.name = "_tcp.host1.example.", .type = SRV},
         .e = {.aa = true, .ns = {kExampleSoa}}},

        // ---- delegations ----------------------------------------------------------------
        {.what = "referral_at_cut", .set = "main", .q = {.name = "sub.lan."},
         .e = {.ns = kSubNs, .ar = kSubGlue}},
        {.what = "referral_below_cut", .set = "main", .q = {.name = "host.sub.lan.", .type = AAAA},
         .e = {.ns = kSubNs, .ar = kSubGlue}},
        {.what = "NS_at_cut_is_a_referral", .set = "main", .q = {.name = "sub.lan.", .type = NS},
         .e = {.ns = kSubNs, .ar = kSubGlue}},
        {.what = "glue_below_cut_not_authoritative", .set = "main", .q = {.name = "ns.sub.lan."},
         .e = {.ns = kSubNs, .ar = kSubGlue}},
        // RFC 4035 §3.1.4.1: DS lives on the parent side of the cut.
        {.what = "DS_at_cut_parent_nodata", .set = "main", .q = {.name = "sub.lan.", .type = DS},
         .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "DS_at_cut_parent_answer", .set = "main", .q = {.name = "ds.lan.", .type = DS},
         .e = {.aa = true, .an = {"ds.lan. 300 DS \\# 4 01020304"}}},
        {.what = "DS_at_apex_nodata", .set = "main", .q = {.name = "lan.", .type = DS},
         .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "DS_below_cut_referral", .set = "main", .q = {.name = "x.sub.lan.", .type = DS},
         .e = {.ns = kSubNs, .ar = kSubGlue}},
        {.what = "referral_case_echo", .set = "main", .q = {.name = "Host.SUB.lan."},
         .e = {.ns = {"SUB.lan. 300 NS ns.SUB.lan.", "SUB.lan. 300 NS ns.other.test."},
               .ar = {"ns.SUB.lan. 300 A 198.18.0.53", "ns.other.test. 60 A 198.18.1.1"}}},

        // ---- nested hosted zones --------------------------------------------------------
        {.what = "nested_child_answers", .set = "nested", .q = {.name = "www.child.lan."},
         .e = {.aa = true, .an = {"www.child.lan. 600 A 198.18.0.61"}}},
        {.what = "nested_child_apex_NS_authoritative", .set = "nested", .q = {.name = "child.lan.", .type = NS},
         .e = {.aa = true, .an = {"child.lan. 600 NS ns.child.lan."}}},
        {.what = "nested_child_apex_not_a_referral", .set = "nested", .q = {.name = "child.lan."},
         .e = {.aa = true, .ns = {kChildSoa}}},
        {.what = "nested_child_glue_is_child_data", .set = "nested", .q = {.name = "ns.child.lan."},
         .e = {.aa = true, .an = {"ns.child.lan. 600 A 198.18.0.60"}}},
        {.what = "nested_child_nxdomain_child_soa", .set = "nested", .q = {.name = "nosuch.child.lan."},
         .e = {.rcode = 3, .aa = true, .ns = {kChildSoa}}},
        {.what = "nested_deep_child_answers", .set = "nested", .q = {.name = "host.kid.deep.lan."},
         .e = {.aa = true, .an = {"host.kid.deep.lan. 600 A 198.18.0.70"}}},
        {.what = "nested_order_independent", .set = "nested_rev", .q = {.name = "www.child.lan."},
         .e = {.aa = true, .an = {"www.child.lan. 600 A 198.18.0.61"}}},
        // deep.lan. owns no data but has a descendant (the parent's delegation to
        // kid.deep.lan.), so it exists: NODATA, not NXDOMAIN (RFC 8020, RFC 4592 §2.2.2).
        {.what = "nested_parent_ent_above_child_nodata", .set = "nested", .q = {.name = "deep.lan."},
         .e = {.aa = true, .ns = {kNestedLanSoa}}},
        {.what = "nested_parent_ent_above_child_nodata_rev", .set = "nested_rev", .q = {.name = "deep.lan."},
         .e = {.aa = true, .ns = {kNestedLanSoa}}},
        // Since deep.lan. exists, *.lan. must not synthesise there (RFC 4592 §4.1 requires
        // the name not to exist).
        {.what = "nested_parent_wildcard_not_at_ent", .set = "nested_wild", .q = {.name = "deep.lan.", .type = TXT},
         .e = {.aa = true, .ns = {kNestedLanSoa}}},
        {.what = "nested_parent_wildcard_not_into_child", .set = "nested_wild",
         .q = {.name = "x.child.lan.", .type = TXT}, .e = {.rcode = 3, .aa = true, .ns = {kChildSoa}}},
        {.what = "nested_parent_wildcard_elsewhere", .set = "nested_wild", .q = {.name = "other.lan.", .type = TXT},
         .e = {.aa = true, .an = {"other.lan. 300 TXT \"parent wildcard\""}}},
        // RFC 4034 §5 / RFC 4035 §3.1.4.1: the DS RRset belongs to the parent side of the cut,
        // and a server authoritative for both answers DS from the parent.
        // Known limitation (no DNSSEC yet): when we host both sides of a cut, DS at the cut is
        // answered from the child (NODATA), not from the parent's data (RFC 4035 §3.1.4.1).
        {.what = "nested_DS_answered_by_child", .set = "nested", .q = {.name = "child.lan.", .type = DS},
         .e = {.aa = true, .ns = {"child.lan. 60 SOA ns.child.lan. hostmaster.child.lan. 1 3600 600 1209600 60"}}},

        // ---- outside our zones, classes, opcodes, malformed -----------------------------
        {.what = "refused_outside", .set = "main", .q = {.name = "www.example.com."}, .e = {.rcode = 5}},
        {.what = "refused_above_hosted_zone", .set = "main", .q = {.name = "test.", .type = NS},
         .e = {.rcode = 5}},
        {.what = "refused_root", .set = "main", .q = {.name = ".", .type = NS}, .e = {.rcode = 5}},
        {.what = "refused_without_zones", .set = "none", .q = {.name = "www.lan."}, .e = {.rcode = 5}},
        {.what = "class_CH_refused", .set = "main", .q = {.name = "www.lan.", .klass = rrclass::CH},
         .e = {.rcode = 5}},
        {.what = "class_CH_refused_with_opt", .set = "main",
         .q = {.name = "version.bind.", .type = TXT, .klass = rrclass::CH, .edns = 1232},
         .e = {.rcode = 5, .opt = Opt{}}},
        {.what = "AXFR_notimp", .set = "main", .q = {.name = "lan.", .type = AXFR}, .e = {.rcode = 4}},
        {.what = "IXFR_notimp", .set = "main", .q = {.name = "lan.", .type = IXFR}, .e = {.rcode = 4}},
        {.what = "qtype_OPT_formerr", .set = "main", .q = {.name = "lan.", .type = OPT}, .e = {.rcode = 1}},
        // QDCOUNT 2: there is no single question to echo (parse_query stops before it).
        {.what = "qdcount_2_formerr", .set = "main", .q = {.name = "www.lan.", .qdcount = 2},
         .e = {.rcode = 1, .question = false}},
        {.what = "non_opt_additional_formerr", .set = "main", .q = {.name = "www.lan.", .extra_rr = true},
         .e = {.rcode = 1}},
        {.what = "opcode_update_notimp", .set = "main", .q = {.name = "lan.", .type = SOA, .opcode = 5},
         .e = {.rcode = 4}},
        {.what = "opcode_notify_notimp", .set = "main", .q = {.name = "lan.", .type = SOA, .opcode = 4},
         .e = {.rcode = 4}},

        // ---- EDNS (RFC 6891) ------------------------------------------------------------
        {.what = "edns_opt_echoed_with_our_size", .set = "main", .q = {.name = "www.lan.", .edns = 4096},
         .e = {.aa = true, .an = {"www.lan. 300 A 198.18.0.10"}, .opt = Opt{}}},
        {.what = "edns_our_size_setting", .set = "main",
         .q = {.name = "www.lan.", .edns = 512, .our_size = 4000},
         .e = {.aa = true, .an = {"www.lan. 300 A 198.18.0.10"}, .opt = Opt{.udp = 4000}}},
        {.what = "edns_do_bit_echoed", .set = "main", .q = {.name = "www.lan.", .edns = 1232, .do_bit = true},
         .e = {.aa = true, .an = {"www.lan. 300 A 198.18.0.10"}, .opt = Opt{.do_bit = true}}},
        {.what = "edns_nxdomain", .set = "main", .q = {.name = "nosuch.lan.", .edns = 1232},
         .e = {.rcode = 3, .aa = true, .ns = {kLanSoa}, .opt = Opt{}}},
        {.what = "edns_badvers", .set = "main", .q = {.name = "www.lan.", .edns = 1232, .version = 1},
         .e = {.rcode = 16, .opt = Opt{}}},
        {.what = "edns_badvers_keeps_do", .set = "main",
         .q = {.name = "www.lan.", .edns = 1232, .version = 7, .do_bit = true},
         .e = {.rcode = 16, .opt = Opt{.do_bit = true}}},

        // ---- truncation (RFC 2181 §9: whole RRsets only) --------------------------------
        {.what = "tc_large_rrset_without_edns", .set = "main", .q = {.name = "big.lan."},
         .e = {.aa = true, .tc = true}},
        {.what = "tc_large_rrset_edns_512", .set = "main", .q = {.name = "big.lan.", .edns = 512},
         .e = {.aa = true, .tc = true, .opt = Opt{}}},
        {.what = "tc_client_size_below_512_counts_as_512", .set = "main", .q = {.name = "big.lan.", .edns = 100},
         .e = {.aa = true, .tc = true, .opt = Opt{}}},
        {.what = "large_rrset_fits_with_edns_4096", .set = "main", .q = {.name = "big.lan.", .edns = 4096},
         .e = {.aa = true, .an = big, .opt = Opt{}}},
        {.what = "tc_after_cname", .set = "main", .q = {.name = "tobig.lan."},
         .e = {.aa = true, .tc = true, .an = {"tobig.lan. 300 CNAME big.lan."}}},
        {.what = "glue_that_does_not_fit_dropped_without_tc", .set = "main", .q = {.name = "x.bigref.lan."},
         .e = {.ns = {"bigref.lan. 300 NS ns.bigref.lan."}}},
        {.what = "glue_fits_with_edns", .set = "main", .q = {.name = "x.bigref.lan.", .edns = 1232},
         .e = {.ns = {"bigref.lan. 300 NS ns.bigref.lan."}, .ar = bigref_glue, .opt = Opt{}}},

        // ---- ANY (RFC 8482 §4.1: one RRset) ---------------------------------------------
        {.what = "ANY_one_rrset", .set = "main", .q = {.name = "www.lan.", .type = ANY},
         .e = {.aa = true, .an = {"www.lan. 300 A 198.18.0.10"}}},
        {.what = "ANY_at_apex_one_rrset", .set = "main", .q = {.name = "lan.", .type = ANY},
         .e = {.aa = true, .an = {"lan. 3600 NS ns.lan.", "lan. 3600 NS ns.other.test."}}},
        {.what = "ANY_at_cname_follows", .set = "main", .q = {.name = "alias.lan.", .type = ANY},
         .e = {.aa = true, .an = {"alias.lan. 300 CNAME www.lan.", "www.lan. 300 A 198.18.0.10"}}},
        {.what = "ANY_at_ent_nodata", .set = "main", .q = {.name = "c.lan.", .type = ANY},
         .e = {.aa = true, .ns = {kLanSoa}}},
        {.what = "ANY_nxdomain", .set = "main", .q = {.name = "nosuch.lan.", .type = ANY},
         .e = {.rcode = 3, .aa = true, .ns = {kLanSoa}}},

        // ---- longest names --------------------------------------------------------------
        {.what = "qname_255_octets_exact", .set = "main", .q = {.name = long_lan_mixed},
         .e = {.aa = true, .an = {long_lan_mixed + " 300 A 198.18.0.99"}}},
        {.what = "qname_255_octets_124_labels_wildcard", .set = "main", .q = {.name = long_wild},
         .e = {.aa = true, .an = {long_wild + " 300 A 198.18.0.40"}}},
        {.what = "qname_255_octets_nxdomain", .set = "main", .q = {.name = name_of_length(255, "lan.", 60)},
         .e = {.rcode = 3, .aa = true, .ns = {kLanSoa}}},

        // ---- generated SOA/NS (zone_builder.cpp) ----------------------------------------
        {.what = "generated_SOA", .set = "generated", .q = {.name = "gen.test.", .type = SOA},
         .e = {.aa = true, .an = {"gen.test. 3600 SOA ns.gen.test. hostmaster.gen.test. 7 3600 600 1209600 300"}}},
        {.what = "generated_NS", .set = "generated", .q = {.name = "gen.test.", .type = NS},
         .e = {.aa = true, .an = {"gen.test. 3600 NS ns.gen.test."}}},
        {.what = "generated_ns_address", .set = "generated", .q = {.name = "ns.gen.test."},
         .e = {.aa = true, .an = {"ns.gen.test. 3600 A 198.18.0.1"}}},
        {.what = "generated_ns_address6", .set = "generated", .q = {.name = "ns.gen.test.", .type = AAAA},
         .e = {.aa = true, .an = {"ns.gen.test. 3600 AAAA 2001:db8::1"}}},
        {.what = "generated_zone_inline_record", .set = "generated", .q = {.name = "host.gen.test."},
         .e = {.aa = true, .an = {"host.gen.test. 3600 A 198.18.0.77"}}},
        {.what = "generated_zone_nxdomain", .set = "generated", .q = {.name = "nosuch.gen.test."},
         .e = {.rcode = 3, .aa = true, .ns = {kGenSoa}}},
    };
    // clang-format on
    return rows;
}

const std::vector<Row>& all_rows() {
    static const std::vector<Row> rows = table();
    return rows;
}

V section_text(const std::vector<wt::DecodedRr>& rrs, bool skip_opt) {
    V out;
    for (const auto& rr : rrs)
        if (!(skip_opt && rr.type == OPT)) out.push_back(render(rr));
    return out;
}

class AnswerTable : public ::testing::TestWithParam<Row> {};

TEST_P(AnswerTable, Row) {
    const Row& row = GetParam();
    if (!row.bug.empty()) std::cout << "[ KNOWN BUG ] " << row.what << ": " << row.bug << "\n";
    SCOPED_TRACE(row.bug.empty() ? std::string("row ") + row.what
                                 : "KNOWN BUG row " + row.what + ": " + row.bug);
    const ZoneView* zv = zone_set(row.set);
    if (row.set != "none") {
        ASSERT_NE(zv, nullptr);
    }

    const wt::Bytes query = build_query(row.q);
    constexpr uint16_t kCap = 1472;  // an Ethernet MTU minus IPv4 and UDP headers
    std::vector<uint8_t> buf(kCap, 0xee);
    std::memcpy(buf.data(), query.data(), query.size());
    DnsSettings settings;
    settings.udp_payload_size = row.q.our_size;
    DnsStats stats;
    const uint16_t n =
        answer_query(zv, settings, buf.data(), static_cast<uint16_t>(query.size()), kCap, stats);
    ASSERT_GT(n, 0u) << "dropped";
    uint16_t limit = 512;
    if (row.q.edns && row.q.version == 0)
        limit = std::max<uint16_t>(512, std::min<uint16_t>(*row.q.edns, row.q.our_size));
    EXPECT_LE(n, std::max<uint16_t>(limit, static_cast<uint16_t>(query.size())));

    const wt::Exact exact(wt::Bytes(buf.begin(), buf.begin() + n));
    const auto d = wt::decode_response(exact.p.get(), exact.len());
    ASSERT_TRUE(d.has_value());

    // Header: id and opcode kept, QR set, RD echoed for a QUERY, RA clear (RFC 1035 §4.1.1).
    EXPECT_EQ(d->id, 0x5a5a);
    EXPECT_TRUE(d->flags & 0x8000) << "QR";
    EXPECT_EQ((d->flags >> 11) & 0xf, row.q.opcode) << "opcode";
    EXPECT_EQ((d->flags & 0x0100) != 0, row.q.opcode == 0) << "RD";
    EXPECT_FALSE(d->flags & 0x0080) << "RA";
    EXPECT_EQ((d->flags & 0x0400) != 0, row.e.aa) << "AA";
    EXPECT_EQ((d->flags & 0x0200) != 0, row.e.tc) << "TC";

    // The question comes back byte for byte (the client's case included).
    if (row.e.question) {
        ASSERT_EQ(d->qdcount, 1);
        const size_t qlen = wt::name(row.q.name).size() + 4;
        EXPECT_EQ(wt::hex(buf.data() + 12, qlen), wt::hex(query.data() + 12, qlen)) << "question";
    } else {
        EXPECT_EQ(d->qdcount, 0);
    }

    EXPECT_EQ(section_text(d->section[0], false), row.e.an) << "answer";
    EXPECT_EQ(section_text(d->section[1], false), row.e.ns) << "authority";
    EXPECT_EQ(section_text(d->section[2], true), row.e.ar) << "additional";

    // OPT: last in the additional section, ours, and carrying the extended rcode bits.
    const wt::DecodedRr* opt = nullptr;
    size_t opts = 0;
    for (const auto& rr : d->section[2])
        if (rr.type == OPT) {
            opt = &rr;
            ++opts;
        }
    uint16_t ext = 0;
    if (row.e.opt) {
        ASSERT_EQ(opts, 1u) << "one OPT expected";
        EXPECT_EQ(&d->section[2].back(), opt) << "OPT is last";
        EXPECT_EQ(opt->owner, wt::Bytes{0});
        EXPECT_EQ(opt->klass, row.e.opt->udp) << "OPT payload size";
        EXPECT_EQ((opt->ttl >> 16) & 0xff, 0u) << "OPT version";
        EXPECT_EQ((opt->ttl & 0x8000) != 0, row.e.opt->do_bit) << "DO";
        EXPECT_EQ(opt->ttl & 0x7fff, 0u) << "Z";
        EXPECT_TRUE(opt->rdata.empty());
        ext = static_cast<uint16_t>(opt->ttl >> 24);
    } else {
        EXPECT_EQ(opts, 0u) << "no OPT expected";
    }
    EXPECT_EQ(d->flags & 0xf, row.e.rcode & 0xf) << "header rcode";
    EXPECT_EQ(static_cast<uint16_t>(ext << 4 | (d->flags & 0xf)), row.e.rcode) << "full rcode";

    // Counters agree with what was sent.
    EXPECT_EQ(stats.queries.get(), 1u);
    EXPECT_EQ(stats.responses.get(), 1u);
    EXPECT_EQ(stats.truncated.get(), row.e.tc ? 1u : 0u);
}

std::string param_name(const ::testing::TestParamInfo<Row>& info) {
    std::string s = info.param.bug.empty() ? info.param.what : "BUG_" + info.param.what;
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(Lookup, AnswerTable, ::testing::ValuesIn(all_rows()), param_name);

TEST(AnswerTableMeta, RowNamesAreUnique) {
    std::set<std::string> names;
    for (const auto& r : all_rows()) EXPECT_TRUE(names.insert(r.what).second) << r.what;
    std::cout << all_rows().size() << " rows\n";
}

}  // namespace
}  // namespace edgelease::dataplane::dns::answer_test
