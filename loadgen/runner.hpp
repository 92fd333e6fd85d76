#pragma once
// Runs one generator from parsed options: EAL, the port, the server's MAC, the query list
// or client swarm, the generator loop on the main lcore, a reporter thread for progress
// lines and signals, and the final summary. Returns the process exit status: 0 when the
// run completed (whatever the server answered: the numbers say that), 1 when it could not
// start.
#include "loadgen/options.hpp"

namespace edgelease::loadgen {

int run_loadgen(const Options& o);

}  // namespace edgelease::loadgen
