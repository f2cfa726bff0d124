// Instagram Messaging (Graph API) as Parley's registry knows it (channels/platform.h).

#include <boost/json.hpp>

#include "channels/instagram/instagram_channel.h"
#include "channels/instagram/parse.h"
#include "channels/meta/meta_channel.h"
#include "core/json.h"

namespace parley::channels::instagram {
namespace {

constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;

// The exact shape of an Instagram Messaging webhook carrying one text message.
std::string SampleWebhook(const SampleMessage& m) {
  return SerializeJson(boost::json::object{
      {"object", "instagram"},
      {"entry", boost::json::array{
                    {{"id", m.account_id},
                     {"time", m.timestamp_ms},
                     {"messaging", boost::json::array{
                                       {{"sender", {{"id", m.from}}},
                                        {"recipient", {{"id", m.account_id}}},
                                        {"timestamp", m.timestamp_ms},
                                        {"message", {{"mid", "aWdfZAG1SIM" + m.message_id}, {"text", m.text}}}}}}}}}});
}

}  // namespace

const PlatformPlugin& Plugin() {
  static const PlatformPlugin plugin{
      .name = kName,
      .display_name = "Instagram",
      .account_noun = "an Instagram professional account",
      .traits = {.text = {1000, Markup::kPlain},
                 .window = {.free_form_ms = kDayMs, .human_agent_ms = 7 * kDayMs, .templates = false},
                 .read_receipts = true,
                 .typing_indicator = true,
                 .media = true,
                 .keeps_media = false,
                 .media_replies = PlatformTraits::MediaReplies::kLink},
      .webhook = meta::MetaWebhook(kName, "Instagram"),
      .fields = {{ChannelField::Target::kAccountId, "account_id", "account-id", "Instagram account ID",
                  "The Instagram professional account's id (the Page's instagram_business_account)."},
                 {ChannelField::Target::kAccessToken, "access_token", "access-token", "Access token",
                  "The Page token with instagram_manage_messages; stored encrypted.", true, true}},
      .profile_fields = {"username"},
      .meta_login =
          MetaLogin{
              "instagram_basic,instagram_manage_messages,pages_show_list,pages_manage_metadata,business_management",
              MetaLogin::Discovery::kInstagramPages},
      .demo_account = "demo-instagram-account",
      .make_channel = [](const Config& config, http::Client& client) -> std::unique_ptr<Channel> {
        return std::make_unique<InstagramChannel>(meta::SettingsFor(config, Plugin().webhook), client);
      },
      .parse_webhook = &ParseInstagramWebhook,
      .sample_webhook = &SampleWebhook};
  return plugin;
}

InstagramChannel::InstagramChannel(PlatformSettings settings, http::Client& client)
    : MetaChannel(std::move(settings), client, {"Instagram", "id,username", &meta::ParseInstagramAccount}) {}

Platform InstagramChannel::platform() const { return Platform(kName); }

}  // namespace parley::channels::instagram
