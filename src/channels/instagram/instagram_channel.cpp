#include "channels/instagram/instagram_channel.h"

#include <algorithm>

#include "channels/instagram/parse.h"
#include "channels/meta/graph.h"

namespace parley::channels::instagram {
namespace {

// Comment ids go into the URL's path: only Meta's numeric ids are let through, so a stored id cannot name another
// node (a path with "/" or "..") to call with the account's token.
bool IsGraphId(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

SendResult NotACommentId() { return SendResult{{}, MessageError{0, "not an Instagram comment id", {}}}; }

}  // namespace

Result<WebhookEvents> InstagramChannel::Parse(std::string_view raw_body) const {
  return ParseInstagramWebhook(raw_body);
}

boost::asio::awaitable<SendResult> InstagramChannel::MarkReadAndTyping(const SendAccount& account,
                                                                       std::string_view contact_id, std::string_view) {
  co_return co_await SeenThenTyping(account, contact_id);
}

boost::asio::awaitable<Result<ContactProfile>> InstagramChannel::LookUpProfile(const SendAccount& account,
                                                                               std::string contact_id) {
  co_return co_await GraphProfile(account, std::move(contact_id), "name,username,profile_pic");
}

boost::asio::awaitable<SendResult> InstagramChannel::SendText(const SendAccount& account, std::string_view contact_id,
                                                              std::string_view text, std::string_view reply_to,
                                                              MessageTag tag) {
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, TextMessageBody(contact_id, text, reply_to, tag),
                                    &ParseSendResponse);
}

boost::asio::awaitable<SendResult> InstagramChannel::SendMedia(const SendAccount& account, std::string_view contact_id,
                                                               const OutboundMedia& media, std::string_view caption,
                                                               MessageTag tag) {
  co_return co_await SendAttachment(account, contact_id, TextMessageBody(contact_id, "", {}, tag), media, caption, tag,
                                    &ParseSendResponse);
}

boost::asio::awaitable<SendResult> InstagramChannel::ReplyToComment(const SendAccount& account,
                                                                    std::string_view comment_id, std::string_view text,
                                                                    bool in_private) {
  if (!IsGraphId(comment_id)) co_return NotACommentId();
  if (in_private) {
    co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                      account.access_token, PrivateReplyBody(comment_id, text), &ParseSendResponse);
  }
  co_return co_await meta::PostJson(client_, meta::NodeUrl(settings_.graph_base_url, comment_id, "replies"),
                                    account.access_token, CommentReplyBody(text), &ParseCommentReplyResponse);
}

boost::asio::awaitable<SendResult> InstagramChannel::ModerateComment(const SendAccount& account,
                                                                     std::string_view comment_id,
                                                                     CommentModeration action) {
  if (!IsGraphId(comment_id)) co_return NotACommentId();
  std::string url = meta::NodeUrl(settings_.graph_base_url, comment_id);
  if (action == CommentModeration::kDelete) {
    co_return co_await meta::DeleteNode(client_, std::move(url), account.access_token, &meta::ParseSuccessResponse);
  }
  co_return co_await meta::PostJson(client_, std::move(url), account.access_token,
                                    HideCommentBody(action == CommentModeration::kHide), &meta::ParseSuccessResponse);
}

}  // namespace parley::channels::instagram
