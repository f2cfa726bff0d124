#include "channels/whatsapp/whatsapp_channel.h"

#include "channels/meta/graph.h"
#include "channels/whatsapp/media.h"
#include "channels/whatsapp/parse.h"
#include "channels/whatsapp/templates.h"

namespace parley::channels::whatsapp {

Result<WebhookEvents> WhatsAppChannel::Parse(std::string_view raw_body) const { return ParseWhatsAppWebhook(raw_body); }

boost::asio::awaitable<SendResult> WhatsAppChannel::MarkReadAndTyping(const SendAccount& account,
                                                                      std::string_view contact_id,
                                                                      std::string_view last_message_id) {
  if (last_message_id.empty()) {
    co_return SendResult{{}, MessageError{0, "no message to mark read", {}}};
  }
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, MarkReadBody(last_message_id), &ParseSendResponse, 1);
}

boost::asio::awaitable<SendResult> WhatsAppChannel::SendText(const SendAccount& account, std::string_view contact_id,
                                                             std::string_view text, std::string_view reply_to,
                                                             MessageTag) {
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, TextMessageBody(contact_id, text, reply_to),
                                    &ParseSendResponse);
}

boost::asio::awaitable<SendResult> WhatsAppChannel::SendTemplate(const SendAccount& account,
                                                                 std::string_view contact_id,
                                                                 const TemplateMessage& message) {
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, TemplateMessageBody(contact_id, message), &ParseSendResponse);
}

boost::asio::awaitable<SendResult> WhatsAppChannel::SendMedia(const SendAccount& account, std::string_view contact_id,
                                                              const OutboundMedia& media, std::string_view caption,
                                                              MessageTag tag) {
  http::FormBody form = http::BuildMultipart({{"messaging_product", {}, {}, "whatsapp"},
                                              {"file", media.filename, media.mime_type, media.bytes},
                                              {"type", {}, {}, media.mime_type}});
  SendResult uploaded =
      co_await meta::PostForm(client_, meta::NodeUrl(settings_.graph_base_url, account.account_id, "media"),
                              account.access_token, std::move(form), &ParseUploadResponse);
  if (!uploaded.ok()) co_return uploaded;
  SendResult sent = co_await meta::PostJson(
      client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id), account.access_token,
      MediaMessageBody(contact_id, uploaded.platform_message_id, media.type, caption, media.filename),
      &ParseSendResponse);
  if (!sent.ok() || media.type != MessageType::kAudio || caption.empty()) co_return sent;
  SendResult text = co_await SendText(account, contact_id, caption, {}, tag);
  co_return meta::WithCaption(std::move(sent), text);
}

boost::asio::awaitable<Result<FetchedMedia>> WhatsAppChannel::FetchMedia(http::Client& client,
                                                                         const SendAccount& account,
                                                                         std::string media_id, int64_t max_bytes) {
  co_return co_await whatsapp::FetchMedia(client, settings_.graph_base_url, account.access_token, std::move(media_id),
                                          max_bytes);
}

}  // namespace parley::channels::whatsapp
