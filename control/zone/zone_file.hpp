#pragma once
// RFC 1035 §5.1 master ("zone") files: $ORIGIN, $TTL (RFC 2308 §4), $INCLUDE, "@",
// relative names, a blank owner meaning the previous one, TTL and class in either order,
// parentheses across lines, ';' comments, \X and \DDD escapes, quoted strings. Control
// plane only; errors are collected as values (parsing goes on after a bad line), never
// thrown.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::control::zone {

struct ZoneFileError {
    std::string file;   // the file the bad line is in (an $INCLUDEd file's path as resolved)
    uint32_t line = 0;  // 1-based; 0 when the error is about the file as a whole
    std::string why;
    /// "file:line: why" ("file: why" when line is 0).
    std::string to_string() const;
};

struct ZoneFileResult {
    std::vector<dns::Record> records;   // in file order, $INCLUDEd records where included
    std::vector<ZoneFileError> errors;  // in the order found; at most kMaxZoneFileErrors + 1
};

/// Deepest $INCLUDE nesting accepted (the zone file itself is depth 0).
inline constexpr int kMaxIncludeDepth = 8;
/// After this many errors the parser stops and adds one last error saying so.
inline constexpr size_t kMaxZoneFileErrors = 1000;

/// Reads and parses the zone file at `path` for the zone `origin` (wire, absolute).
/// Owners must be at or below `origin` and are lower-cased; names in RDATA keep their case.
/// TTL of a record: its own > the last $TTL > `default_ttl`. Only class IN is accepted.
/// $INCLUDE paths are relative to the directory of the file that names them; the origin
/// and previous owner revert after an $INCLUDE (RFC 1035 §5.1), a $TTL set inside one stays.
/// Records from lines with errors are left out; every other record is kept.
ZoneFileResult parse_zone_file(const std::string& path, const dns::WireName& origin,
                               uint32_t default_ttl);

/// Same, for text already in memory; `file_name` is used in errors and to resolve relative
/// $INCLUDE paths (relative to its directory, or the working directory when it has none).
ZoneFileResult parse_zone_text(std::string_view text, std::string_view file_name,
                               const dns::WireName& origin, uint32_t default_ttl);

}  // namespace edgelease::control::zone
