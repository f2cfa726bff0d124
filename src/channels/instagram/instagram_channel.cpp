#include "channels/instagram/instagram_channel.h"

#include "channels/instagram/parse.h"
#include "channels/meta/graph.h"

namespace parley::channels::instagram {

Result<WebhookEvents> InstagramChannel::Parse(std::string_view raw_body) const {
  return ParseInstagramWebhook(raw_body);
}

boost::asio::awaitable<SendResult> InstagramChannel::MarkReadAndTyping(const SendAccount& account,
                                                                       std::string_view contact_id,
                                                                       std::string_view last_message_id) {
  const std::string url = meta::MessagesUrl(settings_.graph_base_url, account.account_id);
  SendResult seen = co_await meta::PostJson(client_, url, account.access_token,
                                            SenderActionBody(contact_id, "mark_seen"), &ParseSendResponse, 1);
  SendResult typing = co_await meta::PostJson(client_, url, account.access_token,
                                              SenderActionBody(contact_id, "typing_on"), &ParseSendResponse, 1);
  co_return seen.ok() ? typing : seen;
}

boost::asio::awaitable<SendResult> InstagramChannel::SendText(const SendAccount& account, std::string_view contact_id,
                                                              std::string_view text, std::string_view reply_to,
                                                              MessageTag tag) {
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, TextMessageBody(contact_id, text, reply_to, tag),
                                    &ParseSendResponse);
}

boost::asio::awaitable<SendResult> InstagramChannel::SendTemplate(const SendAccount&, std::string_view,
                                                                  const TemplateMessage&) {
  co_return SendResult{{}, MessageError{0, "Instagram has no message templates", {}}};
}

}  // namespace parley::channels::instagram
