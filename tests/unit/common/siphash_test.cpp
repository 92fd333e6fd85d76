// SipHash against the reference: the paper's SipHash-2-4 test vector (Appendix A) and the
// reference implementation's first vectors, which the 1-3 variant shares its code with.
#include "common/siphash.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace edgelease {
namespace {

const SipKey kKey{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};  // octets 00..0f

std::vector<uint8_t> counting(size_t n) {
    std::vector<uint8_t> m(n);
    for (size_t i = 0; i < n; ++i) m[i] = static_cast<uint8_t>(i);
    return m;
}

TEST(SipHash, PaperVector) {
    const auto m = counting(15);
    EXPECT_EQ((siphash<2, 4>(kKey, m.data(), m.size())), 0xa129ca6149be45e5ULL);
}

TEST(SipHash, ReferenceVectorsAtEveryTailLength) {
    // vectors.h of the reference implementation (SipHash-2-4, 64-bit output), inputs 00..n-1.
    const uint64_t want[] = {0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL,
                             0x85676696d7fb7e2dULL, 0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
                             0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL};
    for (size_t n = 0; n < std::size(want); ++n) {
        const auto m = counting(n);
        EXPECT_EQ((siphash<2, 4>(kKey, m.data(), n)), want[n]) << n;
    }
}

TEST(SipHash, TheKeyChangesEveryHash) {
    const auto m = counting(20);
    const SipKey other{kKey.k0 ^ 1, kKey.k1};
    EXPECT_NE((siphash<1, 3>(kKey, m.data(), m.size())),
              (siphash<1, 3>(other, m.data(), m.size())));
    std::set<uint64_t> seen;
    for (size_t n = 0; n <= 20; ++n) seen.insert(siphash<1, 3>(kKey, m.data(), n));
    EXPECT_EQ(seen.size(), 21u);
}

}  // namespace
}  // namespace edgelease
