#pragma once
// Byte strings held in 1 MiB chunks instead of one heap block each: a slab allocator with a
// free list per size (in 8-byte units). The zone store interns a million owner names and
// provenance owners with it; a std::string each cost its 32-byte object plus a 32- or
// 64-byte heap block, here a name takes its length rounded up to 8 and a 4-byte reference.
//
// A reference stays valid until the string is freed (chunks never move). Freed blocks are
// reused by strings of the same rounded size; chunks are only returned by clear() or the
// destructor. Not thread-safe: one owner (the control lcore).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace edgelease::detail {

class TextArena {
  public:
    using Ref = uint32_t;
    static constexpr size_t kMaxLen = 65535;

    /// Copies `s` in. Throws std::length_error above kMaxLen, std::bad_alloc.
    Ref add(std::string_view s) {
        if (s.size() > kMaxLen) throw std::length_error("TextArena: string too long");
        const uint32_t units = units_of(s.size());
        Ref r;
        if (units < free_.size() && free_[units] != kNone) {
            r = free_[units];
            std::memcpy(&free_[units], at(r), sizeof(Ref));
        } else {
            if (chunks_.empty() || used_ + units > kChunkUnits) {
                if (chunks_.size() >= kMaxChunks) throw std::bad_alloc();
                chunks_.push_back(std::make_unique_for_overwrite<uint64_t[]>(kChunkUnits));
                used_ = 0;
            }
            r = static_cast<Ref>(((chunks_.size() - 1) << kUnitBits) | used_);
            used_ += units;
        }
        if (!s.empty()) std::memcpy(at(r), s.data(), s.size());
        bytes_ += size_t{units} * 8;
        return r;
    }

    /// Gives the block of a string of length `len` back for reuse.
    void free(Ref r, size_t len) {
        const uint32_t units = units_of(len);
        if (units >= free_.size()) free_.resize(units + 1, kNone);
        std::memcpy(at(r), &free_[units], sizeof(Ref));
        free_[units] = r;
        bytes_ -= size_t{units} * 8;
    }

    std::string_view view(Ref r, size_t len) const noexcept {
        return {reinterpret_cast<const char*>(at(r)), len};
    }

    /// Bytes in strings now (rounded up to 8 each); chunks hold at least this.
    size_t bytes() const noexcept { return bytes_; }
    size_t chunk_bytes() const noexcept { return chunks_.size() * kChunkUnits * 8; }

  private:
    static constexpr uint32_t kUnitBits = 17;  // 1 MiB chunk = 2^17 units of 8 bytes
    static constexpr uint32_t kChunkUnits = 1u << kUnitBits;
    // 32 GiB in all; the last unit of the last chunk is never reached, so kNone is no block.
    static constexpr size_t kMaxChunks = (size_t{1} << (32 - kUnitBits)) - 1;
    static constexpr Ref kNone = UINT32_MAX;

    static uint32_t units_of(size_t len) noexcept {
        return static_cast<uint32_t>(len == 0 ? 1 : (len + 7) / 8);
    }
    uint64_t* at(Ref r) const noexcept {
        return chunks_[r >> kUnitBits].get() + (r & (kChunkUnits - 1));
    }

    std::vector<std::unique_ptr<uint64_t[]>> chunks_;
    uint32_t used_ = 0;      // units used in the last chunk
    std::vector<Ref> free_;  // by units: the first free block of that size
    size_t bytes_ = 0;
};

}  // namespace edgelease::detail
