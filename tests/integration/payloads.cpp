#include "integration/payloads.h"

#include <boost/json.hpp>

#include <ctime>
#include <string_view>

namespace parley::testing::payloads {

namespace json = boost::json;

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

namespace {

std::string WhatsAppMessage(const std::string& phone_number_id, const std::string& from, json::object message) {
  json::object value{{"messaging_product", "whatsapp"},
                     {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", phone_number_id}}},
                     {"contacts", json::array{{{"profile", {{"name", "Sheena Nelson"}}}, {"wa_id", from}}}},
                     {"messages", json::array{std::move(message)}}};
  return json::serialize(json::object{
      {"object", "whatsapp_business_account"},
      {"entry", json::array{{{"id", "102290129340398"},
                             {"changes", json::array{{{"value", std::move(value)}, {"field", "messages"}}}}}}}});
}

}  // namespace

std::string WhatsAppText(const std::string& phone_number_id, const std::string& from, const std::string& id,
                         const std::string& text, int64_t timestamp) {
  return WhatsAppMessage(phone_number_id, from,
                         {{"from", from},
                          {"id", id},
                          {"timestamp", std::to_string(timestamp)},
                          {"type", "text"},
                          {"text", {{"body", text}}}});
}

std::string WhatsAppMedia(const std::string& phone_number_id, const std::string& from, const std::string& id,
                          const std::string& type, const std::string& media_id, const std::string& mime_type,
                          const std::string& caption) {
  json::object media{
      {"mime_type", mime_type}, {"sha256", "IJUGGaKPgVTO6D2fSbqxYEZO42Jv2sjaTtcb0ROtBeI="}, {"id", media_id}};
  if (!caption.empty()) media["caption"] = caption;
  if (type == "audio") media["voice"] = true;
  return WhatsAppMessage(phone_number_id, from,
                         {{"from", from},
                          {"id", id},
                          {"timestamp", std::to_string(NowSeconds())},
                          {"type", type},
                          {type, std::move(media)}});
}

namespace {

// Meta's `messaging` webhooks (Instagram's object "instagram", a Page's "page"): one message event.
std::string MessagingEvent(std::string_view object, const std::string& account_id, const std::string& sender,
                           const std::string& recipient, json::object message, int64_t at_ms) {
  return json::serialize(
      json::object{{"object", object},
                   {"entry", json::array{{{"id", account_id},
                                          {"time", at_ms},
                                          {"messaging", json::array{{{"sender", {{"id", sender}}},
                                                                     {"recipient", {{"id", recipient}}},
                                                                     {"timestamp", at_ms},
                                                                     {"message", std::move(message)}}}}}}}});
}

json::object Attachment(const std::string& mid, const std::string& type, const std::string& url) {
  return {{"mid", mid}, {"attachments", json::array{{{"type", type}, {"payload", {{"url", url}}}}}}};
}

std::string InstagramMessage(const std::string& account_id, const std::string& sender, const std::string& recipient,
                             json::object message) {
  return MessagingEvent("instagram", account_id, sender, recipient, std::move(message), NowSeconds() * 1000);
}

}  // namespace

std::string InstagramText(const std::string& account_id, const std::string& from, const std::string& mid,
                          const std::string& text) {
  return InstagramMessage(account_id, from, account_id, {{"mid", mid}, {"text", text}});
}

std::string InstagramAttachment(const std::string& account_id, const std::string& from, const std::string& mid,
                                const std::string& type, const std::string& url) {
  return InstagramMessage(account_id, from, account_id, Attachment(mid, type, url));
}

std::string MessengerAttachment(const std::string& page_id, const std::string& from, const std::string& mid,
                                const std::string& type, const std::string& url) {
  return MessagingEvent("page", page_id, from, page_id, Attachment(mid, type, url), NowSeconds() * 1000);
}

std::string InstagramEcho(const std::string& account_id, const std::string& customer, const std::string& mid,
                          const std::string& text) {
  return InstagramMessage(account_id, account_id, customer, {{"mid", mid}, {"text", text}, {"is_echo", true}});
}

std::string MessengerText(const std::string& page_id, const std::string& from, const std::string& mid,
                          const std::string& text, int64_t at_ms) {
  return MessagingEvent("page", page_id, from, page_id, {{"mid", mid}, {"text", text}}, at_ms);
}

}  // namespace parley::testing::payloads
