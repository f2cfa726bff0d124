#include "channels/meta/meta_channel.h"

#include <cctype>
#include <utility>

#include "channels/meta/accounts.h"
#include "channels/meta/graph.h"
#include "channels/meta/parse_messaging.h"
#include "core/crypto.h"

namespace parley::channels::meta {

PlatformSettings SettingsFor(const Config& config, const WebhookSpec& spec) {
  return {std::string(config.PlatformSetting(spec.app_secret.name)),
          std::string(config.PlatformSetting(spec.verify_token.name)), config.graph_api_base_url};
}

WebhookSpec MetaWebhook(std::string_view name, std::string_view display_name) {
  std::string prefix(name);
  for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string shown(display_name);
  return {"X-Hub-Signature-256",
          {std::string(name) + "_app_secret", prefix + "_APP_SECRET", "string", "(none)",
           "Meta app secret verifying `X-Hub-Signature-256` on " + shown + " webhooks; unset rejects them all.", true},
          {std::string(name) + "_verify_token", prefix + "_VERIFY_TOKEN", "string", "(none)",
           "Token Meta echoes in the " + shown + " webhook verification handshake.", true},
          "MetaWebhook"};
}

MetaChannel::MetaChannel(PlatformSettings settings, http::Client& client, AccountCheck check)
    : settings_(std::move(settings)), client_(client), check_(check) {}

std::optional<std::string> MetaChannel::VerifyHandshake(std::string_view mode, std::string_view verify_token,
                                                        std::string_view challenge) const {
  return meta::VerifyHandshake(settings_.verify_token, mode, verify_token, challenge);
}

bool MetaChannel::VerifySignature(std::string_view raw_body, std::string_view signature_header) const {
  return crypto::VerifyHubSignature(settings_.app_secret, raw_body, signature_header);
}

namespace {

// Out of the coroutine: g++ 12 miscompiles an error braced from a string literal in a co_return.
SendResult NoLink() {
  return SendResult{{}, MessageError{0, "files are sent by link, which needs PARLEY_PUBLIC_URL", {}}};
}

Error LinkGone(std::string detail) {
  return {ErrorCode::kNotFound, "the platform's link to this media no longer works", std::move(detail)};
}

}  // namespace

boost::asio::awaitable<Result<FetchedMedia>> MetaChannel::FetchMedia(http::Client& client, const SendAccount&,
                                                                     std::string media_id, int64_t max_bytes) {
  http::ClientRequest download;
  download.url = std::move(media_id);
  download.url_source = http::UrlSource::kTenant;
  auto fetched = co_await client.Send(std::move(download));
  if (!fetched) co_return fetched.error();
  const std::string detail = "download: HTTP " + std::to_string(fetched->status);
  if (fetched->status == 429 || fetched->status >= 500) {
    co_return Error::Unavailable("Meta did not deliver the media", detail);
  }
  if (fetched->status != 200) co_return LinkGone(detail);
  if (static_cast<int64_t>(fetched->body.size()) > max_bytes) {
    co_return MediaTooLarge(max_bytes, std::to_string(fetched->body.size()) + " bytes");
  }
  FetchedMedia media;
  if (auto type = fetched->headers.find("content-type"); type != fetched->headers.end()) {
    media.declared_mime_type = type->second;
  }
  media.bytes = std::move(fetched->body);
  co_return media;
}

boost::asio::awaitable<SendResult> MetaChannel::SendAttachment(const SendAccount& account, std::string_view contact_id,
                                                               boost::json::object body, const OutboundMedia& media,
                                                               std::string_view caption, MessageTag tag,
                                                               ResponseParser parse) {
  if (media.url.empty()) co_return NoLink();
  body["message"] = AttachmentMessage(media);
  SendResult file = co_await PostJson(client_, MessagesUrl(settings_.graph_base_url, account.account_id),
                                      account.access_token, std::move(body), parse);
  if (!file.ok() || caption.empty()) co_return file;
  SendResult text = co_await SendText(account, contact_id, caption, {}, tag);
  co_return WithCaption(std::move(file), text);
}

boost::asio::awaitable<SendResult> MetaChannel::SeenThenTyping(const SendAccount& account,
                                                               std::string_view contact_id) {
  const std::string url = MessagesUrl(settings_.graph_base_url, account.account_id);
  SendResult seen = co_await PostJson(client_, url, account.access_token, SenderActionBody(contact_id, "mark_seen"),
                                      &ParseSendResponse, 1);
  SendResult typing = co_await PostJson(client_, url, account.access_token, SenderActionBody(contact_id, "typing_on"),
                                        &ParseSendResponse, 1);
  co_return seen.ok() ? typing : seen;
}

boost::asio::awaitable<Result<ContactProfile>> MetaChannel::GraphProfile(const SendAccount& account,
                                                                         std::string contact_id,
                                                                         std::string_view fields) {
  GraphAccounts graph(client_, settings_.graph_base_url);
  co_return co_await graph.LookUpProfile(std::move(contact_id), fields, account.access_token);
}

boost::asio::awaitable<Result<AccountProfile>> MetaChannel::CheckAccount(std::string account_id,
                                                                         std::string access_token) {
  GraphAccounts graph(client_, settings_.graph_base_url);
  auto checked = co_await graph.CheckAccount(check_, std::move(account_id), std::move(access_token));
  if (!checked) co_return checked.error();
  co_return AccountProfile{checked->display_phone_number, checked->verified_name, checked->username};
}

}  // namespace parley::channels::meta
