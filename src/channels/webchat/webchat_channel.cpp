#include "channels/webchat/webchat_channel.h"

#include "core/crypto.h"

namespace parley::channels::webchat {

std::optional<std::string> WebchatChannel::VerifyHandshake(std::string_view, std::string_view, std::string_view) const {
  return std::nullopt;
}

bool WebchatChannel::VerifySignature(std::string_view, std::string_view) const { return false; }

Result<WebhookEvents> WebchatChannel::Parse(std::string_view raw_body) const { return ParseMessagePost(raw_body); }

boost::asio::awaitable<SendResult> WebchatChannel::MarkReadAndTyping(const SendAccount&, std::string_view,
                                                                     std::string_view) {
  co_return SendResult{};
}

namespace {

// What a send answers: the stored message is what the visitor reads.
SendResult Stored() {
  SendResult sent;
  sent.platform_message_id = "out-" + crypto::RandomToken(12);
  return sent;
}

}  // namespace

boost::asio::awaitable<SendResult> WebchatChannel::SendText(const SendAccount&, std::string_view, std::string_view,
                                                            std::string_view, MessageTag) {
  co_return Stored();
}

boost::asio::awaitable<SendResult> WebchatChannel::SendMedia(const SendAccount&, std::string_view, const OutboundMedia&,
                                                             std::string_view, MessageTag) {
  co_return Stored();
}

boost::asio::awaitable<Result<AccountProfile>> WebchatChannel::CheckAccount(std::string account_id, std::string) {
  AccountProfile profile;
  profile.account_id = account_id.empty() ? "wc-" + crypto::RandomToken(12) : std::move(account_id);
  co_return profile;
}

}  // namespace parley::channels::webchat
