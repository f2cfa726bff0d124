#include "channels/instagram/instagram_channel.h"

#include "channels/instagram/parse.h"
#include "channels/meta/graph.h"

namespace parley::channels::instagram {

Result<WebhookEvents> InstagramChannel::Parse(std::string_view raw_body) const {
  return ParseInstagramWebhook(raw_body);
}

boost::asio::awaitable<SendResult> InstagramChannel::MarkReadAndTyping(const SendAccount& account,
                                                                       std::string_view contact_id, std::string_view) {
  co_return co_await SeenThenTyping(account, contact_id);
}

boost::asio::awaitable<SendResult> InstagramChannel::SendText(const SendAccount& account, std::string_view contact_id,
                                                              std::string_view text, std::string_view reply_to,
                                                              MessageTag tag) {
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, TextMessageBody(contact_id, text, reply_to, tag),
                                    &ParseSendResponse);
}

}  // namespace parley::channels::instagram
