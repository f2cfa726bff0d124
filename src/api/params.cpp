#include "api/params.h"

#include "core/time.h"

#include <algorithm>
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

Result<std::optional<std::string>> OptionalString(const boost::json::object& body, std::string_view name) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) return Error::InvalidArgument(std::string(name) + " must be a string");
  return std::optional<std::string>(std::string(value->as_string()));
}

Result<void> OnlyFields(const boost::json::object& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
      return Error::InvalidArgument("unknown field " + std::string(key));
    }
  }
  return Ok();
}

boost::json::value OrNull(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

boost::json::value OrNull(const std::optional<int64_t>& number) {
  return number ? boost::json::value(*number) : boost::json::value(nullptr);
}

boost::json::value TimestampOrNull(const std::optional<int64_t>& ms) {
  return ms ? boost::json::value(FormatTimestamp(*ms)) : boost::json::value(nullptr);
}

}  // namespace parley::api
