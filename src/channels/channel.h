#pragma once
// A messaging platform's live object: verifies and parses its webhooks, sends through its API. Each platform is one
// folder (channels/<platform>/) implementing this interface and declaring a PlatformPlugin (channels/platform.h);
// adding one touches nothing else but its line in channels/platforms.inc.

#include "core/error.h"
#include "core/message.h"
#include "http/client.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::channels {

// The account a message is sent from, with its decrypted access token.
struct SendAccount {
  std::string account_id;    //!< phone_number_id or Instagram account id.
  std::string access_token;  //!< Bearer token; never logged.
};

// The outcome of one outbound call, after the client's retries. Exactly one of the two is set.
struct SendResult {
  std::string platform_message_id;    //!< The platform's id of the sent message (empty for indicators).
  std::optional<MessageError> error;  //!< The platform's error (code, title) or a transport error (code 0).
  //! The error may pass: a network error, a 5xx or 429, or an error Meta marks `is_transient`. Sending again
  //! later can succeed; any other error will fail again.
  bool transient = false;
  //! The platform asked for this long before the next attempt (Telegram's flood control); 0: it did not say.
  int64_t retry_after_ms = 0;
  bool ok() const { return !error.has_value(); }
};

// A customer's media file as the platform delivered it.
struct FetchedMedia {
  std::string bytes;
  std::string declared_mime_type;  //!< What the platform says; Parley sniffs the bytes instead (media/sniff.h).
};

// Channel::FetchMedia's refusal of a file over `max_bytes` (declared or delivered): kPayloadTooLarge naming the limit.
// Inline: the network-free parsers (parley_channel_parsers, the fuzz targets) use it too.
inline Error MediaTooLarge(int64_t max_bytes, std::string detail) {
  return {ErrorCode::kPayloadTooLarge,
          "too large: the limit for this media is " + std::to_string(max_bytes / 1024) + " KB", std::move(detail)};
}

// A file a person sends from the inbox (docs/media.md, "Media in replies"), as the outbox hands it to the channel.
struct OutboundMedia {
  MessageType type = MessageType::kImage;  //!< kImage, kAudio, kVideo or kDocument.
  std::string mime_type;                   //!< Sniffed from the bytes (media/sniff.h).
  std::string filename;                    //!< The upload's name; what a document shows.
  std::string bytes;                       //!< The file, for platforms that upload it (WhatsApp, Telegram).
  //! An absolute signed link to the file that needs no session (PARLEY_PUBLIC_URL + media/signed_url.h), for
  //! platforms that fetch it (Instagram, Messenger); empty when no public URL is configured.
  std::string url;
};

// Settings for one platform, from configuration.
struct PlatformSettings {
  std::string app_secret;    //!< Verifies the webhook signature; empty rejects every POST.
  std::string verify_token;  //!< Answers the GET handshake; empty rejects every handshake.
  std::string graph_base_url = "https://graph.facebook.com/v23.0";
};

// Message tags. A person answering from the inbox past the platform's free-form window (and within its
// MessagingWindow::human_agent_ms) must send with HUMAN_AGENT.
enum class MessageTag { kNone, kHumanAgent };

// What the business may do to a customer's public comment besides answering it.
enum class CommentModeration { kHide, kUnhide, kDelete };

class Channel {
 public:
  virtual ~Channel() = default;

  virtual Platform platform() const = 0;

  // Meta's GET handshake: the challenge to echo when mode is "subscribe" and the token matches, else nullopt.
  virtual std::optional<std::string> VerifyHandshake(std::string_view mode, std::string_view verify_token,
                                                     std::string_view challenge) const = 0;

  // True when `signature_header` (X-Hub-Signature-256) signs `raw_body` with the app secret. Constant time.
  virtual bool VerifySignature(std::string_view raw_body, std::string_view signature_header) const = 0;

  // Parses a webhook body into unified events. kInvalidArgument with a reason on malformed JSON, nesting deeper
  // than 64, or wrong types in fields Parley reads; never throws on any input.
  virtual Result<WebhookEvents> Parse(std::string_view raw_body) const = 0;

  // Marks the customer's latest message read and shows the typing indicator. Best effort for the caller: an
  // error is returned, not thrown, and should not stop the reply.
  virtual boost::asio::awaitable<SendResult> MarkReadAndTyping(const SendAccount& account, std::string_view contact_id,
                                                               std::string_view last_message_id) = 0;

  // Sends a text message (split by the caller to the platform's limit), quoting `reply_to` when not empty, with
  // `tag` where the platform knows message tags (Instagram); a platform without them ignores it.
  virtual boost::asio::awaitable<SendResult> SendText(const SendAccount& account, std::string_view contact_id,
                                                      std::string_view text, std::string_view reply_to,
                                                      MessageTag tag) = 0;

