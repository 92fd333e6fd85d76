// eal_lcore_cpus: the CPUs an EAL argument list pins its lcores to, in the forms the EAL
// accepts (lists, masks, lcore maps; blanks; abbreviated --lcores); cpu_list_text: systemd's
// list syntax.
#include "dataplane/eal_cpus.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using edgelease::dataplane::cpu_list_text;
using edgelease::dataplane::eal_lcore_cpus;
using V = std::vector<unsigned>;

V cpus_of(const std::vector<std::string>& args) {
    std::string error;
    auto r = eal_lcore_cpus(args, error);
    EXPECT_TRUE(error.empty()) << error;
    EXPECT_TRUE(r.has_value());
    return r.value_or(V{});
}

TEST(EalLcoreCpus, NoLcoreOptionIsNoAnswerAndNoError) {
    std::string error = "stale";
    EXPECT_FALSE(eal_lcore_cpus({"-a", "0000:01:00.0", "--file-prefix", "el"}, error));
    EXPECT_TRUE(error.empty());
    // --log-level and -d are not lcore options, whatever follows them.
    EXPECT_FALSE(eal_lcore_cpus({"--log-level", "lib.eal:debug", "-d", "/x"}, error));
    EXPECT_TRUE(error.empty());
}

TEST(EalLcoreCpus, CoreListSeparateAndAttached) {
    EXPECT_EQ(cpus_of({"-a", "0000:01:00.0", "-l", "2,4-6"}), (V{2, 4, 5, 6}));
    EXPECT_EQ(cpus_of({"-l6,2-3"}), (V{2, 3, 6}));
}

TEST(EalLcoreCpus, CoreMask) {
    EXPECT_EQ(cpus_of({"-c", "0x3c"}), (V{2, 3, 4, 5}));
    EXPECT_EQ(cpus_of({"-cF0"}), (V{4, 5, 6, 7}));
    EXPECT_EQ(cpus_of({"-c", "100000000"}), (V{32}));
}

TEST(EalLcoreCpus, LcoresMapsTakeTheCpusAfterTheAt) {
    EXPECT_EQ(cpus_of({"--lcores=(0-3)@(2,3),4@5"}), (V{2, 3, 5}));
    EXPECT_EQ(cpus_of({"--lcores", "0@8,1@(9-10)"}), (V{8, 9, 10}));
    // Without '@' an lcore runs on the CPU of its own number.
    EXPECT_EQ(cpus_of({"--lcores=1,(2-3),7@1"}), (V{1, 2, 3}));
}

TEST(EalLcoreCpus, BlanksAreSkippedAsEalSkipsThem) {
    EXPECT_EQ(cpus_of({"-l", "2, 4-5"}), (V{2, 4, 5}));
    EXPECT_EQ(cpus_of({"--lcores", "0@2, 1@(3, 4)"}), (V{2, 3, 4}));
    EXPECT_EQ(cpus_of({"-c", " 0x6 "}), (V{1, 2}));
}

TEST(EalLcoreCpus, AbbreviatedLcoresIsLcores) {
    EXPECT_EQ(cpus_of({"--lco=0@7"}), (V{7}));
    EXPECT_EQ(cpus_of({"--lc", "0@6"}), (V{6}));
    // Not lcore options: a longer name, and --l (ambiguous for getopt_long).
    std::string error;
    EXPECT_FALSE(eal_lcore_cpus({"--lcoresx=1", "--l", "2"}, error));
    EXPECT_TRUE(error.empty());
}

TEST(EalLcoreCpus, SeveralOptionsAddUp) {
    EXPECT_EQ(cpus_of({"-l", "1", "--lcores=2@3"}), (V{1, 3}));
}

TEST(EalLcoreCpus, UnreadableOptionsAreErrorsNamingThem) {
    for (const std::vector<std::string>& bad :
         std::vector<std::vector<std::string>>{{"-l", "2-1"},
                                               {"-l", "a"},
                                               {"-l", "1,"},
                                               {"-l"},
                                               {"-c", "0xg"},
                                               {"-c", "0"},
                                               {"--lcores=(0-1@2"},
                                               {"--lcores=0@"},
                                               {"--lcores=x@1"},
                                               {"-l", "5000"}}) {
        std::string error;
        EXPECT_FALSE(eal_lcore_cpus(bad, error)) << bad[0];
        EXPECT_NE(error.find("cannot read the CPUs of"), std::string::npos) << error;
        EXPECT_NE(error.find("[dpdk].eal_args"), std::string::npos) << error;
    }
}

TEST(CpuListText, RangesAndSingles) {
    EXPECT_EQ(cpu_list_text({}), "");
    EXPECT_EQ(cpu_list_text({3}), "3");
    EXPECT_EQ(cpu_list_text({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
}

}  // namespace
