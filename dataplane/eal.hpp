#pragma once
#include <string>
#include <vector>

namespace edgelease::dataplane {

/// Owns the DPDK Environment Abstraction Layer for the life of the process.
/// Construction runs rte_eal_init (throws std::runtime_error with rte_strerror on failure);
/// destruction runs rte_eal_cleanup. Only one may exist at a time (an EAL limitation).
class Eal {
  public:
    explicit Eal(const std::vector<std::string>& argv);
    ~Eal();
    Eal(const Eal&) = delete;
    Eal& operator=(const Eal&) = delete;
};

}  // namespace edgelease::dataplane
