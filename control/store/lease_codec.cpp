#include "control/store/lease_codec.hpp"

#include <cstring>

namespace edgelease::control::store {

namespace {
constexpr uint8_t kVersion = 2;  // 2 added the flags byte (1 is still read)

class Out {
  public:
    Out(uint8_t* p, size_t cap) : p_(p), cap_(cap) {}
    void u8(uint8_t v) { put(&v, 1); }
    void u32(uint32_t v) {
        uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
        put(b, 4);
    }
    void u64(uint64_t v) {
        u32(static_cast<uint32_t>(v >> 32));
        u32(static_cast<uint32_t>(v));
    }
    void blob(const uint8_t* b, size_t n) {
        if (n > 255) {
            ok_ = false;
            return;
        }
        u8(static_cast<uint8_t>(n));
        put(b, n);
    }
    void put(const void* b, size_t n) {
        if (n == 0) return;  // b may be null (an empty vector's data())
        if (!ok_ || pos_ + n > cap_) {
            ok_ = false;
            return;
        }
        std::memcpy(p_ + pos_, b, n);
        pos_ += n;
    }
    size_t done() const { return ok_ ? pos_ : 0; }

  private:
    uint8_t* p_;
    size_t cap_;
    size_t pos_ = 0;
    bool ok_ = true;
};

class In {
  public:
    In(const uint8_t* p, size_t len) : p_(p), len_(len) {}
    uint8_t u8() {
        uint8_t v = 0;
        get(&v, 1);
        return v;
    }
    uint32_t u32() {
        uint8_t b[4] = {};
        get(b, 4);
        return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    }
    uint64_t u64() {
        uint64_t hi = u32();
        return hi << 32 | u32();
    }
    void get(void* b, size_t n) {
        if (!ok_ || pos_ + n > len_) {
            ok_ = false;
            std::memset(b, 0, n);
            return;
        }
        std::memcpy(b, p_ + pos_, n);
        pos_ += n;
    }
    template <typename C>
    void blob(C& out, size_t max) {
        size_t n = u8();
        if (n > max || pos_ + n > len_) {
            ok_ = false;
            return;
        }
        out.assign(p_ + pos_, p_ + pos_ + n);
        pos_ += n;
    }
    bool ok() const { return ok_ && pos_ == len_; }

