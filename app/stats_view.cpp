#include "app/stats_view.hpp"

#include <utility>

#include "app/metrics_writer.hpp"

namespace edgelease::app {

namespace {

using Json = nlohmann::ordered_json;
using Span = std::span<const std::string_view>;

constexpr size_t kNone = static_cast<size_t>(-1);

size_t label_index(const Entry& e, std::string_view label) {
    for (size_t i = 0; i < e.labels.size(); ++i)
        if (e.labels[i] == label) return i;
    return kNone;
}

/// The labels that are summed away in a section (the lcore, and its role).
bool is_lcore_label(std::string_view label) {
    return label == "lcore" || label == "role";
}

std::string key_of(const Entry& e, std::string_view prefix) {
    std::string_view n = e.name;
    if (n.starts_with("edgelease_")) n.remove_prefix(10);
    if (!prefix.empty() && n.starts_with(prefix)) n.remove_prefix(prefix.size());
    if (n.ends_with("_total")) n.remove_suffix(6);
    return std::string(n);
}

/// Adds `v` to what `at` holds (series summed over lcores).
void accumulate(Json& at, uint64_t v) {
    at = at.is_number_unsigned() ? at.get<uint64_t>() + v : v;
}
void accumulate(Json& at, double v) {
    at = at.is_number() ? at.get<double>() + v : v;
}

/// Writes an entry's series into its section's object: at view_key, nested by the labels
/// other than lcore and role, summed over those.
class SectionSink final : public SeriesSink {
  public:
    SectionSink(const Entry& e, Json& section) : e_(e), at_(section[view_key(e)]) {
        for (std::string_view l : e.labels) nested_ |= !is_lcore_label(l);
        if (nested_ || e.type == MetricType::Histogram || is_info(e)) at_ = Json::object();
    }
    /// An unlabelled counter without series (no workers) still has its key: 0.
    void finish() {
        if (at_.is_null()) at_ = 0u;
    }

  private:
    Json& node(Span values) {
        Json* n = &at_;
        for (size_t i = 0; i < values.size(); ++i)
            if (!is_lcore_label(e_.labels[i])) n = &(*n)[std::string(values[i])];
        return *n;
    }
    void on_u64(Span values, uint64_t v) override {
        if (!is_info(e_)) return accumulate(node(values), v);
        // {label: value} for one label, {first value: {label: value, …}} for several.
        Json& n = values.size() > 1 ? at_[std::string(values[0])] : at_;
        for (size_t i = values.size() > 1 ? 1 : 0; i < values.size(); ++i)
            n[std::string(e_.labels[i])] = std::string(values[i]);
    }
    void on_double(Span values, double v) override { accumulate(node(values), v); }
    void on_histogram(Span values, std::span<const double> bounds,
                      std::span<const uint64_t> cumulative, double sum) override {
        Json& n = node(values);
        accumulate(n["count"], cumulative.empty() ? 0 : cumulative.back());
        accumulate(n["sum"], sum);
        Json& buckets = n["buckets"];
        std::string le;
        for (size_t i = 0; i < cumulative.size(); ++i) {
            le.clear();
            if (i < bounds.size())
                append_double(le, bounds[i]);
            else
                le = "+Inf";
            accumulate(buckets[le], cumulative[i]);
        }
    }

    const Entry& e_;
    Json& at_;
    bool nested_ = false;
};

/// Writes an entry's series into the lcores section: rows[lcore][row_key], or for the info
/// metric rows[lcore][label] = value.
class RowSink final : public SeriesSink {
  public:
    RowSink(const Entry& e, Json& rows) : e_(e), rows_(rows), lcore_(label_index(e, "lcore")) {}

  private:
    Json& row(Span values) { return rows_[std::string(values[lcore_])]; }
    void on_u64(Span values, uint64_t v) override {
        if (!is_info(e_)) return accumulate(row(values)[row_key(e_)], v);
        Json& r = row(values);
        for (size_t i = 0; i < values.size(); ++i)
            if (i != lcore_) r[std::string(e_.labels[i])] = std::string(values[i]);
    }
    void on_double(Span values, double v) override { accumulate(row(values)[row_key(e_)], v); }
    void on_histogram(Span, std::span<const double>, std::span<const uint64_t>, double) override {
    }  // none is kept per lcore

