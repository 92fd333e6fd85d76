#include "control/zone/zone_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "control/zone/rdata_text.hpp"

namespace edgelease::control::zone {
namespace {

namespace fs = std::filesystem;
using dns::WireName;

// One entry of the file: a physical line, or several joined by parentheses.
struct Entry {
    uint32_t line = 0;         // where the entry starts
    bool owner_blank = false;  // the line began with a blank: owner is the previous one
    std::vector<RdataToken> tokens;
    std::string error;  // a lexical error; the entry is then skipped
    uint32_t error_line = 0;
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

// Splits zone text into entries. Tokens view `text`. RFC 1035 §5.1: ';' starts a comment
// anywhere outside quotes, '(' ... ')' lets an entry span lines, "..." is one token, and a
// backslash escapes the character after it (the escape itself is resolved later, by the
// name or string parser, which also handles \DDD).
std::vector<Entry> lex(std::string_view text) {
    std::vector<Entry> entries;
    size_t i = 0, n = text.size();
    uint32_t line = 1;
    if (text.starts_with("\xEF\xBB\xBF")) i = 3;  // a UTF-8 byte order mark from an editor
    auto is_break = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' || c == ')';
    };
    while (i < n) {
        Entry e;
        e.line = line;
        e.owner_blank = is_space(text[i]) && text[i] != '\r';
        auto fail = [&](std::string why) {
            if (e.error.empty()) {
                e.error = std::move(why);
                e.error_line = line;
            }
        };
        int depth = 0;
        uint32_t open_line = 0;
        while (i < n) {
            char c = text[i];
            if (c == '\n') {
                ++line;
                ++i;
                if (depth == 0) break;
            } else if (is_space(c)) {
                ++i;
            } else if (c == ';') {
                while (i < n && text[i] != '\n') ++i;
            } else if (c == '(') {
                if (depth++ == 0) open_line = line;
                ++i;
            } else if (c == ')') {
                if (depth == 0)
                    fail("')' without '('");
                else
                    --depth;
                ++i;
            } else if (c == '"') {
                size_t j = i + 1;
                while (j < n && text[j] != '"' && text[j] != '\n')
                    j += (text[j] == '\\' && j + 1 < n && text[j + 1] != '\n') ? 2 : 1;
                if (j >= n || text[j] != '"') {
                    fail("unterminated quoted string");
                    i = j;
                    continue;
                }
                e.tokens.push_back({text.substr(i + 1, j - i - 1), true});
                i = j + 1;
            } else {
                size_t j = i;
                while (j < n && !is_break(text[j]))
                    j +=
                        (text[j] == '\\' && j + 1 < n && text[j + 1] != '\n' && text[j + 1] != '\r')
                            ? 2
                            : 1;
                e.tokens.push_back({text.substr(i, j - i), false});
                i = j;
            }
        }
        if (depth > 0) {
            // Only at end of text: everything after the '(' was swallowed into this entry.
            e.error.clear();
            e.error_line = 0;
            fail("'(' on line " + std::to_string(open_line) + " is never closed");
            e.error_line = open_line;
        }
        if (!e.tokens.empty() || !e.error.empty()) entries.push_back(std::move(e));
    }
    return entries;
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// RFC 1035 §3.2.4 class mnemonics, and RFC 3597 §5 CLASSnnn. NONE and ANY only occur in
// queries and updates, so they are not recognised here (and fall through to the type).
std::optional<uint16_t> class_from_text(std::string_view t) {
    if (iequals(t, "IN")) return dns::rrclass::IN;
    if (iequals(t, "CH") || iequals(t, "CHAOS")) return dns::rrclass::CH;
    if (iequals(t, "HS") || iequals(t, "HESIOD")) return 4;
    if (iequals(t, "CS")) return 2;
    if (t.size() > 5 && t.size() <= 10 && iequals(t.substr(0, 5), "CLASS")) {
        uint32_t v = 0;
        for (char c : t.substr(5)) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<uint32_t>(c - '0');
        }
        if (v <= 0xFFFF) return static_cast<uint16_t>(v);
    }
    return std::nullopt;
}

bool is_at_or_below(const WireName& name, const WireName& apex) {
    if (name.size() < apex.size()) return false;
    size_t pos = 0;
    while (name.size() - pos > apex.size()) {
        if (name[pos] == 0) return false;
        pos += 1 + name[pos];
    }
    if (name.size() - pos != apex.size()) return false;
    for (size_t i = 0; i < apex.size(); ++i)
        if (lower(static_cast<char>(name[pos + i])) != lower(static_cast<char>(apex[i])))
            return false;
    return true;
}

// The path in a $INCLUDE line with its escapes resolved.
std::string unescape(std::string_view t) {
    std::string out;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '\\' && i + 1 < t.size()) ++i;
        out += t[i];
    }
    return out;
}