  // Sends a person's file with `caption` (may be empty) to the contact: uploaded, or by its link, as the platform's
  // MediaReplies trait says (channels/platform.h). A platform whose attachments take no caption sends it as a text
  // message after the file; if only that fails, the error is not transient (sending again would repeat the file).
  // By default (a platform without media replies) fails at once, without calling out, with an error that is not
  // transient.
  virtual boost::asio::awaitable<SendResult> SendMedia(const SendAccount& account, std::string_view contact_id,
                                                       const OutboundMedia& media, std::string_view caption,
                                                       MessageTag tag);

  // Checks `access_token` against the platform before a channel is saved with it: the account's profile, or
  // kInvalidArgument with the platform's message when it refuses, kUnavailable when it cannot be reached.
  virtual boost::asio::awaitable<Result<AccountProfile>> CheckAccount(std::string account_id,
                                                                      std::string access_token) = 0;

  // The customer `contact_id`'s profile as the platform gives it to the channel's token (Meta's User Profile API on
  // Messenger and Instagram), for a contact whose webhooks carry no name. kInvalidArgument with the platform's
  // message when it refuses (no permission, the customer blocked the account or never wrote), kUnavailable when it
  // cannot be reached; messages and details never hold the token. By default (a platform whose webhooks name the
  // customer, or that has no look-up) an empty profile at once, without calling out.
  virtual boost::asio::awaitable<Result<ContactProfile>> LookUpProfile(const SendAccount& account,
                                                                       std::string contact_id);

  // Sends an approved message template (WhatsApp's way to reach a customer past the 24-hour window). By default (a
  // platform without templates) fails at once, without calling out, with an error that is not transient.
  virtual boost::asio::awaitable<SendResult> SendTemplate(const SendAccount& account, std::string_view contact_id,
                                                          const TemplateMessage& message);

  // Answers the customer's public comment `comment_id` (a kComment message's platform id): under it, for everyone
  // (`in_private` false; the result's id is the new comment's), or with one private message to its author (true;
  // Instagram takes one per comment, within 7 days of it, and the commenter's direct conversation continues from it).
  // By default (a platform without comments) fails at once, without calling out, with an error that is not transient.
  virtual boost::asio::awaitable<SendResult> ReplyToComment(const SendAccount& account, std::string_view comment_id,
                                                            std::string_view text, bool in_private);

  // Hides the comment `comment_id` from everyone but its author, shows it again, or deletes it. The platform's
  // error when it refuses (a comment deleted already, one on another account's media); by default fails at once.
  virtual boost::asio::awaitable<SendResult> ModerateComment(const SendAccount& account, std::string_view comment_id,
                                                             CommentModeration action);

  // Per-channel webhooks (WebhookSpec::Verification::kChannelSecret): the secret the webhooks of the channel with
  // this token and public id carry. Empty on platforms whose webhooks are signed app-wide, and then none matches.
  virtual std::string WebhookSecret(std::string_view access_token, std::string_view public_id) const;

  // Tells the platform to send the channel's webhooks to `url` with WebhookSecret (Telegram's setWebhook), when the
  // channel is added. kInvalidArgument with the platform's message when it refuses, kUnavailable when it cannot be
  // reached. Platforms whose webhooks are set up app-wide (Meta's) succeed without calling out.
  virtual boost::asio::awaitable<Result<void>> RegisterWebhook(const SendAccount& account, std::string url,
                                                               std::string public_id);

  // Downloads the customer's media `media_id` (UnifiedMessage::media's id, or its url on platforms that give only a
  // link: store/media_records.h) with the channel's token through `client`
  // (the media fetcher's, whose answers may be as large as a document). kPayloadTooLarge when the platform declares or
  // delivers more than `max_bytes`; kNotFound when it no longer has the file; kPermissionDenied when the token is
  // refused; kUnavailable or kTimeout when trying again later may work; kInvalidArgument on a platform Parley cannot
  // download media from. Messages are safe to show, details never hold the token. `client` must outlive the
  // coroutine.
  virtual boost::asio::awaitable<Result<FetchedMedia>> FetchMedia(http::Client& client, const SendAccount& account,
                                                                  std::string media_id, int64_t max_bytes);

  // What the answer to a stored webhook carries for the platform, when it can act on it (Telegram runs the Bot API
  // method a webhook's answer names: answerCallbackQuery); nullopt for the usual acknowledgement.
  virtual std::optional<boost::json::object> WebhookAnswer(const WebhookEvents& events) const;

 protected:
  // The defaults' refusal of what the platform does not have: "<display name> has no <what>", not transient.
  SendResult Unsupported(std::string_view what) const;
};

// One live channel per platform.
class ChannelSet {
 public:
  // Adds `channel`, replacing the one of the same platform.
  void Add(std::unique_ptr<Channel> channel);
  // The platform's channel; nullptr for a platform nobody added (a name the registry does not list).
  Channel* Get(const Platform& platform) const;

 private:
  std::vector<std::unique_ptr<Channel>> channels_;
};

}  // namespace parley::channels
