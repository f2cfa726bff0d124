#include "api/params.h"

#include <charconv>

namespace parley::api {

std::optional<int64_t> PathId(const http::RouteContext& route, std::string_view name) {
  auto raw = route.Param(name).value_or("");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc() || end != raw.data() + raw.size() || id <= 0) return std::nullopt;
  return id;
}

Result<int> PageLimit(const http::RouteContext& route) {
  auto raw = route.Query("limit");
  if (!raw) return 50;
  int limit = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), limit);
  if (ec != std::errc() || end != raw->data() + raw->size() || limit < 1 || limit > 500) {
    return Error::InvalidArgument("limit must be an integer from 1 to 500");
  }
  return limit;
}

std::optional<std::string> PageCursor(const http::RouteContext& route) {
  auto raw = route.Query("cursor");
  if (!raw || raw->empty()) return std::nullopt;
  return std::string(*raw);
}

boost::json::value OrNull(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

boost::json::value OrNull(const std::optional<int64_t>& number) {
  return number ? boost::json::value(*number) : boost::json::value(nullptr);
}

}  // namespace parley::api
