#include "api/analytics_api.h"

#include "core/time.h"
#include "core/time_zone.h"
#include "store/analytics_store.h"
#include "store/tenant_store.h"

#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <set>

namespace parley::api {
namespace {

using Verb = http::Verb;

constexpr int kDefaultDays = 30;
constexpr int kMaxDays = 731;  // Two years of days; weeks over the same range.
// Rollups the API runs before reading at most: a backlog larger than this (a backfill in progress) is left to the
// background loop, and the answer says so in `complete`. Each reads as many rows per source as one of the background
// loop's writes (app/analytics_rollup.h, measured in docs/benchmarks.md): the webhooks queued on the store's writer
// wait behind each write, and larger ones held them up to half a second.
constexpr int kCatchUpRollups = 50;
constexpr int kCatchUpRows = 500;

struct Range {
  tz::LocalDate from;
  tz::LocalDate to;
  bool weeks = false;
  std::optional<int64_t> channel_id;
};

int DaysBetween(const tz::LocalDate& from, const tz::LocalDate& to) {
  int days = 0;
  for (tz::LocalDate d = from; d < to && days <= kMaxDays + 7; d = tz::AddDays(d, 1)) ++days;
  return days;
}

Result<Range> ParseRange(const http::RouteContext& route, const std::string& zone) {
  Range range;
  auto granularity = route.Query("granularity").value_or("day");
  if (granularity != "day" && granularity != "week") {
    return Error::InvalidArgument("granularity must be day or week");
  }
  range.weeks = granularity == "week";
  auto today = tz::DateAt(zone, NowMs());
  if (!today) return today.error();
  if (auto to = route.Query("to"); to && !to->empty()) {
    auto parsed = tz::ParseDate(*to);
    if (!parsed) return Error::InvalidArgument("to must be a date (YYYY-MM-DD)");
    range.to = *parsed;
  } else {
    range.to = *today;
  }
  if (auto from = route.Query("from"); from && !from->empty()) {
    auto parsed = tz::ParseDate(*from);
    if (!parsed) return Error::InvalidArgument("from must be a date (YYYY-MM-DD)");
    range.from = *parsed;
  } else {
    range.from = tz::AddDays(range.to, -(kDefaultDays - 1));
  }
  if (range.to < range.from) return Error::InvalidArgument("from must not be after to");
  if (range.weeks) {  // Whole ISO weeks, Monday to Sunday.
    range.from = tz::AddDays(range.from, 1 - tz::Weekday(range.from));
    range.to = tz::AddDays(range.to, 7 - tz::Weekday(range.to));
  }
  if (DaysBetween(range.from, range.to) >= kMaxDays) {
    return Error::InvalidArgument("a range covers at most " + std::to_string(kMaxDays) + " days");
  }
  if (auto channel = route.Query("channel"); channel && !channel->empty()) {
    int64_t id = 0;
    auto [end, error] = std::from_chars(channel->data(), channel->data() + channel->size(), id);
    if (error != std::errc{} || end != channel->data() + channel->size() || id <= 0) {
      return Error::InvalidArgument("channel must be a channel id");
    }
    range.channel_id = id;
  }
  return range;
}

// The periods' first days, and the slot bounds of the query (one more than periods: the end of the last).
struct Periods {
  std::vector<tz::LocalDate> starts;
  store::AnalyticsQuery query;
};

Result<Periods> PeriodsOf(const Range& range, const std::string& zone, int64_t tenant_id) {
  Periods periods;
  periods.query.tenant_id = tenant_id;
  periods.query.channel_id = range.channel_id;
  const int step = range.weeks ? 7 : 1;
  const tz::LocalDate end = tz::AddDays(range.to, 1);
  for (tz::LocalDate day = range.from;; day = tz::AddDays(day, step)) {
    const bool last = !(day < end);
    auto start = tz::StartOfDay(zone, last ? end : day);
    if (!start) return start.error();
    // Every zone's midnight falls on a quarter-hour of UTC (store/analytics_store.h): the division is exact.
    periods.query.slot_bounds.push_back(store::AnalyticsSlotOf(*start));
    if (last) break;
    periods.starts.push_back(day);
  }
  return periods;
}

boost::json::value Seconds(const store::DurationHistogram& histogram) {
  auto median = store::MedianMs(histogram);
  if (!median) return nullptr;
  return std::round(static_cast<double>(*median) / 100.0) / 10.0;
}

// Of the conversations someone answered, the share the bot handled without a person; null when none.
std::optional<double> AutomationRate(const store::AnalyticsCounts& c) {
  const int64_t answered = c.conversations_automated + c.conversations_handed_off;
  if (answered <= 0) return std::nullopt;
  return std::round(10000.0 * static_cast<double>(c.conversations_automated) / static_cast<double>(answered)) / 10000.0;
}

boost::json::object FiguresJson(const store::AnalyticsPeriod& period) {
  const auto& c = period.counts;
  boost::json::object reasons;
  for (const auto& [reason, count] : period.escalations_by_reason) reasons[reason] = count;
  auto rate = AutomationRate(c);
  return {{"conversations_started", c.conversations_started},
          {"conversations_answered_by_bot", c.conversations_bot_answered},
          {"conversations_handed_off", c.conversations_handed_off},
          {"conversations_automated", c.conversations_automated},
          {"automation_rate", rate ? boost::json::value(*rate) : boost::json::value(nullptr)},
          {"messages_in", c.messages_in},
          {"messages_out_bot", c.messages_out_bot},
          {"messages_out_person", c.messages_out_person},
          {"escalations", c.escalations},
          {"escalations_by_reason", std::move(reasons)},
          {"first_response_bot_median_s", Seconds(period.durations[0])},
          {"first_response_person_median_s", Seconds(period.durations[1])},
          {"resolution_median_s", Seconds(period.durations[2])},
          {"credits", c.credits}};
}

store::AnalyticsPeriod Total(const std::vector<store::AnalyticsPeriod>& periods) {
  store::AnalyticsPeriod total;
  for (const auto& period : periods) {
    total.counts += period.counts;
    for (const auto& [reason, count] : period.escalations_by_reason) total.escalations_by_reason[reason] += count;
    for (int kind = 0; kind < store::kDurationKinds; ++kind) {
      for (const auto& [bin, count] : period.durations[kind]) total.durations[kind][bin] += count;
    }
  }
  return total;
}

std::string CsvNumber(const boost::json::value& value) {
  if (value.is_null()) return "";
  if (value.is_int64()) return std::to_string(value.as_int64());
  if (value.is_double()) {
    char text[32];
    auto [end, error] = std::to_chars(text, text + sizeof text, value.as_double());
    return std::string(text, end);
  }
  return "";
}

// One row per period then a "total" row; a column per escalation reason that occurs in the range.
std::string Csv(const std::vector<tz::LocalDate>& starts, const std::vector<store::AnalyticsPeriod>& periods,
                const store::AnalyticsPeriod& total) {
  static constexpr const char* kColumns[] = {"conversations_started",
                                             "conversations_answered_by_bot",
                                             "conversations_handed_off",
                                             "conversations_automated",
                                             "automation_rate",
                                             "messages_in",
                                             "messages_out_bot",
                                             "messages_out_person",
                                             "escalations",
                                             "first_response_bot_median_s",
                                             "first_response_person_median_s",
                                             "resolution_median_s",
                                             "credits"};
  std::set<std::string> reasons;
  for (const auto& [reason, count] : total.escalations_by_reason) reasons.insert(reason);
  std::string csv = "period";
  for (const char* column : kColumns) csv.append(",").append(column);
  for (const auto& reason : reasons) csv.append(",escalations_").append(reason);
  csv += "\r\n";
  auto row = [&](const std::string& label, const store::AnalyticsPeriod& period) {
    const boost::json::object figures = FiguresJson(period);
    csv += label;
    for (const char* column : kColumns) csv.append(",").append(CsvNumber(figures.at(column)));
    for (const auto& reason : reasons) {
      auto found = period.escalations_by_reason.find(reason);
      csv.append(",").append(std::to_string(found == period.escalations_by_reason.end() ? 0 : found->second));
    }
    csv += "\r\n";
  };
  for (size_t i = 0; i < periods.size(); ++i) row(tz::FormatDate(starts[i]), periods[i]);
  row("total", total);
  return csv;
}

bool WantsCsv(const http::Request& request, const http::RouteContext& route) {
  if (auto format = route.Query("format"); format) return *format == "csv";
  const auto accept = request[boost::beast::http::field::accept];
  return accept.find("text/csv") != std::string_view::npos && accept.find("application/json") == std::string_view::npos;
}

std::vector<QueryParam> AnalyticsParams(bool with_format) {
  std::vector<QueryParam> params{
      {"from", R"({"type": "string", "format": "date"})",
       "First day, in the tenant's time zone (default: 29 days before `to`)."},
      {"to", R"({"type": "string", "format": "date"})", "Last day, included (default: today in the tenant's zone)."},
      {"granularity", R"({"type": "string", "enum": ["day", "week"], "default": "day"})",
       "One period per day, or per ISO week (Monday to Sunday; the range widens to whole weeks)."},
      {"channel", R"({"type": "integer", "minimum": 1})", "Only this channel's figures."}};
  if (with_format) {
    params.push_back({"format", R"({"type": "string", "enum": ["json", "csv"], "default": "json"})",
                      "csv: answer text/csv as GET /api/analytics.csv does (so does Accept: text/csv)."});
  }
  return params;
}

}  // namespace

void AnalyticsApi::RegisterRoutes(RouteTable& routes) {
  routes.Tenant(Verb::get, "/api/analytics", kAnyRole,
                {.summary = "Conversations, messages, automation rate, escalations by reason, response and resolution "
                            "times and credits per day or week in the tenant's time zone, with totals",
                 .tag = "analytics",
                 .query = AnalyticsParams(true),
                 .response_schema = "Analytics"},
                [this](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
                  return Get(caller, request, route, WantsCsv(request, route));
                });
  routes.Tenant(Verb::get, "/api/analytics.csv", kAnyRole,
                {.summary = "The analytics as a CSV download: a row per period, then a total row",
                 .tag = "analytics",
                 .query = AnalyticsParams(false),
                 .media_type = "text/csv"},
                [this](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
                  return Get(caller, request, route, true);
                });
}

boost::asio::awaitable<http::Response> AnalyticsApi::Get(const Principal& caller, const http::Request&,
                                                         const http::RouteContext& route, bool csv) {
  auto get_tenant = [this, tenant = caller.tenant_id] { return store_.tenants().GetTenant(tenant); };
  auto tenant = co_await pool_.Run(get_tenant);
  if (!tenant) co_return http::ErrorResponse(tenant.error());
  auto range = ParseRange(route, tenant->time_zone);
  if (!range) co_return http::ErrorResponse(range.error());
  auto periods = PeriodsOf(*range, tenant->time_zone, caller.tenant_id);
  if (!periods) co_return http::ErrorResponse(periods.error());

  auto read = [this, &periods]() -> Result<std::pair<std::vector<store::AnalyticsPeriod>, bool>> {
    bool complete = false;
    for (int i = 0; i < kCatchUpRollups && !complete; ++i) {
      auto rolled = store_.analytics().Rollup(kCatchUpRows);
      if (!rolled) return rolled.error();
      complete = *rolled < kCatchUpRows;
    }
    auto figures = store_.analytics().Query(periods->query);
    if (!figures) return figures.error();
    return std::pair{std::move(*figures), complete};
  };
  auto figures = co_await pool_.Run(read);
  if (!figures) co_return http::ErrorResponse(figures.error());
  const auto& [series, complete] = *figures;
  const store::AnalyticsPeriod total = Total(series);

  if (csv) {
    auto response =
        http::TextResponse(http::Status::ok, Csv(periods->starts, series, total), "text/csv; charset=utf-8");
    response.set(
        boost::beast::http::field::content_disposition,
        "attachment; filename=\"analytics-" + tz::FormatDate(range->from) + "-" + tz::FormatDate(range->to) + ".csv\"");
    co_return response;
  }
  boost::json::array data;
  for (size_t i = 0; i < series.size(); ++i) {
    boost::json::object item = FiguresJson(series[i]);
    item["period"] = tz::FormatDate(periods->starts[i]);
    data.push_back(std::move(item));
  }
  co_return http::JsonResponse(
      http::Status::ok, boost::json::object{{"time_zone", tenant->time_zone},
                                            {"granularity", range->weeks ? "week" : "day"},
                                            {"from", tz::FormatDate(range->from)},
                                            {"to", tz::FormatDate(range->to)},
                                            {"channel_id", range->channel_id ? boost::json::value(*range->channel_id)
                                                                             : boost::json::value(nullptr)},
                                            {"complete", complete},
                                            {"series", std::move(data)},
                                            {"totals", FiguresJson(total)}});
}

}  // namespace parley::api
