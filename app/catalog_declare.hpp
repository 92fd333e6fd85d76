#pragma once
// How the counter catalog's entries are declared (catalog.cpp and the catalog_*.cpp files
// that declare a subsystem's entries). Internal to app/catalog*.cpp.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/catalog.hpp"
#include "app/catalog_getters.hpp"

namespace edgelease::app::detail {

using getters::Read;
using namespace getters;

inline constexpr MetricType kCounter = MetricType::Counter;
inline constexpr MetricType kGauge = MetricType::Gauge;
inline constexpr MetricType kHistogram = MetricType::Histogram;

/// Declares entries: d.in(section, source) for the ones that follow, then one call each.
class Declare {
  public:
    explicit Declare(std::vector<Entry>& out) : out_(out) {}
    void in(Section section, Source source = Source::Always) {
        section_ = section;
        source_ = source;
    }
    /// The new entry, to set `summary` on (valid until the next declaration).
    Entry& operator()(std::string_view name, MetricType type, std::vector<std::string_view> labels,
                      std::string help, Read read) {
        return out_.emplace_back(Entry{name,
                                       type,
                                       std::move(help),
                                       std::move(labels),
                                       section_,
                                       source_,
                                       {},
                                       std::move(read)});
    }

    /// One row of fields(): an unlabelled counter kept in field `member` of a source.
    template <class T, class F>
    struct Field {
        std::string_view name;
        F T::*member;
        std::string_view help;
    };
    /// Unlabelled counters kept in fields of one source, a row each.
    template <class T, class F>
    void counters(const T* MetricsSources::*source, std::initializer_list<Field<T, F>> rows) {
        for (const Field<T, F>& r : rows)
            (*this)(r.name, kCounter, {}, std::string(r.help), field(source, r.member));
    }

  private:
    std::vector<Entry>& out_;
    Section section_ = Section::Appliance;
    Source source_ = Source::Always;
};

/// DNS over TCP (catalog_dns_tcp.cpp).
void declare_dns_tcp(Declare& d);

}  // namespace edgelease::app::detail
