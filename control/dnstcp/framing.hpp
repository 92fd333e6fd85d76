#pragma once
// RFC 1035 §4.2.2 / RFC 7766 §8: over TCP every DNS message is preceded by its length, two
// octets in network order. A Deframer collects what a connection reads and cuts it into
// messages. Pure: no sockets, no DPDK; its memory is bounded by one largest message plus
// one read.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace edgelease::control::dnstcp {

class Deframer {
  public:
    static constexpr size_t kLengthSize = 2;
    static constexpr size_t kMinMessage = 12;  // a DNS header
    static constexpr size_t kMaxMessage = 65535;
    /// Octets a Deframer holds at most: one whole largest message and its length, plus
    /// one read.
    static constexpr size_t kReadSize = 16384;
    static constexpr size_t kMaxBuffered = kLengthSize + kMaxMessage + kReadSize;

    enum class Next : uint8_t {
        NeedMore,  // no complete message buffered
        Message,   // `msg` is the next message
        Bad,       // a length below a DNS header: the stream cannot be trusted any more
    };

    /// Where the next read may write: up to kReadSize octets, fewer when the buffer is
    /// near its bound (empty: take messages out with next() first).
    std::span<uint8_t> space();
    /// `n` octets were written at the start of space().
    void commit(size_t n) noexcept { end_ += n; }
    /// The next complete message (valid until the next call to space()).
    Next next(std::span<const uint8_t>& msg) noexcept;
    /// Octets buffered and not yet returned by next().
    size_t buffered() const noexcept { return end_ - begin_; }
    /// Memory held (for the connection's bound and the gauges).
    size_t capacity() const noexcept { return buf_.size(); }

  private:
    std::vector<uint8_t> buf_;
    size_t begin_ = 0;  // first octet not yet returned
    size_t end_ = 0;    // one past the last octet received
};

}  // namespace edgelease::control::dnstcp