bool read_file(const std::string& path, std::string& out, std::string& why) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        why = "is a directory";
        return false;
    }
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        why = std::strerror(errno);
        return false;
    }
    char buf[65536];
    size_t got = 0;
    while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, got);
    bool bad = std::ferror(f);
    int err = errno;
    std::fclose(f);
    if (bad) {
        why = std::strerror(err);
        return false;
    }
    return true;
}

std::string canonical_key(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(path, ec);
    return ec ? path : p.string();
}

// Where a file is: what "@" and relative names mean, and who a blank owner is.
struct Position {
    WireName origin;
    std::optional<WireName> last_owner;
    bool owner_bad = false;  // the last owner line was in error; skip its continuation lines
};

class Parser {
  public:
    Parser(const WireName& apex, uint32_t default_ttl, ZoneFileResult& result)
        : apex_(apex), default_ttl_(default_ttl), result_(result) {}

    // Parses one file's text. `at` is this file's own copy, so the including file gets its
    // origin and previous owner back when an $INCLUDE returns (RFC 1035 §5.1).
    void parse(std::string_view text, const std::string& file, Position at, int depth) {
        for (const Entry& e : lex(text)) {
            if (stopped_) return;
            if (!e.error.empty()) {
                error(file, e.error_line, e.error);
                // A bad owner-bearing line leaves later blank-owner lines without a sure owner.
                if (!e.owner_blank) at.owner_bad = true;
                continue;
            }
            const auto& first = e.tokens[0];
            if (!e.owner_blank && !first.quoted && first.text.starts_with('$')) {
                directive(e, file, at, depth);
            } else {
                record(e, file, at);
            }
        }
    }

    void push_file(const std::string& key) { open_files_.push_back(key); }
    void pop_file() { open_files_.pop_back(); }

  private:
    void error(const std::string& file, uint32_t line, std::string why) {
        if (stopped_) return;
        if (result_.errors.size() == kMaxZoneFileErrors) {
            result_.errors.push_back({file, line,
                                      "too many errors (" + std::to_string(kMaxZoneFileErrors) +
                                          "); the rest of the zone was not read"});
            stopped_ = true;
            return;
        }
        result_.errors.push_back({file, line, std::move(why)});
    }

    void directive(const Entry& e, const std::string& file, Position& at, int depth) {
        WireName& origin = at.origin;
        std::string_view name = e.tokens[0].text;
        const size_t args = e.tokens.size() - 1;
        std::string why;
        if (iequals(name, "$ORIGIN")) {
            if (args != 1) return error(file, e.line, "$ORIGIN needs one domain name");
            auto n = dns::name_from_text(e.tokens[1].text, origin, why);
            if (!n || e.tokens[1].quoted)
                return error(file, e.line, "$ORIGIN: " + (n ? "a name cannot be quoted" : why));
            origin = std::move(*n);
        } else if (iequals(name, "$TTL")) {
            // RFC 2308 §4: $TTL sets the TTL of records that give none.
            if (args != 1) return error(file, e.line, "$TTL needs one value");
            auto ttl = ttl_ok(e.tokens[1], file, e.line);
            if (ttl) dollar_ttl_ = *ttl;
        } else if (iequals(name, "$INCLUDE")) {
            if (args != 1 && args != 2)
                return error(file, e.line, "$INCLUDE needs a file name and optionally an origin");
            WireName inc_origin = origin;
            if (args == 2) {
                auto n = dns::name_from_text(e.tokens[2].text, origin, why);
                if (!n) return error(file, e.line, "$INCLUDE origin: " + why);
                inc_origin = std::move(*n);
            }
            Position inc = at;
            inc.origin = std::move(inc_origin);
            include(unescape(e.tokens[1].text), file, e.line, std::move(inc), depth);
        } else {
            error(file, e.line, "unknown directive " + std::string(name));
        }
    }

    void include(const std::string& name, const std::string& file, uint32_t line, Position at,
                 int depth) {
        fs::path p(name);
        if (p.is_relative()) p = fs::path(file).parent_path() / p;
        const std::string path = p.string();
        if (depth + 1 > kMaxIncludeDepth)
            return error(file, line,
                         "$INCLUDE of '" + path + "' nests deeper than " +
                             std::to_string(kMaxIncludeDepth) + " files");
        const std::string key = canonical_key(path);
        for (const auto& open : open_files_)
            if (open == key)
                return error(file, line, "$INCLUDE loop: '" + path + "' is already being read");
        std::string text, why;
        if (!read_file(path, text, why))
            return error(file, line, "cannot read $INCLUDE file '" + path + "': " + why);
        open_files_.push_back(key);
        parse(text, path, std::move(at), depth + 1);
        open_files_.pop_back();
    }

