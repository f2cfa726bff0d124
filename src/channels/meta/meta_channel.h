#pragma once
// What every Meta platform's channel shares: its settings, the HTTP client, the GET handshake, the
// X-Hub-Signature-256 check and the credentials check (GET /{account_id}?fields=…). WhatsApp, Instagram and
// Messenger derive from it and add parsing and sending.

#include "channels/channel.h"
#include "channels/meta/accounts.h"
#include "channels/meta/graph.h"
#include "channels/platform.h"
#include "core/config.h"
#include "http/client.h"

namespace parley::channels::meta {

// The Meta platform's settings: the webhook's secret and verify token as `spec` names them in `config`, and the
// Graph API base URL (PARLEY_GRAPH_API_BASE_URL), which every Meta platform shares.
PlatformSettings SettingsFor(const Config& config, const WebhookSpec& spec);

// The "X-Hub-Signature-256" scheme and the two configuration keys of a Meta platform whose secrets are read from
// <PREFIX>_APP_SECRET and <PREFIX>_VERIFY_TOKEN (`name` "whatsapp", `display_name` "WhatsApp").
WebhookSpec MetaWebhook(std::string_view name, std::string_view display_name);

class MetaChannel : public Channel {
 public:
  std::optional<std::string> VerifyHandshake(std::string_view mode, std::string_view verify_token,
                                             std::string_view challenge) const final;
  bool VerifySignature(std::string_view raw_body, std::string_view signature_header) const final;
  boost::asio::awaitable<Result<AccountProfile>> CheckAccount(std::string account_id, std::string access_token) final;
  // Instagram's and Messenger's attachments: `media_id` is the attachment's link (a signed CDN URL that needs no
  // token), downloaded to be read, never kept (PlatformTraits::keeps_media). The link came in a signed webhook but
  // names a host on the internet, so the address policy of tenants' URLs applies. WhatsApp overrides it.
  boost::asio::awaitable<Result<FetchedMedia>> FetchMedia(http::Client& client, const SendAccount& account,
                                                          std::string media_id, int64_t max_bytes) override;

 protected:
  // Instagram's and Messenger's SendMedia: `body` (the platform's text message body, to `contact_id`) with
  // AttachmentMessage for its message, POSTed to /{account}/messages, then the caption through SendText. Refuses
  // without calling out when the media has no link (no PARLEY_PUBLIC_URL).
  boost::asio::awaitable<SendResult> SendAttachment(const SendAccount& account, std::string_view contact_id,
                                                    boost::json::object body, const OutboundMedia& media,
                                                    std::string_view caption, MessageTag tag, ResponseParser parse);

  // `client` must outlive the channel.
  MetaChannel(PlatformSettings settings, http::Client& client, AccountCheck check);

  // Meta's User Profile API (Instagram, Messenger): GET /{contact_id}?fields=`fields` with the channel's token, one
  // LookUpProfile.
  boost::asio::awaitable<Result<ContactProfile>> GraphProfile(const SendAccount& account, std::string contact_id,
                                                              std::string_view fields);

  // The Messenger Platform's indicators (Instagram, Messenger): mark_seen, then typing_on to `contact_id` (sent even
  // when the first fails), one attempt each; the first error is returned.
  boost::asio::awaitable<SendResult> SeenThenTyping(const SendAccount& account, std::string_view contact_id);

  const PlatformSettings settings_;
  http::Client& client_;
  const AccountCheck check_;
};

}  // namespace parley::channels::meta
