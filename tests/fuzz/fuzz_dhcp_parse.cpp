// libFuzzer target: the UDP payload of a datagram to port 67 through parse_request, on a
// heap copy of exactly the input's size so ASan catches any read past the datagram.
#include <cstdint>
#include <cstring>
#include <memory>

#include "dataplane/dhcp/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 0xffff) return 0;
    std::unique_ptr<uint8_t[]> copy(new uint8_t[size == 0 ? 1 : size]);
    if (size != 0) std::memcpy(copy.get(), data, size);
    edgelease::dataplane::dhcp::DhcpRequest req{};
    (void)edgelease::dataplane::dhcp::parse_request(copy.get(), static_cast<uint16_t>(size), req);
    return 0;
}
