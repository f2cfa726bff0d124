#include "channels/meta/parse_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <charconv>
#include <cmath>

namespace parley::channels::meta {
namespace {

namespace json = boost::json;

const json::value* Find(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

std::optional<int64_t> ParseDecimal(std::string_view s) {
  int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return out;
}

// Integral numbers only, within int64: a fractional or huge value is a wrong type, not something to round.
std::optional<int64_t> AsInteger(const json::value& v) {
  if (const int64_t* i = v.if_int64()) return *i;
  if (const uint64_t* u = v.if_uint64()) {
    if (*u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(*u);
  }
  if (const double* d = v.if_double()) {
    if (!std::isfinite(*d) || std::trunc(*d) != *d || std::fabs(*d) > 9.0e18) return std::nullopt;
    return static_cast<int64_t>(*d);
  }
  if (const json::string* s = v.if_string()) return ParseDecimal(*s);
  return std::nullopt;
}

}  // namespace

Result<json::value> ParseJson(std::string_view body, json::storage_ptr storage) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, std::move(storage), options);
  if (ec) return Error::InvalidArgument("malformed JSON: " + ec.message());
  return v;
}

void FieldReader::Fail(std::string reason) {
  if (!error_) error_ = std::move(reason);
}

void FieldReader::WrongType(std::string_view key, std::string_view expected) {
  Fail("field \"" + std::string(key) + "\" must be " + std::string(expected));
}

const json::object* FieldReader::Object(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) WrongType(key, "an object");
  return v->if_object();
}

const json::array* FieldReader::Array(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) WrongType(key, "an array");
  return v->if_array();
}

const json::array* FieldReader::RequiredArray(const json::object& o, std::string_view key) {
  if (Find(o, key) == nullptr) {
    WrongType(key, "an array");
    return nullptr;
  }
  return Array(o, key);
}

std::optional<std::string> FieldReader::OptString(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr) return std::nullopt;
  if (const json::string* s = v->if_string()) return std::string(*s);
  WrongType(key, "a string");
  return std::nullopt;
}

std::string FieldReader::String(const json::object& o, std::string_view key) {
  return OptString(o, key).value_or(std::string());
}

std::optional<double> FieldReader::Number(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) return v->to_number<double>();
  WrongType(key, "a number");
  return std::nullopt;
}

int64_t FieldReader::Integer(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr) return 0;
  if (std::optional<int64_t> i = AsInteger(*v)) return *i;
  WrongType(key, "an integer or a decimal string");
  return 0;
}

bool FieldReader::Bool(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr) return false;
  if (const bool* b = v->if_bool()) return *b;
  WrongType(key, "a boolean");
  return false;
}

int64_t FieldReader::TimestampMs(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (v == nullptr) return 0;
  std::optional<int64_t> t = AsInteger(*v);
  // Negative or absurd values are as wrong as a non-number: they would corrupt ordering downstream.
  constexpr int64_t kSecondsLimit = 100'000'000'000;     // Year 5138 in seconds, 1973 in milliseconds.
  constexpr int64_t kMillisLimit = 100'000'000'000'000;  // Year 5138 in milliseconds.
  if (!t || *t < 0 || *t >= kMillisLimit) {
    WrongType(key, "a timestamp (number or decimal string)");
    return 0;
  }
  return *t < kSecondsLimit ? *t * 1000 : *t;
}

const json::object* FieldReader::Element(const json::value& v, std::string_view what) {
  if (!v.is_object()) Fail("each element of \"" + std::string(what) + "\" must be an object");
  return v.if_object();
}

MessageError ParseGraphError(int http_status, std::string_view body) {
  MessageError error{http_status, "HTTP " + std::to_string(http_status), {}};
  Result<json::value> doc = ParseJson(body);
  const json::object* root = doc ? doc->if_object() : nullptr;
  const json::value* e = root != nullptr ? root->if_contains("error") : nullptr;
  const json::object* graph = e != nullptr ? e->if_object() : nullptr;
  if (graph == nullptr) {
    // Keep the log line short: a proxy's error page can be large and says little.
    constexpr size_t kExcerpt = 200;
    error.detail = std::string(body.substr(0, kExcerpt));
    return error;
  }
  FieldReader read;
  if (int64_t code = read.Integer(*graph, "code"); code != 0 && code >= INT32_MIN && code <= INT32_MAX) {
    error.code = static_cast<int>(code);
  }
  if (std::string message = read.String(*graph, "message"); !message.empty()) error.title = std::move(message);
  if (const json::object* data = read.Object(*graph, "error_data")) error.detail = read.String(*data, "details");
  return error;
}

}  // namespace parley::channels::meta
