#include "channels/whatsapp/templates.h"

#include <algorithm>
#include <set>

#include "channels/meta/parse_json.h"

namespace parley::channels::whatsapp {
namespace {

namespace json = boost::json;
using meta::FieldReader;

// Button types whose text is fixed: sending the template needs nothing for them (a URL one may still hold a
// variable, checked apart).
bool FixedButton(std::string_view type) { return type == "QUICK_REPLY" || type == "PHONE_NUMBER" || type == "URL"; }

// Calls `visit(content, begin, end)` for every "{{content}}" of `text`, [begin, end) spanning the braces.
template <class Visit>
void ForEachPlaceholder(std::string_view text, Visit visit) {
  size_t at = 0;
  while ((at = text.find("{{", at)) != std::string_view::npos) {
    size_t close = text.find("}}", at + 2);
    if (close == std::string_view::npos) return;
    visit(text.substr(at + 2, close - at - 2), at, close + 2);
    at = close + 2;
  }
}

// Why Parley cannot send `t` (empty when it can): anything that needs a value at send time besides the body's.
std::string UnsupportedReason(const MessageTemplate& t, const std::vector<std::string>& other_components) {
  if (!other_components.empty()) return "its " + other_components.front() + " component is not supported by Parley";
  if (!t.header_format.empty() && t.header_format != "TEXT") {
    return "its header is media (" + t.header_format + "), which Parley does not send";
  }
  if (t.header_text.find("{{") != std::string::npos) return "its header has a variable, which Parley does not fill";
  for (const TemplateButton& button : t.buttons) {
    if (!FixedButton(button.type)) return "its " + button.type + " button needs a value, which Parley does not send";
    if (button.url.find("{{") != std::string::npos) {
      return "its URL button has a variable, which Parley does not fill";
    }
  }
  return {};
}

std::string PlaceholderList(const MessageTemplate& t) {
  std::string list;
  for (const std::string& p : t.placeholders) list += (list.empty() ? "{{" : ", {{") + p + "}}";
  return list;
}

}  // namespace

Result<std::vector<std::string>> Placeholders(std::string_view text, bool named) {
  std::vector<std::string> names;
  std::set<int> numbers;
  std::optional<std::string> bad;
  ForEachPlaceholder(text, [&](std::string_view content, size_t, size_t) {
    if (bad) return;
    const bool digits = !content.empty() && content.size() <= 3 &&
                        std::all_of(content.begin(), content.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!named) {
      if (!digits) {
        bad = "{{" + std::string(content) + "}} is not a number, in a template with positional placeholders";
        return;
      }
      numbers.insert(std::stoi(std::string(content)));
      return;
    }
    const bool name = !content.empty() && std::all_of(content.begin(), content.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!name) {
      bad = "{{" + std::string(content) + "}} is not a placeholder name (lower-case letters, digits and _)";
      return;
    }
    if (std::find(names.begin(), names.end(), content) == names.end()) names.emplace_back(content);
  });
  if (bad) return Error::InvalidArgument(*bad);
  if (named) return names;
  int expected = 1;
  for (int n : numbers) {
    if (n != expected) {
      return Error::InvalidArgument("placeholders must be numbered from {{1}} without gaps; {{" + std::to_string(n) +
                                    "}} follows {{" + std::to_string(expected - 1) + "}}");
    }
    names.push_back(std::to_string(n));
    ++expected;
  }
  return names;
}

std::string FillPlaceholders(std::string_view text, const std::vector<std::string>& placeholders,
                             const std::vector<std::string>& values) {
  std::string out;
  size_t copied = 0;
  ForEachPlaceholder(text, [&](std::string_view content, size_t begin, size_t end) {
    auto found = std::find(placeholders.begin(), placeholders.end(), content);
    if (found == placeholders.end()) return;
    const size_t index = static_cast<size_t>(found - placeholders.begin());
    if (index >= values.size()) return;
    out.append(text.substr(copied, begin - copied));
    out += values[index];
    copied = end;
  });
  out.append(text.substr(copied));
  return out;
}

Result<TemplatePage> ParseTemplatePage(const json::object& answer) {
  FieldReader read;
  TemplatePage page;
  const json::array* data = read.Array(answer, "data");
  if (data != nullptr) {
    for (const json::value& v : *data) {
      const json::object* item = read.Element(v, "data");
      if (item == nullptr) break;
      MessageTemplate t;
      t.id = read.String(*item, "id");
      t.name = read.String(*item, "name");
      t.language = read.String(*item, "language");
      t.status = read.String(*item, "status");
      t.category = read.String(*item, "category");
      t.named = read.String(*item, "parameter_format") == "NAMED";
      std::vector<std::string> other_components;
      if (const json::array* components = read.Array(*item, "components")) {
        for (const json::value& c : *components) {
          const json::object* component = read.Element(c, "components");
          if (component == nullptr) break;
          const std::string type = read.String(*component, "type");
          if (type == "HEADER") {
            t.header_format = read.String(*component, "format");
            t.header_text = read.String(*component, "text");
          } else if (type == "BODY") {
            t.body = read.String(*component, "text");
          } else if (type == "FOOTER") {
            t.footer = read.String(*component, "text");
          } else if (type == "BUTTONS") {
            if (const json::array* buttons = read.Array(*component, "buttons")) {
              for (const json::value& b : *buttons) {
                const json::object* button = read.Element(b, "buttons");
                if (button == nullptr) break;
                t.buttons.push_back(
                    {read.String(*button, "type"), read.String(*button, "text"), read.String(*button, "url")});
              }
            }
          } else {
            other_components.push_back(type);
          }
        }
      }
      if (!read.ok()) return read.error();
      if (t.name.empty() || t.language.empty()) {
        return Error::InvalidArgument("a template in \"data\" has no name or language");
      }
      auto placeholders = Placeholders(t.body, t.named);
      if (placeholders) {
        t.placeholders = std::move(*placeholders);
        t.unsupported = UnsupportedReason(t, other_components);
      } else {
        t.unsupported = "its body's " + placeholders.error().message;
      }
      page.templates.push_back(std::move(t));
    }
  }
  if (const json::object* paging = read.Object(answer, "paging")) {
    const json::object* cursors = read.Object(*paging, "cursors");
    std::string after = cursors != nullptr ? read.String(*cursors, "after") : std::string();
    if (!read.String(*paging, "next").empty()) page.next_cursor = std::move(after);
  }
  if (!read.ok()) return read.error();
  return page;
}

Result<TemplateMessage> PrepareTemplate(const MessageTemplate& t, const std::vector<std::string>& values) {
  const std::string which = "template \"" + t.name + "\" (" + t.language + ")";
  if (!t.approved()) return Error::InvalidArgument(which + " is " + t.status + ", not APPROVED");
  if (!t.unsupported.empty()) return Error::InvalidArgument(which + " cannot be sent from Parley: " + t.unsupported);
  if (values.size() != t.placeholders.size()) {
    std::string expected = std::to_string(t.placeholders.size()) + " parameter" +
                           (t.placeholders.size() == 1 ? "" : "s") +
                           (t.placeholders.empty() ? "" : " (" + PlaceholderList(t) + ")");
    return Error::InvalidArgument(which + " takes " + expected + "; " + std::to_string(values.size()) +
                                  (values.size() == 1 ? " was" : " were") + " given");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string& value = values[i];
    const std::string name = "parameter " + std::to_string(i + 1) + " ({{" + t.placeholders[i] + "}})";
    if (value.empty()) return Error::InvalidArgument(name + " is empty");
    // WhatsApp refuses these in a parameter (error 132018).
    if (value.find_first_of("\n\t") != std::string::npos || value.find("     ") != std::string::npos) {
      return Error::InvalidArgument(name + " must be one line, without tabs or more than 4 spaces in a row");
    }
  }
  TemplateMessage message{t.name, t.language, values, {}};
  if (t.named) message.parameter_names = t.placeholders;
  return message;
}

std::string RenderTemplate(const MessageTemplate& t, const TemplateMessage& message) {
  return FillPlaceholders(t.body, t.placeholders, message.parameters);
}

json::object TemplateMessageBody(std::string_view to, const TemplateMessage& message) {
  json::object template_object{{"name", message.name}, {"language", json::object{{"code", message.language}}}};
  if (!message.parameters.empty()) {
    json::array parameters;
    for (size_t i = 0; i < message.parameters.size(); ++i) {
      json::object parameter{{"type", "text"}};
      if (i < message.parameter_names.size()) parameter["parameter_name"] = message.parameter_names[i];
      parameter["text"] = message.parameters[i];
      parameters.push_back(std::move(parameter));
    }
    template_object["components"] = json::array{json::object{{"type", "body"}, {"parameters", std::move(parameters)}}};
  }
  return json::object{{"messaging_product", "whatsapp"},
                      {"recipient_type", "individual"},
                      {"to", to},
                      {"type", "template"},
                      {"template", std::move(template_object)}};
}

json::object TemplateListingJson(const MessageTemplate& t) {
  json::array buttons;
  for (const TemplateButton& b : t.buttons) {
    json::object button{{"type", b.type}, {"text", b.text}};
    if (!b.url.empty()) button["url"] = b.url;
    buttons.push_back(std::move(button));
  }
  json::array placeholders;
  for (const std::string& p : t.placeholders) placeholders.emplace_back(p);
  json::value header = nullptr;
  if (!t.header_format.empty()) {
    header = json::object{{"format", t.header_format},
                          {"text", t.header_text.empty() ? json::value(nullptr) : json::value(t.header_text)}};
  }
  return {{"id", t.id},
          {"name", t.name},
          {"language", t.language},
          {"status", t.status},
          {"category", t.category},
          {"parameter_format", t.named ? "NAMED" : "POSITIONAL"},
          {"header", std::move(header)},
          {"body", t.body},
          {"footer", t.footer.empty() ? json::value(nullptr) : json::value(t.footer)},
          {"buttons", std::move(buttons)},
          {"placeholders", std::move(placeholders)},
          {"parameter_count", static_cast<int64_t>(t.placeholders.size())},
          {"sendable", t.sendable()},
          {"unsupported_reason", t.unsupported.empty() ? json::value(nullptr) : json::value(t.unsupported)}};
}

}  // namespace parley::channels::whatsapp