    std::optional<uint32_t> ttl_ok(const RdataToken& tok, const std::string& file, uint32_t line) {
        auto ttl = tok.quoted ? std::nullopt : ttl_from_text(tok.text);
        if (!ttl) {
            error(file, line, "'" + std::string(tok.text) + "' is not a TTL such as 3600 or 1h");
        } else if (*ttl > kMaxTtl) {
            error(file, line,
                  "TTL " + std::to_string(*ttl) + " is out of range 0..2147483647 (RFC 2181 §8)");
            ttl.reset();
        }
        return ttl;
    }

    void record(const Entry& e, const std::string& file, Position& at) {
        const WireName& origin = at.origin;
        std::span<const RdataToken> t(e.tokens);
        size_t k = 0;
        std::string why;
        dns::Record rec;
        if (e.owner_blank) {
            if (at.owner_bad) return;  // the owner line was already reported
            if (!at.last_owner)
                return error(file, e.line, "the line starts with a blank but no owner precedes it");
            rec.owner = *at.last_owner;
        } else {
            const RdataToken& tok = t[k++];
            at.owner_bad = true;
            if (tok.quoted) return error(file, e.line, "an owner name cannot be quoted");
            auto owner = dns::name_from_text(tok.text, origin, why);
            if (!owner) return error(file, e.line, "owner name: " + why);
            if (!is_at_or_below(*owner, apex_))
                return error(file, e.line,
                             "owner '" + dns::name_to_text(*owner) + "' is out of zone '" +
                                 dns::name_to_text(apex_) + "'");
            at.owner_bad = false;
            at.last_owner = *owner;
            rec.owner = std::move(*owner);
        }
        // RFC 1035 §5.1: [<TTL>] [<class>] <type> <RDATA> or [<class>] [<TTL>] <type> <RDATA>.
        std::optional<uint32_t> ttl;
        bool have_class = false;
        while (k < t.size() && !t[k].quoted) {
            std::string_view s = t[k].text;
            if (auto cls = class_from_text(s)) {
                if (have_class) return error(file, e.line, "the class is given twice");
                if (*cls != dns::rrclass::IN)
                    return error(file, e.line,
                                 "class " + std::string(s) + " is not supported; only IN is");
                have_class = true;
            } else if (!s.empty() && s[0] >= '0' && s[0] <= '9') {
                if (ttl) return error(file, e.line, "the TTL is given twice");
                ttl = ttl_ok(t[k], file, e.line);
                if (!ttl) return;
            } else {
                break;
            }
            ++k;
        }
        if (k >= t.size()) return error(file, e.line, "the record has no type");
        auto type = t[k].quoted ? std::nullopt : dns::type_from_text(t[k].text);
        if (!type)
            return error(file, e.line, "unknown record type '" + std::string(t[k].text) + "'");
        rec.type = *type;
        rec.klass = dns::rrclass::IN;
        rec.ttl = ttl ? *ttl : dollar_ttl_ ? *dollar_ttl_ : default_ttl_;
        if (!rdata_from_tokens(rec.type, t.subspan(k + 1), origin, rec.rdata, why))
            return error(file, e.line, why);
        result_.records.push_back(std::move(rec));
    }

    const WireName& apex_;
    const uint32_t default_ttl_;
    ZoneFileResult& result_;
    std::optional<uint32_t> dollar_ttl_;
    bool stopped_ = false;
    std::vector<std::string> open_files_;  // canonical paths, to refuse $INCLUDE loops
};

}  // namespace

std::string ZoneFileError::to_string() const {
    if (line == 0) return file + ": " + why;
    return file + ":" + std::to_string(line) + ": " + why;
}

ZoneFileResult parse_zone_text(std::string_view text, std::string_view file_name,
                               const WireName& origin, uint32_t default_ttl) {
    ZoneFileResult result;
    Parser parser(origin, default_ttl, result);
    const std::string file(file_name);
    parser.push_file(canonical_key(file));
    parser.parse(text, file, Position{origin, std::nullopt, false}, 0);
    return result;
}

ZoneFileResult parse_zone_file(const std::string& path, const WireName& origin,
                               uint32_t default_ttl) {
    std::string text, why;
    if (!read_file(path, text, why)) {
        ZoneFileResult result;
        result.errors.push_back({path, 0, "cannot read zone file: " + why});
        return result;
    }
    return parse_zone_text(text, path, origin, default_ttl);
}

}  // namespace edgelease::control::zone