  private:
    const uint8_t* p_;
    size_t len_;
    size_t pos_ = 0;
    bool ok_ = true;
};
}  // namespace

size_t encode_lease(const dhcp::Lease& l, uint8_t* out, size_t cap) {
    Out o(out, cap);
    o.u8(kVersion);
    o.u32(l.ip);
    o.u32(l.scope);
    o.u8(static_cast<uint8_t>(l.state));
    o.u8(static_cast<uint8_t>(l.client.kind));
    o.blob(l.client.bytes, l.client.len);
    o.put(l.hw.bytes.data(), 6);
    o.u64(static_cast<uint64_t>(l.start));
    o.u64(static_cast<uint64_t>(l.expires));
    o.u64(l.generation);
    o.u32(static_cast<uint32_t>(l.reservation));
    o.blob(reinterpret_cast<const uint8_t*>(l.hostname.data()), l.hostname.size());
    o.blob(l.circuit_id.data(), l.circuit_id.size());
    o.blob(l.remote_id.data(), l.remote_id.size());
    o.u8(l.no_dns ? 1 : 0);
    return o.done();
}

void encode_lease(const dhcp::Lease& l, std::vector<uint8_t>& out) {
    uint8_t buf[kMaxEncodedLease];
    size_t n = encode_lease(l, buf, sizeof buf);
    out.insert(out.end(), buf, buf + n);
}

std::optional<dhcp::Lease> decode_lease(const uint8_t* p, size_t len) {
    In in(p, len);
    const uint8_t version = in.u8();
    if (version != 1 && version != kVersion) return std::nullopt;
    dhcp::Lease l;
    l.ip = in.u32();
    l.scope = in.u32();
    uint8_t state = in.u8();
    if (state > static_cast<uint8_t>(dhcp::LeaseState::Declined)) return std::nullopt;
    l.state = static_cast<dhcp::LeaseState>(state);
    uint8_t kind = in.u8();
    if (kind > dhcp::ClientKey::ClientId) return std::nullopt;
    l.client.kind = static_cast<dhcp::ClientKey::Kind>(kind);
    std::vector<uint8_t> key;
    in.blob(key, dhcp::kMaxClientId);
    l.client.len = static_cast<uint8_t>(key.size());
    if (!key.empty()) std::memcpy(l.client.bytes, key.data(), key.size());
    in.get(l.hw.bytes.data(), 6);
    l.start = static_cast<int64_t>(in.u64());
    l.expires = static_cast<int64_t>(in.u64());
    l.generation = in.u64();
    l.reservation = static_cast<int32_t>(in.u32());
    in.blob(l.hostname, 255);
    in.blob(l.circuit_id, 255);
    in.blob(l.remote_id, 255);
    if (version >= 2) l.no_dns = (in.u8() & 1) != 0;
    if (!in.ok()) return std::nullopt;
    return l;
}

namespace {
constexpr uint8_t kVersion6 = 1;
}

void lease6_key(const dhcp::Lease6Key& k, uint8_t out[kLease6KeyLen]) {
    std::memcpy(out, k.addr.bytes.data(), 16);
    out[16] = k.prefix_len;
    out[17] = static_cast<uint8_t>(k.kind);
}

size_t encode_lease6(const dhcp::Lease6& l, uint8_t* out, size_t cap) {
    Out o(out, cap);
    o.u8(kVersion6);
    o.u8(static_cast<uint8_t>(l.key.kind));
    o.u8(l.key.prefix_len);
    o.put(l.key.addr.bytes.data(), 16);
    o.u32(l.scope);
    o.u8(static_cast<uint8_t>(l.state));
    o.blob(l.duid.data(), l.duid.size());
    o.u32(l.iaid);
    o.u8(l.has_hw ? 1 : 0);
    o.put(l.hw.bytes.data(), 6);
    o.u64(static_cast<uint64_t>(l.start));
    o.u64(static_cast<uint64_t>(l.expires));
    o.u32(l.preferred);
    o.u32(l.valid);
    o.u64(l.generation);
    o.u32(static_cast<uint32_t>(l.reservation));
    o.blob(reinterpret_cast<const uint8_t*>(l.hostname.data()), l.hostname.size());
    o.blob(l.remote_id.data(), l.remote_id.size());
    o.blob(l.interface_id.data(), l.interface_id.size());
    o.u8(l.no_dns ? 1 : 0);
    return o.done();
}

std::optional<dhcp::Lease6> decode_lease6(const uint8_t* p, size_t len) {
    In in(p, len);
    if (in.u8() != kVersion6) return std::nullopt;
    dhcp::Lease6 l;
    const uint8_t kind = in.u8();
    if (kind > static_cast<uint8_t>(dhcp::IaKind::Pd)) return std::nullopt;
    l.key.kind = static_cast<dhcp::IaKind>(kind);
    l.key.prefix_len = in.u8();
    if (l.key.prefix_len > 128 || (l.key.kind == dhcp::IaKind::Na && l.key.prefix_len != 128))
        return std::nullopt;
    in.get(l.key.addr.bytes.data(), 16);
    l.scope = in.u32();
    const uint8_t state = in.u8();
    if (state > static_cast<uint8_t>(dhcp::LeaseState::Declined)) return std::nullopt;
    l.state = static_cast<dhcp::LeaseState>(state);
    in.blob(l.duid, dhcp::kMaxDuid);
    l.iaid = in.u32();
    l.has_hw = (in.u8() & 1) != 0;
    in.get(l.hw.bytes.data(), 6);
    l.start = static_cast<int64_t>(in.u64());
    l.expires = static_cast<int64_t>(in.u64());
    l.preferred = in.u32();
    l.valid = in.u32();
    l.generation = in.u64();
    l.reservation = static_cast<int32_t>(in.u32());
    in.blob(l.hostname, 255);
    in.blob(l.remote_id, 255);
    in.blob(l.interface_id, 255);
    l.no_dns = (in.u8() & 1) != 0;
    if (!in.ok()) return std::nullopt;
    return l;
}

}  // namespace edgelease::control::store
