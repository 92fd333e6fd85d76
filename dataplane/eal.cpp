#include "dataplane/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>

#include <stdexcept>

#include "common/log.hpp"

namespace edgelease::dataplane {

Eal::Eal(const std::vector<std::string>& argv) {
    std::string joined;
    std::vector<std::string> copy = argv;  // rte_eal_init may permute argv
    std::vector<char*> ptrs;
    for (auto& a : copy) {
        ptrs.push_back(a.data());
        joined += (joined.empty() ? "" : " ") + a;
    }
    ptrs.push_back(nullptr);
    LOG_INFO("starting EAL: %s", joined.c_str());
    if (rte_eal_init(static_cast<int>(copy.size()), ptrs.data()) < 0)
        throw std::runtime_error(std::string("EAL initialisation failed: ") +
                                 rte_strerror(rte_errno) + " (arguments: " + joined + ")");
}

Eal::~Eal() {
    rte_eal_cleanup();
}

}  // namespace edgelease::dataplane
