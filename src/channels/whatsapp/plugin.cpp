// WhatsApp Cloud API as Parley's registry knows it (channels/platform.h).

#include <boost/json.hpp>

#include "channels/meta/meta_channel.h"
#include "channels/whatsapp/parse.h"
#include "channels/whatsapp/whatsapp_channel.h"
#include "core/json.h"

namespace parley::channels::whatsapp {
namespace {

constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;

// The exact shape of a WhatsApp Cloud API webhook carrying one text message.
std::string SampleWebhook(const SampleMessage& m) {
  boost::json::object value{{"messaging_product", "whatsapp"},
                            {"metadata", {{"display_phone_number", "15550000000"}, {"phone_number_id", m.account_id}}},
                            {"contacts", boost::json::array{{{"profile", {{"name", m.name}}}, {"wa_id", m.from}}}},
                            {"messages", boost::json::array{{{"from", m.from},
                                                             {"id", "wamid.SIM" + m.message_id},
                                                             {"timestamp", std::to_string(m.timestamp_ms / 1000)},
                                                             {"type", "text"},
                                                             {"text", {{"body", m.text}}}}}}};
  return SerializeJson(boost::json::object{
      {"object", "whatsapp_business_account"},
      {"entry",
       boost::json::array{
           {{"id", "0"}, {"changes", boost::json::array{{{"value", std::move(value)}, {"field", "messages"}}}}}}}});
}

}  // namespace

const PlatformPlugin& Plugin() {
  static const PlatformPlugin plugin{
      .name = kName,
      .display_name = "WhatsApp",
      .account_noun = "a WhatsApp Cloud API phone number",
      .traits = {.text = {4096, Markup::kChatMarkers},
                 .window = {.free_form_ms = kDayMs, .human_agent_ms = 0, .templates = true},
                 .read_receipts = true,
                 .typing_indicator = true,
                 .media = true,
                 .media_replies = PlatformTraits::MediaReplies::kUpload},
      .webhook = meta::MetaWebhook(kName, "WhatsApp"),
      .fields = {{ChannelField::Target::kAccountId, "account_id", "phone-number-id", "Phone number ID",
                  "The phone_number_id of the number in Meta's WhatsApp Manager (API Setup)."},
                 {ChannelField::Target::kAccessToken, "access_token", "access-token", "Access token",
                  "A Graph API token with whatsapp_business_messaging (a system user's, for production); stored "
                  "encrypted.",
                  true, true},
                 {ChannelField::Target::kBusinessAccountId, "waba_id", "waba-id", "WhatsApp Business Account ID",
                  "Where the number's message templates live; needed to send templates past 24 hours.", false}},
      .profile_fields = {"display_phone_number", "verified_name"},
      .meta_login = MetaLogin{"whatsapp_business_management,whatsapp_business_messaging,business_management",
                              MetaLogin::Discovery::kWhatsAppNumbers},
      .demo_account = "demo-phone-number-id",
      .make_channel = [](const Config& config, http::Client& client) -> std::unique_ptr<Channel> {
        return std::make_unique<WhatsAppChannel>(meta::SettingsFor(config, Plugin().webhook), client);
      },
      .parse_webhook = &ParseWhatsAppWebhook,
      .sample_webhook = &SampleWebhook};
  return plugin;
}

WhatsAppChannel::WhatsAppChannel(PlatformSettings settings, http::Client& client)
    : MetaChannel(std::move(settings), client,
                  {"WhatsApp", "display_phone_number,verified_name", &meta::ParseWhatsAppNumber}) {}

Platform WhatsAppChannel::platform() const { return Platform(kName); }

}  // namespace parley::channels::whatsapp
