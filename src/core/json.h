#pragma once
// Parley's one way to turn a JSON value into text. Boost.JSON's own serializer prints doubles in its shortest
// exponent form (0.5 as "5E-1", 0.0 as "0E0"): valid JSON, but not what people, dashboards or other tools expect
// to read. This writer prints the same structure with doubles as ordinary decimals ("0.5", "0", "1e+21" only where
// a decimal would be longer), shortest round-trip, and everything else exactly as Boost.JSON does.

#include <boost/json/value.hpp>

#include <string>

namespace parley {

// `value` as compact JSON text. Non-finite doubles (which JSON cannot hold) are written as null. The object and
// array overloads spare the copy into a `value`.
std::string SerializeJson(const boost::json::value& value);
std::string SerializeJson(const boost::json::object& object);
std::string SerializeJson(const boost::json::array& array);

// Appends `value` to `out`.
void AppendJson(std::string& out, const boost::json::value& value);

}  // namespace parley
