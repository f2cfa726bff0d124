#include "channels/messenger/messenger_channel.h"

#include "channels/messenger/parse.h"
#include "channels/meta/graph.h"

namespace parley::channels::messenger {

Result<WebhookEvents> MessengerChannel::Parse(std::string_view raw_body) const {
  return ParseMessengerWebhook(raw_body);
}

boost::asio::awaitable<SendResult> MessengerChannel::MarkReadAndTyping(const SendAccount& account,
                                                                       std::string_view contact_id, std::string_view) {
  co_return co_await SeenThenTyping(account, contact_id);
}

boost::asio::awaitable<Result<ContactProfile>> MessengerChannel::LookUpProfile(const SendAccount& account,
                                                                               std::string contact_id) {
  co_return co_await GraphProfile(account, std::move(contact_id), "first_name,last_name,profile_pic");
}

boost::asio::awaitable<SendResult> MessengerChannel::SendText(const SendAccount& account, std::string_view contact_id,
                                                              std::string_view text, std::string_view, MessageTag tag) {
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, TextMessageBody(contact_id, text, tag), &ParseSendResponse);
}

boost::asio::awaitable<SendResult> MessengerChannel::SendMedia(const SendAccount& account, std::string_view contact_id,
                                                               const OutboundMedia& media, std::string_view caption,
                                                               MessageTag tag) {
  co_return co_await SendAttachment(account, contact_id, TextMessageBody(contact_id, "", tag), media, caption, tag,
                                    &ParseSendResponse);
}

}  // namespace parley::channels::messenger
