#pragma once
// An allocator for the control plane's big flat tables (a million leases, records, index
// slots): blocks of 4 MiB and more are 2 MiB-aligned and advised as transparent huge pages
// (MADV_HUGEPAGE), so that random look-ups into them miss the TLB far less often (on a VM a
// TLB miss walks two page tables). Smaller blocks come from operator new as usual. The
// kernel may still back a block with small pages (no huge page free, THP disabled): then it
// behaves as any other allocation.
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace edgelease {

template <class T>
struct HugePageAllocator {
    using value_type = T;
    static constexpr size_t kHuge = size_t{2} << 20;

    HugePageAllocator() noexcept = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT

    T* allocate(size_t n) {
        if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
        const size_t bytes = n * sizeof(T);
        if (bytes < 2 * kHuge) return static_cast<T*>(::operator new(bytes));
        const size_t len = (bytes + kHuge - 1) & ~(kHuge - 1);
        void* p = std::aligned_alloc(kHuge, len);
        if (p == nullptr) throw std::bad_alloc();
        madvise(p, len, MADV_HUGEPAGE);  // advice only: small pages if it is not taken
        return static_cast<T*>(p);
    }
    void deallocate(T* p, size_t n) noexcept {
        if (n * sizeof(T) < 2 * kHuge)
            ::operator delete(p);
        else
            std::free(p);
    }
    template <class U>
    bool operator==(const HugePageAllocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace edgelease
