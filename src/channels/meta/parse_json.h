#pragma once
// Shared by the Meta platforms (WhatsApp, Instagram): bounded JSON parsing of untrusted webhook bodies, a
// type-checked field reader that never throws, and the decoding of Graph API answers. Network-free: it belongs
// to parley_channel_parsers so the fuzz targets build it alone.

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/message.h"

namespace parley::channels::meta {

//! Deepest nesting accepted in a webhook body; Meta's payloads stay under 10.
inline constexpr size_t kMaxJsonDepth = 64;

// Parses `body` as one JSON document, allocated from `storage` (the default resource when empty).
// kInvalidArgument "malformed JSON: <why>" on a syntax error, trailing data or nesting deeper than kMaxJsonDepth.
// Never throws.
Result<boost::json::value> ParseJson(std::string_view body, boost::json::storage_ptr storage = {});

// A parse arena for one webhook: a stack buffer that holds a typical payload, growing on the heap past it. Values
// parsed into it die with it, so anything kept must be copied into default storage.
class ParseArena {
 public:
  ParseArena() : resource_(buffer_, sizeof buffer_) {}
  boost::json::storage_ptr storage() { return &resource_; }

 private:
  unsigned char buffer_[16384];
  boost::json::monotonic_resource resource_;
};

// Reads fields of untrusted objects. An absent or null field is "not set" and yields the default; a field of the
// wrong type records an error naming it (the first one wins) and also yields the default, so a parser can read
// on and check `ok()` once at the end instead of after every field.
class FieldReader {
 public:
  //! The object at `key`, or nullptr when it is absent, null or not an object (the latter is an error).
  const boost::json::object* Object(const boost::json::object& o, std::string_view key);
  //! The array at `key`, or nullptr when it is absent, null or not an array (the latter is an error).
  const boost::json::array* Array(const boost::json::object& o, std::string_view key);
  //! The array at `key`; nullptr when it is anything else, absent and null included (all errors).
  const boost::json::array* RequiredArray(const boost::json::object& o, std::string_view key);
  //! The string at `key`; nullopt when absent or null.
  std::optional<std::string> OptString(const boost::json::object& o, std::string_view key);
  //! The string at `key`; empty when absent or null.
  std::string String(const boost::json::object& o, std::string_view key);
  //! A number at `key` (integer or floating); nullopt when absent or null.
  std::optional<double> Number(const boost::json::object& o, std::string_view key);
  //! An integer at `key`, also accepted as a decimal string (Meta sends both); 0 when absent or null.
  int64_t Integer(const boost::json::object& o, std::string_view key);
  //! A boolean at `key`; false when absent or null.
  bool Bool(const boost::json::object& o, std::string_view key);
  //! A platform timestamp at `key` (number or decimal string) in milliseconds since the epoch. Values below
  //! 10^11 are taken as seconds: WhatsApp sends seconds, Instagram milliseconds except in some test payloads.
  int64_t TimestampMs(const boost::json::object& o, std::string_view key);

  //! `v` as an object; otherwise nullptr, recording "each element of \"`what`\" must be an object".
  const boost::json::object* Element(const boost::json::value& v, std::string_view what);

  //! Records `reason` unless an earlier error was recorded.
  void Fail(std::string reason);

  bool ok() const { return !error_.has_value(); }
  //! The first recorded error as kInvalidArgument; only meaningful when !ok().
  Error error() const { return Error::InvalidArgument(error_.value_or(std::string())); }

 private:
  void WrongType(std::string_view key, std::string_view expected);

  std::optional<std::string> error_;
};

// Decodes Meta's error object {"error":{"message","type","code","error_subcode","error_data":{"details"},
// "fbtrace_id"}} into code, message as title and error_data.details as detail. A body without one (an HTML
// error page from a proxy, say) yields code = `http_status`, title "HTTP <status>" and a short excerpt.
MessageError ParseGraphError(int http_status, std::string_view body);

}  // namespace parley::channels::meta
