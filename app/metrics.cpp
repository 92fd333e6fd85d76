#include "app/metrics.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include "app/metrics_writer.hpp"

namespace edgelease::app {

namespace {

/// Writes an entry's series as samples of its family: label names from the entry, values
/// from its getter.
class PrometheusSink final : public SeriesSink {
  public:
    PrometheusSink(MetricsWriter& w, const Entry& e) : w_(w), e_(e) {}

  private:
    static constexpr size_t kMaxLabels = 8;
    std::span<const Label> labels(std::span<const std::string_view> values) {
        if (values.size() != e_.labels.size() || values.size() > kMaxLabels)
            throw std::logic_error("catalog: wrong number of label values for " +
                                   std::string(e_.name));
        for (size_t i = 0; i < values.size(); ++i) buf_[i] = {e_.labels[i], values[i]};
        return {buf_.data(), values.size()};
    }
    void on_u64(std::span<const std::string_view> values, uint64_t v) override {
        w_.sample(labels(values), v);
    }
    void on_double(std::span<const std::string_view> values, double v) override {
        w_.sample(labels(values), v);
    }
    void on_histogram(std::span<const std::string_view> values, std::span<const double> bounds,
                      std::span<const uint64_t> cumulative, double sum) override {
        w_.histogram(labels(values), bounds, cumulative, sum);
    }

    MetricsWriter& w_;
    const Entry& e_;
    std::array<Label, kMaxLabels> buf_;
};

}  // namespace

std::string render_metrics(const MetricsSources& src) {
    MetricsWriter w;
    for (const Entry& e : catalog()) {
        if (!present(src, e.source)) continue;
        w.family(e.name, e.type, e.help);
        PrometheusSink sink(w, e);
        e.read(src, sink);
    }
    return w.take();
}

std::string render_metrics(const Appliance& app) {
    return render_metrics(sources_of(app));
}

}  // namespace edgelease::app
