#pragma once
// A platform as the rest of Parley knows it: one PlatformPlugin, declared in the platform's folder
// (channels/<platform>/plugin.cpp) and listed by one line of channels/platforms.inc. The webhook routes, the metrics
// labels, the stored platform name, the messaging windows of the inbox, the agent's length and formatting, the
// channels API and its description of each platform's settings, `parley channel add <platform>` and the docs all
// derive from it; nothing outside the folder names a platform.

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "channels/channel.h"
#include "core/config.h"
#include "core/message.h"
#include "http/client.h"

namespace parley::channels {

struct PlatformServices;  // channels/platform_routes.h
class PlatformRoutes;

// One setting a channel of the platform is added with. It drives the checks of POST /api/social-accounts, the form
// the dashboard builds from GET /api/platforms, and the flags of `parley channel add <platform>`.
struct ChannelField {
  //! Where the value goes: the account id the platform's webhooks name, the access token (sealed at rest), the
  //! business account that owns it (WhatsApp's waba_id, where its message templates live), the channel's name
  //! (store::Channel::display_name, when the platform requires one: the web chat's title), or one of the platform's
  //! own settings (store::Channel::settings[key], checked by PlatformPlugin::check_settings).
  enum class Target { kAccountId, kAccessToken, kBusinessAccountId, kDisplayName, kSetting };
  Target target = Target::kAccountId;
  std::string_view key;    //!< The JSON field of POST /api/social-accounts: account_id, access_token, waba_id.
  std::string_view flag;   //!< The CLI flag, without "--": phone-number-id, page-id, access-token.
  std::string_view label;  //!< The form's label: "Phone number ID".
  std::string_view help;   //!< One sentence: where to find it.
  bool required = true;
  bool secret = false;  //!< Never shown back (tokens).
  //! A list of values (a JSON array of strings; the CLI flag may be repeated; one value per line in the form).
  bool multiple = false;
};

// How the platform's webhooks reach Parley and prove where they come from.
struct WebhookSpec {
  enum class Verification {
    //! One route for every channel, /api/<name>/webhook: `signature_header` carries an HMAC-SHA256 of the raw body
    //! with the app secret (`app_secret`), and a GET handshake is answered with `verify_token` (Meta's platforms).
    kAppSignature,
    //! One route per channel, /api/<name>/webhook/{public_id}: `signature_header` carries that channel's own secret
    //! (Channel::WebhookSecret), compared in constant time; no handshake and no app-wide keys (Telegram).
    kChannelSecret,
    //! No webhook: the platform's customers reach Parley through public routes of its own
    //! (PlatformPlugin::make_routes), which authenticate them (the web chat's signed visitor tokens).
    kNone,
  };
  std::string_view signature_header;  //!< "X-Hub-Signature-256", "X-Telegram-Bot-Api-Secret-Token".
  ConfigKey app_secret;               //!< kAppSignature: the configuration key of the secret that signs.
  ConfigKey verify_token;             //!< kAppSignature: Meta's GET handshake token (hub.verify_token).
  std::string_view body_schema;       //!< The OpenAPI schema of its body ("MetaWebhook").
  Verification verification = Verification::kAppSignature;
};

// What a platform supports and how it shows text, read by the agent, the inbox and the dashboard.
struct PlatformTraits {
  TextRules text;          //!< Length limit and formatting of one outbound message.
  MessagingWindow window;  //!< When a reply may go out; HUMAN_AGENT and templates.
  bool read_receipts = false;
  bool typing_indicator = false;
  bool media = false;  //!< Inbound images, audio, video and files are parsed.
  //! Whether Parley keeps a copy of the customers' files (WhatsApp, Telegram), or only reads them once, to understand
  //! them, and shows the platform's own link (Instagram and Messenger: Meta's app review refuses apps that store
  //! Instagram media).
  bool keeps_media = true;
  //! Where a customer's file comes from: downloaded from the platform by the media fetcher (Channel::FetchMedia), or
  //! uploaded to Parley by the customer's own client (the web chat's widget), checked and kept in the media store
  //! before its message is stored; its media record's platform media id is then the file's key there, and the
  //! fetcher reads it from the store instead of downloading it.
  enum class MediaSource { kDownloaded, kUploaded };
  MediaSource media_source = MediaSource::kDownloaded;
  //! How a person's file reaches the customer (Channel::SendMedia): not at all, uploaded by Parley, fetched by the
  //! platform from a signed Parley link, which needs PARLEY_PUBLIC_URL, or served by Parley to the customer's own
  //! client (the web chat's widget), which reads it with links signed at each read: nothing to upload or sign when
  //! it is sent.
  enum class MediaReplies { kNone, kUpload, kLink, kServed };
  MediaReplies media_replies = MediaReplies::kNone;
};

// Facebook Login for Business for the platform (Meta's OAuth): how GET /api/social-accounts/connect/{platform}
// finds the accounts a login granted.
struct MetaLogin {
  enum class Discovery {
    kWhatsAppNumbers,  //!< debug_token's WhatsApp Business Accounts, then their phone numbers.
    kInstagramPages,   //!< /me/accounts: the Pages' Instagram business accounts, each with its Page's token.
    kPages,            //!< /me/accounts: the Pages themselves, each with its Page token (Messenger).
  };
  std::string_view scopes;  //!< The permissions asked for, comma-separated.
  Discovery discovery = Discovery::kPages;
};

// A sample inbound text message, for `parley simulate`.
struct SampleMessage {
  std::string account_id;  //!< The channel's account (empty: the platform's demo account).
  std::string from;        //!< The customer's platform id.
  std::string name;        //!< The customer's profile name.
  std::string text;
  std::string message_id;  //!< Unique per call.
  int64_t timestamp_ms = 0;
};

struct PlatformPlugin {
  std::string_view name;          //!< "whatsapp": stored, in URLs (/api/<name>/webhook), metrics labels, the CLI.
  std::string_view display_name;  //!< "WhatsApp".
  std::string_view account_noun;  //!< What a channel is: "a WhatsApp Cloud API phone number".
  PlatformTraits traits;
  WebhookSpec webhook;
  std::vector<ChannelField> fields;  //!< What a channel is added with, in the form's order.
  //! The AccountProfile fields the channels API shows: display_phone_number, verified_name, username.
  std::vector<std::string_view> profile_fields;
  std::optional<MetaLogin> meta_login;  //!< nullopt: channels are added with their fields only.
  std::string_view demo_account;        //!< The account id of `make run`'s demo channel.
  //! The live channel, from the platform's settings in `config` (Config::PlatformSetting of the webhook's keys).
  //! `client` must outlive it.
  std::unique_ptr<Channel> (*make_channel)(const Config& config, http::Client& client) = nullptr;
  //! The platform's webhook parser (what its Channel::Parse calls), network-free: the fixtures and fuzzers use it.
  Result<WebhookEvents> (*parse_webhook)(std::string_view body) = nullptr;
  //! A webhook body carrying `message` exactly as the platform sends one, unsigned.
  std::string (*sample_webhook)(const SampleMessage& message) = nullptr;
  //! Configuration keys of the platform besides its webhook's (Telegram's API base URL), read into
  //! Config::platform_settings.
  std::vector<ConfigKey> settings;
  //! Keys of store::Channel::settings that the channels API takes besides the fields' (the web chat's texts, an
  //! object): not in the form nor the CLI.
  std::vector<std::string_view> extra_settings;
  //! Checks a channel's settings (the kSetting fields' values and `extra_settings`, as the API or the CLI give them)
  //! and returns them as stored: kInvalidArgument saying which is wrong. nullptr: the platform has none.
  Result<boost::json::object> (*check_settings)(const boost::json::object& settings) = nullptr;
  //! What the channels API and `parley channel add` show of a channel besides its common fields (the web chat's
  //! allowed origins and script tag), from its public id, settings and PARLEY_PUBLIC_URL. nullptr: nothing.
  boost::json::object (*channel_details)(std::string_view public_id, const boost::json::object& settings,
                                         std::string_view public_url) = nullptr;
  //! The platform's public routes (WebhookSpec::Verification::kNone), built once by the API with what they need.
  std::unique_ptr<PlatformRoutes> (*make_routes)(const PlatformServices& services) = nullptr;
  //! The named JSON Schemas (a JSON object, as api/openapi_schema_shapes.h's) that its routes' docs name, merged
  //! into the API reference's components.
  std::string_view api_schemas;
  //! The error codes its routes answer besides core/error.h's (the API reference's ErrorCode lists them too).
  std::vector<std::string_view> error_codes;

  Platform platform() const { return Platform(name); }
  //! The webhook's path pattern: /api/<name>/webhook, or /api/<name>/webhook/{public_id} for per-channel webhooks;
  //! empty for a platform without webhooks (WebhookSpec::Verification::kNone).
  std::string webhook_path() const;
  //! A channel's webhook URL under `public_url` (PARLEY_PUBLIC_URL): the path with the channel's public id.
  std::string ChannelWebhookUrl(std::string_view public_url, std::string_view public_id) const;
  //! The field with `target`, or nullptr.
  const ChannelField* Field(ChannelField::Target target) const;
};

}  // namespace parley::channels
