#include "app/metrics_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace edgelease::app {

namespace {

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view n) {
    if (n.empty() || !(is_name_start(n[0]) || n[0] == ':')) return false;
    return std::all_of(n.begin(), n.end(),
                       [](char c) { return is_name_start(c) || is_digit(c) || c == ':'; });
}

/// [a-zA-Z_][a-zA-Z0-9_]*, and not "__…" (reserved for Prometheus itself).
bool valid_label_name(std::string_view n) {
    if (n.empty() || !is_name_start(n[0]) || n.starts_with("__")) return false;
    return std::all_of(n.begin(), n.end(), [](char c) { return is_name_start(c) || is_digit(c); });
}

[[noreturn]] void misuse(std::string_view what, std::string_view name) {
    throw std::logic_error("metrics: " + std::string(what) + ": " + std::string(name));
}

constexpr size_t kMaxLabels = 8;

}  // namespace

namespace {
/// Prometheus text escaping: backslash and newline always, the double quote only inside
/// label values (exposition format 0.0.4).
void append_escaped(std::string& out, std::string_view v, bool quote) {
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quote)
            out += "\\\"";
        else
            out += c;
    }
}
}  // namespace

void append_label_value(std::string& out, std::string_view v) {
    append_escaped(out, v, true);
}

void append_help(std::string& out, std::string_view v) {
    append_escaped(out, v, false);
}

void append_double(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
    } else if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
    } else {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
        out.append(buf, r.ptr);
    }
}

MetricsWriter::MetricsWriter() {
    out_.reserve(16 * 1024);
}

std::string MetricsWriter::take() {
    std::string doc = std::move(out_);
    *this = MetricsWriter();
    return doc;
}

void MetricsWriter::family(std::string_view name, MetricType type, std::string_view help) {
    if (!valid_metric_name(name)) misuse("invalid metric name", name);
    // The 0.0.4 convention (and promtool's lint): counters and only counters end in _total.
    if ((type == MetricType::Counter) != name.ends_with("_total"))
        misuse(
            type == MetricType::Counter ? "counter not named *_total" : "non-counter named *_total",
            name);
    if (!families_.emplace(name).second) misuse("family written twice", name);
    family_.assign(name);
    type_ = type;
    in_family_ = true;
    series_.clear();

    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_help(out_, help);
    out_ += "\n# TYPE ";
    out_ += name;
    switch (type) {
        case MetricType::Counter:
            out_ += " counter\n";
            break;
        case MetricType::Gauge:
            out_ += " gauge\n";
            break;
        case MetricType::Histogram:
            out_ += " histogram\n";
            break;
    }
}

void MetricsWriter::require_family(bool histogram) const {
    if (!in_family_) misuse("sample before any family", "");
    if ((type_ == MetricType::Histogram) != histogram)
        misuse(
            histogram ? "histogram() in a non-histogram family" : "sample() in a histogram family",
            family_);
}

void MetricsWriter::sample(Labels labels, double value) {
    write_sample(labels, value);
}

void MetricsWriter::write_sample(Labels labels, uint64_t value) {
    require_family(false);
    write_series("", labels, nullptr);
    write_value(value);
}

void MetricsWriter::write_sample(Labels labels, double value) {
    require_family(false);
    write_series("", labels, nullptr);
    write_value(value);
}

void MetricsWriter::histogram(Labels labels, std::span<const double> upper_bounds,
                              std::span<const uint64_t> cumulative, double sum) {
    require_family(true);
    if (cumulative.size() != upper_bounds.size() + 1)
        misuse("histogram needs one count per bound plus +Inf", family_);
    for (size_t i = 0; i < upper_bounds.size(); ++i)
        if (!std::isfinite(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1]))
            misuse("histogram bounds must be finite and increasing", family_);
    for (const Label& l : labels)
        if (l.name == "le") misuse("label le is reserved in a histogram", family_);

    std::string le;
    uint64_t running = 0;
    for (size_t i = 0; i < cumulative.size(); ++i) {
        running = std::max(running, cumulative[i]);
        le.clear();
        if (i < upper_bounds.size())
            append_double(le, upper_bounds[i]);
        else
            le = "+Inf";
        const Label bound{"le", le};
        write_series("_bucket", labels, &bound);
        write_value(running);
    }
    write_series("_sum", labels, nullptr);
    write_value(sum);
    write_series("_count", labels, nullptr);
    write_value(running);
}

void MetricsWriter::write_series(std::string_view suffix, Labels labels, const Label* extra) {
    // Check names and build the series key from the labels sorted by name, so that a repeated
    // series is found whatever order its labels were given in.
    std::array<Label, kMaxLabels> sorted;
    size_t n = 0;
    auto add = [&](const Label& l) {
        if (!valid_label_name(l.name)) misuse("invalid label name", l.name);
        if (n == sorted.size()) misuse("too many labels", family_);
        sorted[n++] = l;
    };
    for (const Label& l : labels) add(l);
    if (extra != nullptr) add(*extra);
    // Insertion sort: a handful of labels (and std::sort trips GCC 12's -Warray-bounds here).
    for (size_t i = 1; i < n; ++i)
        for (size_t j = i; j > 0 && sorted[j].name < sorted[j - 1].name; --j)
            std::swap(sorted[j], sorted[j - 1]);
    std::string key(suffix);
    for (size_t i = 0; i < n; ++i) {
        if (i > 0 && sorted[i].name == sorted[i - 1].name)
            misuse("label given twice", sorted[i].name);
        key += '\0';
        key += sorted[i].name;
        key += '=';
        append_label_value(key, sorted[i].value);
    }
    if (!series_.insert(std::move(key)).second) misuse("series written twice", family_);

    out_ += family_;
    out_ += suffix;
    if (n == 0) return;
    // Written in the order given: the caller's order reads best (lcore before reason, le last).
    out_ += '{';
    bool first = true;
    auto write = [&](const Label& l) {
        if (!first) out_ += ',';
        first = false;
        out_ += l.name;
        out_ += "=\"";
        append_label_value(out_, l.value);
        out_ += '"';
    };
    for (const Label& l : labels) write(l);
    if (extra != nullptr) write(*extra);
    out_ += '}';
}

void MetricsWriter::write_value(uint64_t value) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, value);
    out_ += ' ';
    out_.append(buf, r.ptr);
    out_ += '\n';
}

void MetricsWriter::write_value(double value) {
    out_ += ' ';
    append_double(out_, value);
    out_ += '\n';
}

}  // namespace edgelease::app
