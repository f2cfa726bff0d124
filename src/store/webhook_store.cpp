#include "store/webhook_store.h"

#include "core/json.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

namespace parley::store {

std::string_view ToString(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kPending:
      return "pending";
    case DeliveryStatus::kSucceeded:
      return "succeeded";
    case DeliveryStatus::kFailed:
      return "failed";
  }
  return "pending";
}

DeliveryStatus ParseDeliveryStatus(std::string_view text) {
  if (text == "succeeded") return DeliveryStatus::kSucceeded;
  if (text == "failed") return DeliveryStatus::kFailed;
  return DeliveryStatus::kPending;
}

std::string EventTypesJson(const std::vector<std::string>& types) {
  boost::json::array array;
  for (const auto& type : types) array.emplace_back(type);
  return SerializeJson(array);
}

std::vector<std::string> ParseEventTypes(std::string_view text) {
  std::vector<std::string> types;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_array()) return types;
  for (const auto& type : parsed.as_array()) {
    if (type.is_string()) types.emplace_back(type.as_string());
  }
  return types;
}

}  // namespace parley::store
