#pragma once
// The web chat's live channel. Nothing goes out over the network: a reply is already stored when it is "sent"
// (the outbox's message, and a person's file with its media record), and the visitor's event stream (routes.h) reads
// it from the store. So sending succeeds at once with an id of Parley's own, which marks the outbound message sent;
// there are no webhooks to verify, no handshake, no indicators, and a channel is added with its name and allowed
// origins alone.

#include "channels/channel.h"
#include "channels/webchat/parse.h"

namespace parley::channels::webchat {

class WebchatChannel final : public Channel {
 public:
  Platform platform() const override { return Platform(kName); }
  // No webhooks: nullopt and false.
  std::optional<std::string> VerifyHandshake(std::string_view, std::string_view, std::string_view) const override;
  bool VerifySignature(std::string_view, std::string_view) const override;
  // A visitor's message post (ParseMessagePost).
  Result<WebhookEvents> Parse(std::string_view raw_body) const override;
  // Nothing to mark: succeeds without calling out.
  boost::asio::awaitable<SendResult> MarkReadAndTyping(const SendAccount& account, std::string_view contact_id,
                                                       std::string_view last_message_id) override;
  // Succeeds at once with a new id "out-<random>" (unique per channel, as the store requires of platform ids): the
  // stored message is what the visitor reads.
  boost::asio::awaitable<SendResult> SendText(const SendAccount& account, std::string_view contact_id,
                                              std::string_view text, std::string_view reply_to,
                                              MessageTag tag) override;
  // Likewise for a person's file and its caption (the message's text): the widget reads both from the store, the file
  // through links signed at each read (PlatformTraits::MediaReplies::kServed), so `media` carries no bytes nor link.
  boost::asio::awaitable<SendResult> SendMedia(const SendAccount& account, std::string_view contact_id,
                                               const OutboundMedia& media, std::string_view caption,
                                               MessageTag tag) override;
  // No token to check: a new channel's account id, "wc-<random>", which nothing outside Parley sees (the widget
  // names the channel by its public id).
  boost::asio::awaitable<Result<AccountProfile>> CheckAccount(std::string account_id,
                                                              std::string access_token) override;
};

}  // namespace parley::channels::webchat
