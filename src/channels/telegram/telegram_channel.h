#pragma once
// Telegram Bot API channel: a bot, added with its token alone (getMe names it), whose updates Telegram posts to the
// channel's own webhook (/api/telegram/webhook/{public_id}, set with setWebhook) carrying a secret that only Parley
// and Telegram know; replies go out with sendMessage, "typing…" with sendChatAction. Calls
// POST {api_base_url}/bot<token>/<method> with JSON; the URL holds the token, so logs and errors name it
// {api_base_url}/bot<token>/<method> instead.

#include <string>

#include "channels/channel.h"
#include "channels/telegram/parse.h"
#include "http/client.h"

namespace parley::channels::telegram {

struct TelegramSettings {
  std::string api_base_url = "https://api.telegram.org";  //!< PARLEY_TELEGRAM_API_BASE_URL.
};

class TelegramChannel final : public Channel {
 public:
  // `client` must outlive the channel.
  TelegramChannel(TelegramSettings settings, http::Client& client);

  Platform platform() const override { return Platform(kName); }
  // Telegram has no handshake and signs nothing: nullopt and false (its webhooks are per channel, checked with
  // WebhookSecret).
  std::optional<std::string> VerifyHandshake(std::string_view, std::string_view, std::string_view) const override;
  bool VerifySignature(std::string_view, std::string_view) const override;
  Result<WebhookEvents> Parse(std::string_view raw_body) const override;

  // sendChatAction "typing" to the chat (bots have no read receipts), one attempt.
  boost::asio::awaitable<SendResult> MarkReadAndTyping(const SendAccount& account, std::string_view contact_id,
                                                       std::string_view last_message_id) override;
  // sendMessage as plain text, in pieces of at most 4,096 UTF-16 code units (SplitForTelegram), the first replying
  // to `reply_to`; stops at the first failure and returns it, else the last piece's key. `tag` is ignored: Telegram
  // has no messaging window.
  boost::asio::awaitable<SendResult> SendText(const SendAccount& account, std::string_view contact_id,
                                              std::string_view text, std::string_view reply_to,
                                              MessageTag tag) override;
  // getMe: the bot's id (AccountProfile::account_id) and username. When `account_id` is given it must be the bot's.
  // sendPhoto, sendAudio, sendVideo or sendDocument as a multipart upload (chat_id, the file, caption).
  boost::asio::awaitable<SendResult> SendMedia(const SendAccount& account, std::string_view contact_id,
                                               const OutboundMedia& media, std::string_view caption,
                                               MessageTag tag) override;
  boost::asio::awaitable<Result<AccountProfile>> CheckAccount(std::string account_id,
                                                              std::string access_token) override;

  // Hex HMAC-SHA256 of the public id under the bot token: as unguessable as a random secret to anyone without the
  // token (who could not forge much with it anyway: the token itself can set the webhook), and recomputed rather
  // than stored, so a channel needs no new column and changes secret with its token.
  std::string WebhookSecret(std::string_view access_token, std::string_view public_id) const override;
  // setWebhook with the url, WebhookSecret as secret_token and the updates Parley reads (message, edited_message,
  // callback_query).
  boost::asio::awaitable<Result<void>> RegisterWebhook(const SendAccount& account, std::string url,
                                                       std::string public_id) override;
  // getFile, then GET {api_base_url}/file/bot<token>/<file_path> (ParseGetFile says what each failure means).
  boost::asio::awaitable<Result<FetchedMedia>> FetchMedia(http::Client& client, const SendAccount& account,
                                                          std::string media_id, int64_t max_bytes) override;
  // {"method": "answerCallbackQuery", "callback_query_id": …} for a button pressed: Telegram runs it from the
  // webhook's answer, which stops the button's spinner without another request.
  std::optional<boost::json::object> WebhookAnswer(const WebhookEvents& events) const override;

 private:
  // The outcome of one call: Telegram's answer, or `network_error` when there is none (a transport failure, with
  // status 0; a malformed token never sent, with status 400).
  struct Call {
    int http_status = 0;
    std::string body;
    std::optional<MessageError> network_error;
  };
  // POSTs `params` as JSON to `method` with `token`; `max_attempts` as http::ClientRequest's.
  boost::asio::awaitable<Call> Post(std::string_view token, std::string_view method, boost::json::object params,
                                    int max_attempts = 0);
  // POSTs `body` of `content_type` (JSON, or a multipart upload) to `method` with `token`.
  boost::asio::awaitable<Call> PostBody(std::string_view token, std::string_view method, std::string content_type,
                                        std::string body, int max_attempts);
  boost::asio::awaitable<SendResult> Send(std::string_view token, std::string_view method, boost::json::object params,
                                          int max_attempts = 0);
  // The outcome of a sending call, as Send maps it.
  static SendResult Outcome(Call call);

  const TelegramSettings settings_;
  http::Client& client_;
};

}  // namespace parley::channels::telegram
