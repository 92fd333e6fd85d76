#include "control/dnstcp/framing.hpp"

#include <algorithm>
#include <cstring>

namespace edgelease::control::dnstcp {

std::span<uint8_t> Deframer::space() {
    if (begin_ == end_) {
        begin_ = end_ = 0;
    } else if (begin_ > 0 && buf_.size() - end_ < kReadSize) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    const size_t room = std::min(kReadSize, kMaxBuffered - end_);
    if (buf_.size() < end_ + room) {
        // Grow in steps: most connections carry small queries and never need more than one
        // read's worth.
        size_t want = std::max(buf_.size() * 2, kReadSize);
        want = std::clamp(want, end_ + room, kMaxBuffered);
        buf_.resize(want);
    }
    return {buf_.data() + end_, room};
}

Deframer::Next Deframer::next(std::span<const uint8_t>& msg) noexcept {
    const size_t have = end_ - begin_;
    if (have < kLengthSize) return Next::NeedMore;
    const uint8_t* p = buf_.data() + begin_;
    const size_t len = size_t{p[0]} << 8 | p[1];
    if (len < kMinMessage) return Next::Bad;
    if (have < kLengthSize + len) return Next::NeedMore;
    msg = {p + kLengthSize, len};
    begin_ += kLengthSize + len;
    return Next::Message;
}

}  // namespace edgelease::control::dnstcp