    const Entry& e_;
    Json& rows_;
    size_t lcore_;
};

Json render_rows(const MetricsSources& src) {
    Json rows = Json::object();
    for (const Entry& e : catalog()) {
        if (!in_lcore_rows(e) || !present(src, e.source)) continue;
        RowSink sink(e, rows);
        e.read(src, sink);
    }
    return rows;
}

void add_leaf(dataplane::TelemetryDict& out, const std::string& name, const Json& v) {
    if (v.is_number_unsigned()) {
        out.add_u64(name, v.get<uint64_t>());
    } else if (v.is_number_integer() && v.get<int64_t>() >= 0) {
        out.add_u64(name, static_cast<uint64_t>(v.get<int64_t>()));
    } else if (v.is_number()) {
        std::string s;
        append_double(s, v.get<double>());
        out.add_string(name, s);
    } else if (v.is_string()) {
        out.add_string(name, v.get<std::string>());
    }
}

/// Every leaf under `j`, named by its path joined with "/".
void flatten(const Json& j, const std::string& prefix, dataplane::TelemetryDict& out) {
    for (const auto& [k, v] : j.items()) {
        const std::string path = prefix.empty() ? k : prefix + "/" + k;
        if (v.is_object())
            flatten(v, path, out);
        else
            add_leaf(out, telemetry_name(path), v);
    }
}

/// Sums an entry's integer series, and by the labels other than lcore and role.
class SummarySink final : public SeriesSink {
  public:
    explicit SummarySink(const Entry& e) : e_(e) {}
    uint64_t total = 0;
    std::vector<std::pair<std::string, uint64_t>> parts;  // in the order first seen

  private:
    void on_u64(Span values, uint64_t v) override {
        total += v;
        std::string part;
        for (size_t i = 0; i < values.size(); ++i) {
            if (is_lcore_label(e_.labels[i])) continue;
            if (!part.empty()) part += '/';
            part += values[i];
        }
        if (part.empty()) return;
        for (auto& [name, n] : parts)
            if (name == part) return void(n += v);
        parts.emplace_back(std::move(part), v);
    }
    void on_double(Span, double) override {}
    void on_histogram(Span, std::span<const double>, std::span<const uint64_t> cumulative,
                      double) override {
        if (!cumulative.empty()) total += cumulative.back();
    }
    const Entry& e_;
};

}  // namespace

bool is_info(const Entry& e) {
    return e.type == MetricType::Gauge && e.name.ends_with("_info");
}

std::string view_key(const Entry& e) {
    return key_of(e, section_info(e.section).prefix);
}

std::string row_key(const Entry& e) {
    return key_of(e, section_info(Section::Lcores).prefix);
}

bool in_lcore_rows(const Entry& e) {
    if (label_index(e, "lcore") == kNone) return false;
    if (is_info(e)) return true;
    for (std::string_view l : e.labels)
        if (!is_lcore_label(l)) return false;
    return true;
}

Json render_section(const MetricsSources& src, Section section) {
    if (section == Section::Lcores) return render_rows(src);
    Json out = Json::object();
    for (const Entry& e : catalog()) {
        if (e.section != section || !present(src, e.source)) continue;
        SectionSink sink(e, out);
        e.read(src, sink);
        sink.finish();
    }
    return out;
}

Json render_stats(const MetricsSources& src) {
    Json out = Json::object();
    for (size_t s = 0; s < kSections.size(); ++s) {
        Json section = render_section(src, static_cast<Section>(s));
        if (!section.empty()) out[std::string(kSections[s].name)] = std::move(section);
    }
    return out;
}

std::string telemetry_name(std::string_view key) {
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '/';
        if (keep)
            out += c;
        else if (c != '+')
            out += '_';
    }
    return out;
}

void fill_telemetry(const Json& section, dataplane::TelemetryDict& out) {
    for (const auto& [k, v] : section.items()) {
        if (v.is_object())
            out.add_dict(telemetry_name(k),
                         [&](dataplane::TelemetryDict& d) { flatten(v, "", d); });
        else
            add_leaf(out, telemetry_name(k), v);
    }
}

std::vector<dataplane::TelemetryCommand> telemetry_commands(const Appliance& app) {
    std::vector<dataplane::TelemetryCommand> out;
    for (size_t s = 0; s < kSections.size(); ++s) {
        const auto section = static_cast<Section>(s);
        out.push_back({"/edgelease/" + std::string(kSections[s].name),
                       std::string(kSections[s].help),
                       [&app, section](dataplane::TelemetryDict& d) {
                           fill_telemetry(render_section(sources_of(app), section), d);
                       }});
    }
    return out;
}

std::string summary_line(const MetricsSources& src) {
    std::string out;
    for (const Entry& e : catalog()) {
        if (e.summary.empty() || !present(src, e.source)) continue;
        SummarySink sink(e);
        e.read(src, sink);
        if (!out.empty()) out += ' ';
        out += e.summary;
        out += '=';
        out += std::to_string(sink.total);
        bool first = true;
        for (const auto& [part, n] : sink.parts) {
            if (n == 0) continue;
            out += first ? " (" : " ";
            first = false;
            out += part + "=" + std::to_string(n);
        }
        if (!first) out += ')';
    }
    return out;
}

}  // namespace edgelease::app
