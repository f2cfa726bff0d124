#pragma once
// Facebook Messenger channel: verifies Meta's Page webhooks, parses them (messenger/parse.h) and calls
// POST {graph_base_url}/{page_id}/messages (the Send API) with the Page's token for replies and sender actions.

#include "channels/meta/meta_channel.h"

namespace parley::channels::messenger {

class MessengerChannel final : public meta::MetaChannel {
 public:
  // `client` must outlive the channel.
  MessengerChannel(PlatformSettings settings, http::Client& client);

  Platform platform() const override;
  Result<WebhookEvents> Parse(std::string_view raw_body) const override;

  // Two sender actions to `contact_id`: mark_seen, then typing_on (sent even when the first fails). The first
  // error is returned. Messenger marks the whole thread seen, so `last_message_id` is not used.
  boost::asio::awaitable<SendResult> MarkReadAndTyping(const SendAccount& account, std::string_view contact_id,
                                                       std::string_view last_message_id) override;
  // The User Profile API: GET /{PSID}?fields=first_name,last_name,profile_pic with the Page's token.
  boost::asio::awaitable<Result<ContactProfile>> LookUpProfile(const SendAccount& account,
                                                               std::string contact_id) override;
  // messaging_type RESPONSE, or MESSAGE_TAG with the HUMAN_AGENT tag. The Send API cannot quote a message, so
  // `reply_to` is not used.
  boost::asio::awaitable<SendResult> SendText(const SendAccount& account, std::string_view contact_id,
                                              std::string_view text, std::string_view reply_to,
                                              MessageTag tag) override;
  // By a signed Parley link (MetaChannel::SendAttachment); the caption follows as text.
  boost::asio::awaitable<SendResult> SendMedia(const SendAccount& account, std::string_view contact_id,
                                               const OutboundMedia& media, std::string_view caption,
                                               MessageTag tag) override;
};

}  // namespace parley::channels::messenger
