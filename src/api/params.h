#pragma once
// What every route handler reads the same way: ids in the path, paging parameters, JSON body fields and page bodies.

#include "http/http.h"
#include "store/store.h"

#include <boost/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

namespace parley::api {

// The positive integer path parameter `name`; nullopt otherwise (the caller answers 404).
std::optional<int64_t> PathId(const http::RouteContext& route, std::string_view name = "id");
// ?limit= from 1 to 500, 50 when absent; kInvalidArgument otherwise.
Result<int> PageLimit(const http::RouteContext& route);
// ?cursor=, nullopt when absent or empty.
std::optional<std::string> PageCursor(const http::RouteContext& route);

// The string field `name` of `body`: nullopt when absent or null, kInvalidArgument when not a string.
Result<std::optional<std::string>> OptionalString(const boost::json::object& body, std::string_view name);
// kInvalidArgument ("unknown field …") for the first field of `body` not in `allowed`.
Result<void> OnlyFields(const boost::json::object& body, std::initializer_list<std::string_view> allowed);

boost::json::value OrNull(const std::string& text);
boost::json::value OrNull(const std::optional<int64_t>& number);
// The time as FormatTimestamp writes it, or null.
boost::json::value TimestampOrNull(const std::optional<int64_t>& ms);

// {"data": [...], "next_cursor": … | null}
template <class T, class ToJson>
boost::json::object PageJson(const store::Page<T>& page, ToJson to_json) {
  boost::json::array data;
  data.reserve(page.data.size());
  for (const auto& item : page.data) data.push_back(to_json(item));
  return {{"data", std::move(data)},
          {"next_cursor", page.next_cursor ? boost::json::value(*page.next_cursor) : boost::json::value(nullptr)}};
}

}  // namespace parley::api
