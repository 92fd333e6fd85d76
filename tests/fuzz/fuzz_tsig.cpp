// libFuzzer target: a DNS message through the TSIG check a server runs on every signed UPDATE
// and transfer request (tsig::verify_request), on a heap copy of exactly the input's size so
// ASan catches any read past the message. What it finds must hold together (the record inside
// the message), and an answer signed for any verdict must carry a TSIG that find() reads back.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "control/tsig/tsig.hpp"

namespace {

using namespace edgelease::control;

void check(bool ok) {
    if (!ok) std::abort();
}

const tsig::Key kKeys[] = {
    {{8, 'd', 'd', 'n', 's', '-', 'k', 'e', 'y', 0},
     tsig::Algorithm::HmacSha256,
     std::vector<uint8_t>(32, 0x5a)},
    {{3, 'x', 'f', 'r', 0}, tsig::Algorithm::HmacSha512, std::vector<uint8_t>(64, 0xa5)},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto buf = std::make_unique<uint8_t[]>(size == 0 ? 1 : size);
    if (size != 0) std::memcpy(buf.get(), data, size);
    const uint64_t now = 1'800'000'000;
    const tsig::Checked c = tsig::verify_request(buf.get(), size, kKeys, now);
    if (c.verdict == tsig::Verdict::Unsigned || c.verdict == tsig::Verdict::FormErr) return 0;
    check(c.tsig.offset >= 12 && c.tsig.offset < size);
    check(c.tsig.key_name.size() <= 255 && c.tsig.algorithm.size() <= 255);
    const bool keyed = c.verdict == tsig::Verdict::Ok || c.verdict == tsig::Verdict::BadTime ||
                       c.verdict == tsig::Verdict::BadTrunc;
    check(keyed == (c.key != nullptr));
    // An answer: the request's header, as a response, then the TSIG the verdict calls for.
    std::vector<uint8_t> answer(buf.get(), buf.get() + 12);
    answer[2] |= 0x80;
    std::memset(answer.data() + 4, 0, 8);
    check(tsig::sign_answer(answer, c, now));
    tsig::Record r;
    check(tsig::find(answer.data(), answer.size(), r) == tsig::Found::Found);
    check(r.key_name == c.tsig.key_name);
    if (keyed)
        check(tsig::verify_answer(answer.data(), answer.size(), *c.key, c.tsig.mac, now) !=
              tsig::Verdict::BadSig);
    return 0;
}
