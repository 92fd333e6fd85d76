#pragma once
// The lease engines' name for the shared open-addressing index (common/slot_table.hpp).
#include "common/slot_table.hpp"

namespace edgelease::control::dhcp::detail {
using edgelease::detail::kNil;
using edgelease::detail::SlotTable;
}  // namespace edgelease::control::dhcp::detail
