// Telegram's Bot API as Parley's registry knows it (channels/platform.h).

#include "channels/telegram/parse.h"
#include "channels/telegram/telegram_channel.h"

namespace parley::channels::telegram {
namespace {

const ConfigKey kApiBaseUrl{"telegram_api_base_url",
                            "PARLEY_TELEGRAM_API_BASE_URL",
                            "string",
                            "`https://api.telegram.org`",
                            "Base URL of the Telegram Bot API (tests point it at a fake).",
                            false};

}  // namespace

const PlatformPlugin& Plugin() {
  static const PlatformPlugin plugin{
      .name = kName,
      .display_name = "Telegram",
      .account_noun = "a Telegram bot",
      .traits = {.text = {kMaxMessageUtf16, Markup::kChatMarkers},
                 .window = {},
                 .read_receipts = false,
                 .typing_indicator = true,
                 .media = true,
                 .media_replies = PlatformTraits::MediaReplies::kUpload},
      .webhook = {.signature_header = "X-Telegram-Bot-Api-Secret-Token",
                  .app_secret = {},
                  .verify_token = {},
                  .body_schema = "TelegramUpdate",
                  .verification = WebhookSpec::Verification::kChannelSecret},
      .fields = {{ChannelField::Target::kAccessToken, "access_token", "bot-token", "Bot token",
                  "The token @BotFather gave the bot (123456789:AA…); stored encrypted. Parley asks Telegram which "
                  "bot it is and sets the bot's webhook to this server (PARLEY_PUBLIC_URL).",
                  true, true}},
      .profile_fields = {"username"},
      .meta_login = std::nullopt,
      .demo_account = "",
      .make_channel = [](const Config& config, http::Client& client) -> std::unique_ptr<Channel> {
        TelegramSettings settings;
        if (std::string_view base = config.PlatformSetting(kApiBaseUrl.name); !base.empty()) {
          settings.api_base_url = std::string(base);
        }
        return std::make_unique<TelegramChannel>(std::move(settings), client);
      },
      .parse_webhook = &ParseTelegramUpdate,
      .sample_webhook = &SampleUpdate,
      .settings = {kApiBaseUrl}};
  return plugin;
}

}  // namespace parley::channels::telegram
