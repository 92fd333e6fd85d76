#pragma once
// Prometheus text exposition format 0.0.4, written one family at a time. Pure C++ (no DPDK):
// the appliance's renderer (app/metrics.hpp) decides what to write, this decides how.
// https://prometheus.io/docs/instrumenting/exposition_formats/
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

namespace edgelease::app {

enum class MetricType : uint8_t { Counter, Gauge, Histogram };

/// One label of a sample. Both views need only live for the call that takes them.
struct Label {
    std::string_view name;
    std::string_view value;
};

/// A sample's labels: a braced list, or a span when they are built at run time.
using Labels = std::span<const Label>;
using LabelList = std::initializer_list<Label>;

/// Builds one exposition document in memory. Usage: family(), then its samples (or
/// histograms), then the next family(). Families and samples appear in the order written.
///
/// Label values are escaped (\ " newline), HELP text too (\ newline); any bytes are taken as
/// they are (the format is UTF-8, not checked here).
///
/// Misuse is a programming error and throws std::logic_error, leaving the document unusable:
/// an invalid metric or label name, a family written twice, a counter not named `*_total` or
/// another type so named, a sample before any family or of the wrong kind for its family,
/// the same label twice in a sample, `le` on a histogram, or a series (label set) repeated
/// within a family.
class MetricsWriter {
  public:
    MetricsWriter();

    /// Starts family `name`: writes `# HELP` and `# TYPE`. For a counter, `name` includes
    /// `_total` (the 0.0.4 convention: the TYPE line names the sample).
    void family(std::string_view name, MetricType type, std::string_view help);

    /// One sample of the current counter or gauge family. NaN and infinities are written as
    /// `NaN`, `+Inf`, `-Inf`.
    void sample(Labels labels, double value);
    void sample(LabelList labels, double value) { sample(as_span(labels), value); }
    template <std::unsigned_integral T>
    void sample(Labels labels, T value) {
        write_sample(labels, static_cast<uint64_t>(value));
    }
    template <std::unsigned_integral T>
    void sample(LabelList labels, T value) {
        write_sample(as_span(labels), static_cast<uint64_t>(value));
    }

    /// One series of the current histogram family: `_bucket{…,le="…"}` for each upper bound
    /// and `+Inf`, then `_sum` and `_count`. `cumulative[i]` counts observations <=
    /// `upper_bounds[i]`; `cumulative.back()` counts all of them (the +Inf bucket, also written
    /// as `_count`), so cumulative.size() == upper_bounds.size() + 1. Counts read from
    /// separate atomics may be caught mid-update (a bucket incremented before the one below
    /// it); they are written as a running maximum so that the buckets never decrease.
    /// `upper_bounds` must be finite and strictly increasing.
    void histogram(Labels labels, std::span<const double> upper_bounds,
                   std::span<const uint64_t> cumulative, double sum);
    void histogram(LabelList labels, std::span<const double> upper_bounds,
                   std::span<const uint64_t> cumulative, double sum) {
        histogram(as_span(labels), upper_bounds, cumulative, sum);
    }

    /// The document so far.
    const std::string& text() const { return out_; }
    /// Moves the document out; the writer is then empty and may start a new one.
    std::string take();

  private:
    static Labels as_span(LabelList l) { return {l.begin(), l.size()}; }
    void require_family(bool histogram) const;
    void write_sample(Labels labels, uint64_t value);
    void write_sample(Labels labels, double value);
    /// Writes `name{labels[,extra]}` and checks the series is new in its family.
    void write_series(std::string_view suffix, Labels labels, const Label* extra);
    void write_value(uint64_t value);
    void write_value(double value);

    std::string out_;
    std::string family_;
    MetricType type_ = MetricType::Gauge;
    bool in_family_ = false;
    std::unordered_set<std::string> families_;  // names written so far
    std::unordered_set<std::string> series_;    // "suffix{labels}" of the current family
};

/// Appends `v` escaped as a label value (\ → \\, " → \", newline → \n).
void append_label_value(std::string& out, std::string_view v);
/// Appends `v` escaped as HELP text (\ → \\, newline → \n).
void append_help(std::string& out, std::string_view v);
/// Formats a sample value or `le` bound: shortest round-trip form (as Go's client does,
/// %g style), or NaN, +Inf, -Inf.
void append_double(std::string& out, double v);

}  // namespace edgelease::app
