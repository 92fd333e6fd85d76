// The command line and the reports.
#include <gtest/gtest.h>

#include <vector>

#include "loadgen/options.hpp"
#include "loadgen/report.hpp"

namespace edgelease::loadgen {
namespace {

ParseOutcome parse(std::vector<const char*> args) {
    args.insert(args.begin(), "edgelease-loadgen");
    return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(Options, DhcpWithEveryKnob) {
    auto r = parse({"dhcp",
                    "--clients",
                    "5000",
                    "--rate",
                    "20000",
                    "--outstanding",
                    "512",
                    "--count",
                    "100000",
                    "--duration",
                    "0",
                    "--relays",
                    "4",
                    "--relay-base",
                    "198.19.0.10",
                    "--option82",
                    "--client-id",
                    "--hostname",
                    "--mix",
                    "renew=3,release=1,restart=1",
                    "--timeout",
                    "250",
                    "--retries",
                    "1",
                    "--server",
                    "198.18.0.9",
                    "--server-mac",
                    "02:00:00:00:00:09",
                    "--json",
                    "--",
                    "--no-huge",
                    "--vdev=net_memif0,role=client"});
    ASSERT_TRUE(r.options) << r.message;
    const Options& o = *r.options;
    EXPECT_EQ(o.mode, Mode::Dhcp);
    EXPECT_EQ(o.clients, 5000u);
    EXPECT_EQ(o.rate, 20000);
    EXPECT_EQ(o.outstanding, 512u);
    EXPECT_EQ(o.count, 100000u);
    EXPECT_EQ(o.relays, 4u);
    EXPECT_EQ(o.relay_base.value, 0xc613000au);
    EXPECT_TRUE(o.option82 && o.client_id && o.hostname && o.json);
    EXPECT_EQ(o.dhcp_mix.renew, 3u);
    EXPECT_EQ(o.dhcp_mix.release, 1u);
    EXPECT_EQ(o.dhcp_mix.restart, 1u);
    EXPECT_EQ(o.timeout_ms, 250u);
    EXPECT_EQ(o.retries, 1);
    EXPECT_EQ(o.server.value, 0xc6120009u);
    ASSERT_TRUE(o.server_mac);
    EXPECT_EQ(o.server_mac->bytes[5], 9);
    EXPECT_EQ(o.eal_args, (std::vector<std::string>{"--no-huge", "--vdev=net_memif0,role=client"}));
}

TEST(Options, Dhcp6WithEveryKnob) {
    auto r = parse({"dhcp6",
                    "--clients",
                    "2000",
                    "--relays",
                    "8",
                    "--relay-base",
                    "2001:db8:7::1",
                    "--ia",
                    "pd,na",
                    "--rapid-commit",
                    "--duid",
                    "llt",
                    "--hostname",
                    "--mix",
                    "renew=2,release=1,restart=1",
                    "--server",
                    "2001:db8::9",
                    "--server-mac",
                    "02:00:00:00:00:09",
                    "--retries",
                    "3",
                    "--timeout",
                    "500",
                    "--count",
                    "50000",
                    "--rate",
                    "1000",
                    "--json"});
    ASSERT_TRUE(r.options) << r.message;
    const Options& o = *r.options;
    EXPECT_EQ(o.mode, Mode::Dhcp6);
    EXPECT_EQ(o.clients, 2000u);
    EXPECT_EQ(o.relays, 8u);
    EXPECT_EQ(net::to_string(o.relay_base6), "2001:db8:7::1");
    EXPECT_EQ(net::to_string(o.server6), "2001:db8::9");
    EXPECT_TRUE(o.ia_na && o.ia_pd && o.rapid_commit && o.hostname && o.json);
    EXPECT_EQ(o.duid, DuidKind::Llt);
    EXPECT_EQ(o.dhcp_mix.renew, 2u);
    EXPECT_EQ(o.dhcp_mix.restart, 1u);
    EXPECT_EQ(o.retries, 3);
    EXPECT_EQ(o.timeout_ms, 500u);
    ASSERT_TRUE(o.server_mac);

    auto d = parse({"dhcp6"});
    ASSERT_TRUE(d.options) << d.message;
    EXPECT_TRUE(d.options->ia_na);
    EXPECT_FALSE(d.options->ia_pd);
    EXPECT_FALSE(d.options->rapid_commit);
    EXPECT_EQ(d.options->duid, DuidKind::Ll);
    EXPECT_EQ(d.options->relays, 0u);
    EXPECT_EQ(net::to_string(d.options->server6), "2001:db8::1");
    EXPECT_EQ(net::to_string(d.options->relay_base6), "2001:db8:1::1");
    EXPECT_EQ(d.options->dhcp_mix.release, 1u);

    const std::vector<std::vector<const char*>> bad{
        {"dhcp6", "--ia", "ta"},
        {"dhcp6", "--ia", "na,na"},
        {"dhcp6", "--ia", ""},
        {"dhcp6", "--duid", "en"},
        {"dhcp6", "--server", "198.18.0.1"},
        {"dhcp6", "--server", "ff02::1:2"},
        {"dhcp6", "--relay-base", "fe80::1"},
        {"dhcp6", "--source", "198.18.0.2"},  // v4 only
        {"dhcp6", "--option82"},              // v4 only
        {"dhcp6", "--mix", "renew=0"},
    };
    for (const auto& args : bad) {
        auto b = parse(args);
        EXPECT_FALSE(b.options) << args.back();
        EXPECT_NE(b.exit_code, 0);
    }
    bool na = false, pd = false;
    parse_ia("pd", na, pd);
    EXPECT_TRUE(!na && pd);
}

TEST(Options, DnsDefaultsAndChecks) {
    auto r = parse({"dns", "--zone", "lan.zone", "--origin", "lan.", "--types", "A=3,AAAA=1",
                    "--mix", "hit=8,nxdomain=1,nodata=1"});
    ASSERT_TRUE(r.options) << r.message;
    EXPECT_EQ(r.options->mode, Mode::Dns);
    EXPECT_EQ(r.options->rate, 0);  // closed loop
    EXPECT_EQ(r.options->duration_s, 10);
    EXPECT_EQ(r.options->edns, 1232);
    EXPECT_EQ(r.options->dns_mix.nodata, 1u);

    const std::vector<std::vector<const char*>> bad{
        {"dns"},                                                         // no query source
        {"dns", "--queries", "q.txt", "--zone", "z", "--origin", "z."},  // two sources
        {"dns", "--zone", "z"},                                          // no origin
        {"dns", "--queries", "q", "--duration", "0"},                    // never ends
        {"dns", "--queries", "q", "--edns", "100"},
        {"dns", "--queries", "q", "--types", "BOGUS"},
        {"dns", "--queries", "q", "--mix", "hit=0"},
        {"dhcp", "--option82"},  // no relays
        {"dhcp", "--mix", "renew=1,sleep=2"},
        {"dhcp", "--mac-base", "01:00:5e:00:00:01"},
        {"dhcp", "--server", "not-an-address"},
        {"dhcp", "--outstanding", "0"},
        {},  // no mode
    };
    for (const auto& args : bad) {
        auto b = parse(args);
        EXPECT_FALSE(b.options) << (args.empty() ? "(none)" : args.back());
        EXPECT_NE(b.exit_code, 0);
        EXPECT_FALSE(b.message.empty());
    }
    auto help = parse({"dns", "--help"});
    EXPECT_FALSE(help.options);
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.message.find("--outstanding"), std::string::npos);
}

TEST(Options, Mixes) {
    EXPECT_EQ(parse_dhcp_mix("release=2").release, 2u);
    EXPECT_EQ(parse_dhcp_mix("release=2").renew, 0u);
    EXPECT_THROW(parse_dhcp_mix("renew=1,renew=2"), std::invalid_argument);
    EXPECT_THROW(parse_dhcp_mix("renew"), std::invalid_argument);
    EXPECT_THROW(parse_dns_mix("hit=-1"), std::invalid_argument);
    EXPECT_THROW(parse_dns_mix(""), std::invalid_argument);
    EXPECT_EQ(parse_dns_mix("nxdomain=1").nxdomain, 1u);
}

TEST(Report, JsonAndTextCarryTheFigures) {
    RunReport r;
    r.mode = "dns";
    r.port = "net_memif0";
    r.elapsed_s = 2.0;
    r.sent = 1000;
    r.answered = 990;
    r.lost = 10;
    r.rcode[0] = 900;
    r.rcode[3] = 90;
    LatencyHistogram h;
    for (int i = 1; i <= 100; ++i) h.record(static_cast<uint64_t>(i) * 1000);
    r.latency = summarize(h);
    const auto j = to_json(r);
    const auto back = nlohmann::json::parse(j.dump());
    EXPECT_EQ(back["answered"], 990);
    EXPECT_DOUBLE_EQ(back["qps_answered"].get<double>(), 495.0);
    EXPECT_DOUBLE_EQ(back["loss_ratio"].get<double>(), 0.01);
    EXPECT_EQ(back["rcodes"]["NXDOMAIN"], 90);
    EXPECT_NEAR(back["latency"]["p50_us"].get<double>(), 50.0, 50.0 / LatencyHistogram::kSub);
    EXPECT_DOUBLE_EQ(back["latency"]["max_us"].get<double>(), 100.0);
    EXPECT_EQ(back["latency"]["samples"], 100);
    const std::string text = to_text(r);
    EXPECT_NE(text.find("answered           990"), std::string::npos) << text;
    EXPECT_NE(text.find("NXDOMAIN 90"), std::string::npos) << text;

    RunReport d;
    d.mode = "dhcp";
    d.elapsed_s = 4;
    d.leases = 400;
    d.exchanges = 1000;
    const auto dj = nlohmann::json::parse(to_json(d).dump());
    EXPECT_DOUBLE_EQ(dj["leases_per_s"].get<double>(), 100.0);
    EXPECT_DOUBLE_EQ(dj["exchanges_per_s"].get<double>(), 250.0);
    EXPECT_FALSE(dj.contains("qps_answered"));
    EXPECT_NE(to_text(d).find("400 leases"), std::string::npos);
}

TEST(Report, Dhcp6JsonNamesItsOwnFigures) {
    RunReport d;
    d.mode = "dhcp6";
    d.family = 6;
    d.ia = "na,pd";
    d.rapid_commit = true;
    d.relays = 4;
    d.elapsed_s = 2;
    d.dora_started = 310;
    d.leases = 300;
    d.rapid_leases = 300;
    d.addresses = 300;
    d.prefixes = 290;
    d.exchanges = 600;
    d.renew_acks = 7;
    d.release_replies = 9;
    d.refused = 10;
    d.status_codes[2] = 10;
    d.status_codes[0] = 9;
    const auto j = nlohmann::json::parse(to_json(d).dump());
    EXPECT_EQ(j["family"], 6);
    EXPECT_EQ(j["ia"], "na,pd");
    EXPECT_EQ(j["rapid_commit"], true);
    EXPECT_EQ(j["relays"], 4);
    EXPECT_EQ(j["acquisitions_started"], 310);
    EXPECT_EQ(j["leases"], 300);
    EXPECT_DOUBLE_EQ(j["leases_per_s"].get<double>(), 150.0);
    EXPECT_DOUBLE_EQ(j["exchanges_per_s"].get<double>(), 300.0);
    EXPECT_EQ(j["rapid_commit_leases"], 300);
    EXPECT_EQ(j["prefixes"], 290);
    EXPECT_EQ(j["renew_replies"], 7);
    EXPECT_EQ(j["release_replies"], 9);
    EXPECT_EQ(j["refused"], 10);
    EXPECT_EQ(j["status_codes"]["NoAddrsAvail"], 10);
    EXPECT_EQ(j["status_codes"]["Success"], 9);
    EXPECT_FALSE(j["status_codes"].contains("NoBinding"));
    EXPECT_TRUE(j.contains("acquisition_latency"));
    EXPECT_FALSE(j.contains("dora_started"));
    EXPECT_FALSE(j.contains("naks"));
    const std::string text = to_text(d);
    EXPECT_NE(text.find("300 leases"), std::string::npos) << text;
    EXPECT_NE(text.find("NoAddrsAvail 10"), std::string::npos) << text;
    EXPECT_NE(text.find("Rapid Commit"), std::string::npos) << text;

    RunReport v4;
    v4.mode = "dhcp";
    EXPECT_EQ(nlohmann::json::parse(to_json(v4).dump())["family"], 4);
    RunReport dns;
    dns.mode = "dns";
    EXPECT_FALSE(nlohmann::json::parse(to_json(dns).dump()).contains("family"));
}

TEST(Report, Formatting) {
    EXPECT_EQ(si(999), "999");
    EXPECT_EQ(si(12345), "12.3k");
    EXPECT_EQ(si(8123456), "8.12M");
    EXPECT_EQ(rcode_name(0), "NOERROR");
    EXPECT_EQ(rcode_name(3), "NXDOMAIN");
    EXPECT_EQ(rcode_name(12), "RCODE12");
}

}  // namespace
}  // namespace edgelease::loadgen
