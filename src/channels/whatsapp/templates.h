#pragma once
// WhatsApp message templates, as pure functions: the Graph API's template list (GET /{waba_id}/message_templates)
// decoded, the body's placeholders counted, a template rendered with its values for the thread, and the
// `type: template` body Parley POSTs to /{phone_number_id}/messages. No I/O.
//
// Parley sends the values of a template's BODY placeholders, positional ({{1}}, {{2}}, …) or named ({{first_name}},
// parameter_format NAMED). A template that needs anything else at send time (a media header, a variable in its
// header or in a button, a carousel) is listed with the reason it cannot be sent from the inbox.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/message.h"

namespace parley::channels::whatsapp {

struct TemplateButton {
  std::string type;  //!< QUICK_REPLY, URL, PHONE_NUMBER, …
  std::string text;
  std::string url;  //!< URL buttons; may hold a {{1}} variable.
};

// One template as Meta lists it, with what Parley derives from it.
struct MessageTemplate {
  std::string id;
  std::string name;
  std::string language;       //!< Meta's code: "en_US", "fr".
  std::string status;         //!< APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …
  std::string category;       //!< MARKETING, UTILITY, AUTHENTICATION.
  bool named = false;         //!< parameter_format NAMED: placeholders are names.
  std::string header_format;  //!< TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION; empty without a header.
  std::string header_text;
  std::string body;
  std::string footer;
  std::vector<TemplateButton> buttons;
  //! The body's placeholders, each once: "1" … "n" in order, or the names in order of first appearance.
  std::vector<std::string> placeholders;
  std::string unsupported;  //!< Why Parley cannot send it; empty when it can.

  bool approved() const { return status == "APPROVED"; }
  bool sendable() const { return approved() && unsupported.empty(); }
};

// One page of the list: its templates and the cursor of the next page (empty on the last).
struct TemplatePage {
  std::vector<MessageTemplate> templates;
  std::string next_cursor;  //!< paging.cursors.after, only when paging.next says there is more.
};

// Decodes a 2xx answer of GET /{waba_id}/message_templates: {"data": [{name, language, status, category, id,
// parameter_format, components: [{type: HEADER|BODY|FOOTER|BUTTONS, …}]}], "paging": {"cursors": {"before",
// "after"}, "next"}}. kInvalidArgument naming the field when a field Parley reads has the wrong type or a template
// has no name or language.
Result<TemplatePage> ParseTemplatePage(const boost::json::object& answer);

// The placeholders of `text` as MessageTemplate::placeholders lists them. Positional: the numbers must run 1 … n
// (each may repeat); named: lower-case letters, digits and underscores. kInvalidArgument saying what is wrong
// otherwise (a {{2}} without {{1}}, a name in a positional template).
Result<std::vector<std::string>> Placeholders(std::string_view text, bool named);

// `text` with each placeholder replaced by its value (`values` parallel to `placeholders`).
std::string FillPlaceholders(std::string_view text, const std::vector<std::string>& placeholders,
                             const std::vector<std::string>& values);

// Checks `values` against the template (sendable, one value per placeholder, each a single line as Meta requires:
// no newline or tab, at most 4 spaces in a row) and returns what to send: its name, language, the values and, for
// named placeholders, their names. kInvalidArgument saying what is wrong.
Result<TemplateMessage> PrepareTemplate(const MessageTemplate& t, const std::vector<std::string>& values);

// What the thread shows for a template sent with `message`'s values: its body filled in.
std::string RenderTemplate(const MessageTemplate& t, const TemplateMessage& message);

// {"messaging_product":"whatsapp","recipient_type":"individual","to":…,"type":"template","template":{"name":…,
//  "language":{"code":…},"components":[{"type":"body","parameters":[{"type":"text","text":…}, …]}]}}, each
// parameter with its "parameter_name" for named placeholders; "components" is left out when there are no values.
boost::json::object TemplateMessageBody(std::string_view to, const TemplateMessage& message);

// The template as the API lists it: name, language, status, category, parameter_format, header ({format, text} or
// null), body, footer, buttons, placeholders, parameter_count, sendable and unsupported_reason.
boost::json::object TemplateListingJson(const MessageTemplate& t);

}  // namespace parley::channels::whatsapp
