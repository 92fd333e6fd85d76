#pragma once
// The appliance's counters as a Prometheus text exposition (format 0.0.4), for GET /metrics.
// Served with Content-Type "text/plain; version=0.0.4; charset=utf-8". Rendered from the
// counter catalog (catalog.hpp): one family per entry, in catalog order.
#include <string>

#include "app/catalog.hpp"

namespace edgelease::app {

/// The whole document. Reads only counters and gauges (never the lease engine, which belongs
/// to the control lcore), so it is safe from the management API thread while the appliance
/// runs, and after stop(). Allocates the returned string (about 30 KiB with one worker).
/// Throws only std::bad_alloc (std::logic_error would mean a bug in the catalog).
std::string render_metrics(const MetricsSources& src);

/// render_metrics(sources_of(app)).
std::string render_metrics(const Appliance& app);

}  // namespace edgelease::app
