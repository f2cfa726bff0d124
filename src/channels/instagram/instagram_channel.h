#pragma once
// Instagram Messaging channel: verifies Meta's webhooks, parses them (instagram/parse.h) and calls
// POST {graph_base_url}/{account_id}/messages for replies and sender actions; comments are answered and moderated
// through their own nodes.

#include <utility>

#include "channels/meta/meta_channel.h"

namespace parley::channels::instagram {

class InstagramChannel final : public meta::MetaChannel {
 public:
  // `client` must outlive the channel.
  InstagramChannel(PlatformSettings settings, http::Client& client);

  Platform platform() const override;
  Result<WebhookEvents> Parse(std::string_view raw_body) const override;

  // Two sender actions to `contact_id`: mark_seen, then typing_on (sent even when the first fails). The first
  // error is returned. Instagram marks the whole thread seen, so `last_message_id` is not used.
  boost::asio::awaitable<SendResult> MarkReadAndTyping(const SendAccount& account, std::string_view contact_id,
                                                       std::string_view last_message_id) override;
  // The User Profile API: GET /{IGSID}?fields=name,username,profile_pic with the Page's token. Instagram answers
  // only for a customer who wrote to the account (a commenter alone is refused: no consent).
  boost::asio::awaitable<Result<ContactProfile>> LookUpProfile(const SendAccount& account,
                                                               std::string contact_id) override;
  boost::asio::awaitable<SendResult> SendText(const SendAccount& account, std::string_view contact_id,
                                              std::string_view text, std::string_view reply_to,
                                              MessageTag tag) override;
  // By a signed Parley link (MetaChannel::SendAttachment); the caption follows as text.
  boost::asio::awaitable<SendResult> SendMedia(const SendAccount& account, std::string_view contact_id,
                                               const OutboundMedia& media, std::string_view caption,
                                               MessageTag tag) override;
  // Public: POST /{comment_id}/replies. Private: POST /{account_id}/messages to recipient.comment_id.
  boost::asio::awaitable<SendResult> ReplyToComment(const SendAccount& account, std::string_view comment_id,
                                                    std::string_view text, bool in_private) override;
  // POST /{comment_id} with hide true or false; DELETE /{comment_id}.
  boost::asio::awaitable<SendResult> ModerateComment(const SendAccount& account, std::string_view comment_id,
                                                     CommentModeration action) override;
};

}  // namespace parley::channels::instagram
