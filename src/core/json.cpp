#include "core/json.h"

#include "core/utf8.h"

#include <charconv>
#include <cmath>

namespace parley {
namespace {

void AppendDouble(std::string& out, double number) {
  if (!std::isfinite(number)) {
    out += "null";
    return;
  }
  char buffer[32];
  // Without a format, to_chars picks the shortest text that reads back as the same double, preferring fixed
  // notation on a tie.
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number);
  out.append(buffer, end);
}

// Escapes as RFC 8259 requires and Boost.JSON does: the quote, the backslash and control characters; valid UTF-8
// is copied. Text that is not valid UTF-8 (a row stored before input was checked, a value from an old version) must
// not make the whole document invalid JSON: each byte that begins no valid sequence becomes U+FFFD. One pass.
void AppendString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (const size_t length = Utf8SequenceLength(text.substr(i)); length > 0) {
        i += length;
        continue;
      }
      out.append(text.data() + run, i - run);
      out += "\xEF\xBF\xBD";
      run = ++i;
      continue;
    }
    ++i;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - 1 - run);
    run = i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void AppendArray(std::string& out, const boost::json::array& array) {
  out += '[';
  bool first = true;
  for (const auto& element : array) {
    if (!first) out += ',';
    first = false;
    AppendJson(out, element);
  }
  out += ']';
}

void AppendObject(std::string& out, const boost::json::object& object) {
  out += '{';
  bool first = true;
  for (const auto& member : object) {
    if (!first) out += ',';
    first = false;
    AppendString(out, member.key());
    out += ':';
    AppendJson(out, member.value());
  }
  out += '}';
}

}  // namespace

void AppendJson(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      out += std::to_string(value.get_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(value.get_uint64());
      return;
    case boost::json::kind::double_:
      AppendDouble(out, value.get_double());
      return;
    case boost::json::kind::string:
      AppendString(out, value.get_string());
      return;
    case boost::json::kind::array:
      AppendArray(out, value.get_array());
      return;
    case boost::json::kind::object:
      AppendObject(out, value.get_object());
      return;
  }
}

std::string SerializeJson(const boost::json::value& value) {
  std::string out;
  AppendJson(out, value);
  return out;
}

std::string SerializeJson(const boost::json::object& object) {
  std::string out;
  AppendObject(out, object);
  return out;
}

std::string SerializeJson(const boost::json::array& array) {
  std::string out;
  AppendArray(out, array);
  return out;
}

}  // namespace parley
