// Facebook Messenger as Parley's registry knows it (channels/platform.h).

#include <boost/json.hpp>

#include "channels/messenger/messenger_channel.h"
#include "channels/messenger/parse.h"
#include "channels/meta/meta_channel.h"
#include "core/json.h"

namespace parley::channels::messenger {
namespace {

constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;

// The exact shape of a Page webhook carrying one text message.
std::string SampleWebhook(const SampleMessage& m) {
  return SerializeJson(boost::json::object{
      {"object", "page"},
      {"entry",
       boost::json::array{
           {{"id", m.account_id},
            {"time", m.timestamp_ms},
            {"messaging", boost::json::array{{{"sender", {{"id", m.from}}},
                                              {"recipient", {{"id", m.account_id}}},
                                              {"timestamp", m.timestamp_ms},
                                              {"message", {{"mid", "m_SIM" + m.message_id}, {"text", m.text}}}}}}}}}});
}

}  // namespace

const PlatformPlugin& Plugin() {
  static const PlatformPlugin plugin{
      .name = kName,
      .display_name = "Messenger",
      .account_noun = "a Facebook Page on Messenger",
      // A text message is at most 2,000 characters; past 24 hours only a person's reply goes, tagged HUMAN_AGENT,
      // for 7 days.
      .traits = {.text = {2000, Markup::kPlain},
                 .window = {.free_form_ms = kDayMs, .human_agent_ms = 7 * kDayMs, .templates = false},
                 .read_receipts = true,
                 .typing_indicator = true,
                 .media = true,
                 .keeps_media = false,
                 .media_replies = PlatformTraits::MediaReplies::kLink},
      .webhook = meta::MetaWebhook(kName, "Messenger"),
      .fields = {{ChannelField::Target::kAccountId, "account_id", "page-id", "Page ID",
                  "The Facebook Page's id (its About section, or Meta Business Suite)."},
                 {ChannelField::Target::kAccessToken, "access_token", "access-token", "Page access token",
                  "A Page token with pages_messaging; stored encrypted.", true, true}},
      .profile_fields = {"username"},
      .meta_login = MetaLogin{"pages_messaging,pages_show_list,pages_manage_metadata,business_management",
                              MetaLogin::Discovery::kPages},
      .demo_account = "demo-page",
      .make_channel = [](const Config& config, http::Client& client) -> std::unique_ptr<Channel> {
        return std::make_unique<MessengerChannel>(meta::SettingsFor(config, Plugin().webhook), client);
      },
      .parse_webhook = &ParseMessengerWebhook,
      .sample_webhook = &SampleWebhook};
  return plugin;
}

MessengerChannel::MessengerChannel(PlatformSettings settings, http::Client& client)
    : MetaChannel(std::move(settings), client, {"Messenger", "id,name", &meta::ParsePage}) {}

Platform MessengerChannel::platform() const { return Platform(kName); }

}  // namespace parley::channels::messenger
