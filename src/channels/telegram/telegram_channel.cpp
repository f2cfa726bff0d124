#include "channels/telegram/telegram_channel.h"

#include <utility>

#include "core/crypto.h"
#include "core/json.h"
#include "http/multipart.h"

namespace parley::channels::telegram {
namespace {

// Whether a failed call may pass when made again later: a 5xx, flood control (429) or no answer at all.
bool Transient(int http_status) { return http_status == 0 || http_status == 429 || http_status >= 500; }

// The base URL as method URLs are built from it: without a trailing slash.
TelegramSettings WithoutTrailingSlash(TelegramSettings settings) {
  while (!settings.api_base_url.empty() && settings.api_base_url.back() == '/') settings.api_base_url.pop_back();
  return settings;
}

// Out of the coroutines: g++ 12 miscompiles an Error braced from a string literal in a co_return.
Error MalformedToken() { return {ErrorCode::kPermissionDenied, "the channel's bot token is malformed", {}}; }

}  // namespace

TelegramChannel::TelegramChannel(TelegramSettings settings, http::Client& client)
    : settings_(WithoutTrailingSlash(std::move(settings))), client_(client) {}

std::optional<std::string> TelegramChannel::VerifyHandshake(std::string_view, std::string_view,
                                                            std::string_view) const {
  return std::nullopt;
}

bool TelegramChannel::VerifySignature(std::string_view, std::string_view) const { return false; }

Result<WebhookEvents> TelegramChannel::Parse(std::string_view raw_body) const { return ParseTelegramUpdate(raw_body); }

boost::asio::awaitable<TelegramChannel::Call> TelegramChannel::Post(std::string_view token, std::string_view method,
                                                                    boost::json::object params, int max_attempts) {
  co_return co_await PostBody(token, method, "application/json", SerializeJson(params), max_attempts);
}

boost::asio::awaitable<TelegramChannel::Call> TelegramChannel::PostBody(std::string_view token, std::string_view method,
                                                                        std::string content_type, std::string body,
                                                                        int max_attempts) {
  if (!IsBotToken(token)) co_return Call{400, {}, MessageError{0, "malformed bot token", {}}};
  http::ClientRequest request;
  request.method = "POST";
  request.url = settings_.api_base_url + "/bot" + std::string(token) + "/" + std::string(method);
  request.log_url = settings_.api_base_url + "/bot<token>/" + std::string(method);
  request.headers = {{"Content-Type", std::move(content_type)}};
  request.body = std::move(body);
  request.max_attempts = max_attempts;
  Result<http::ClientResponse> response = co_await client_.Send(std::move(request));
  if (!response) {
    const Error& e = response.error();
    std::string detail = e.message;
    if (!e.detail.empty()) detail += ": " + e.detail;
    co_return Call{0, {}, MessageError{0, "network error", std::move(detail)}};
  }
  co_return Call{response->status, std::move(response->body), std::nullopt};
}

boost::asio::awaitable<SendResult> TelegramChannel::Send(std::string_view token, std::string_view method,
                                                         boost::json::object params, int max_attempts) {
  Call call = co_await Post(token, method, std::move(params), max_attempts);
  co_return Outcome(std::move(call));
}

SendResult TelegramChannel::Outcome(Call call) {
  if (call.network_error) return SendResult{{}, std::move(call.network_error), Transient(call.http_status)};
  SendResult result = ParseSentMessage(call.http_status, call.body);
  if (!result.ok()) result.transient = Transient(call.http_status);
  return result;
}

boost::asio::awaitable<SendResult> TelegramChannel::SendMedia(const SendAccount& account, std::string_view contact_id,
                                                              const OutboundMedia& media, std::string_view caption,
                                                              MessageTag) {
  const MediaMethod method = MediaMethodFor(media.type, media.mime_type);
  std::vector<http::FormPart> parts{{"chat_id", {}, {}, contact_id},
                                    {std::string(method.field), media.filename, media.mime_type, media.bytes}};
  if (!caption.empty()) parts.push_back({"caption", {}, {}, caption});
  http::FormBody form = http::BuildMultipart(parts);
  Call call =
      co_await PostBody(account.access_token, method.name, std::move(form.content_type), std::move(form.body), 0);
  co_return Outcome(std::move(call));
}

boost::asio::awaitable<SendResult> TelegramChannel::MarkReadAndTyping(const SendAccount& account,
                                                                      std::string_view contact_id, std::string_view) {
  co_return co_await Send(account.access_token, "sendChatAction", TypingParams(contact_id), 1);
}

boost::asio::awaitable<SendResult> TelegramChannel::SendText(const SendAccount& account, std::string_view contact_id,
                                                             std::string_view text, std::string_view reply_to,
                                                             MessageTag) {
  SendResult sent;
  for (const std::string& piece : SplitForTelegram(text)) {
    sent = co_await Send(account.access_token, "sendMessage", SendMessageParams(contact_id, piece, reply_to));
    if (RefusedFormatting(sent)) {
      sent = co_await Send(account.access_token, "sendMessage",
                           SendMessageParams(contact_id, piece, reply_to, TextMode::kAsWritten));
    }
    if (!sent.ok()) co_return sent;
    reply_to = {};
  }
  co_return sent;
}

boost::asio::awaitable<Result<AccountProfile>> TelegramChannel::CheckAccount(std::string account_id,
                                                                             std::string access_token) {
  if (!IsBotToken(access_token)) {
    co_return Error::InvalidArgument("a bot token is the bot's id, ':' and letters, digits, '_' or '-'");
  }
  Call call = co_await Post(access_token, "getMe", {});
  if (call.network_error) co_return Error::Unavailable("Telegram cannot be reached", call.network_error->detail);
  if (Transient(call.http_status)) {
    co_return Error::Unavailable("Telegram answered HTTP " + std::to_string(call.http_status) + ", try again later");
  }
  Result<AccountProfile> profile = ParseGetMe(call.http_status, call.body);
  if (profile && !account_id.empty() && profile->account_id != account_id) {
    co_return Error::InvalidArgument("the bot token belongs to bot " + profile->account_id + ", not " + account_id);
  }
  co_return profile;
}

std::string TelegramChannel::WebhookSecret(std::string_view access_token, std::string_view public_id) const {
  if (access_token.empty() || public_id.empty()) return {};
  return crypto::HmacSha256Hex(access_token, "parley telegram webhook " + std::string(public_id));
}

boost::asio::awaitable<Result<void>> TelegramChannel::RegisterWebhook(const SendAccount& account, std::string url,
                                                                      std::string public_id) {
  boost::json::object params{{"url", url},
                             {"secret_token", WebhookSecret(account.access_token, public_id)},
                             {"allowed_updates", boost::json::array{"message", "edited_message", "callback_query"}}};
  Call call = co_await Post(account.access_token, "setWebhook", std::move(params));
  if (call.network_error) co_return Error::Unavailable("Telegram cannot be reached", call.network_error->detail);
  BotApiAnswer answer = ParseBotApiAnswer(call.http_status, call.body);
  if (answer.ok) co_return Ok();
  if (Transient(call.http_status)) co_return Error::Unavailable("Telegram's setWebhook failed: " + answer.error.title);
  co_return Error::InvalidArgument("Telegram refused the webhook: " + answer.error.title);
}

boost::asio::awaitable<Result<FetchedMedia>> TelegramChannel::FetchMedia(http::Client& client,
                                                                         const SendAccount& account,
                                                                         std::string media_id, int64_t max_bytes) {
  if (!IsBotToken(account.access_token)) co_return MalformedToken();
  boost::json::object params;
  params["file_id"] = media_id;
  Call call = co_await Post(account.access_token, "getFile", std::move(params));
  if (call.network_error) {
    co_return Error::Unavailable("Telegram did not deliver the media", call.network_error->detail);
  }
  Result<TelegramFile> file = ParseGetFile(call.http_status, call.body, max_bytes);
  if (!file) co_return file.error();
  http::ClientRequest download;
  download.url = settings_.api_base_url + "/file/bot" + account.access_token + "/" + file->path;
  download.log_url = settings_.api_base_url + "/file/bot<token>/" + file->path;
  auto fetched = co_await client.Send(std::move(download));
  if (!fetched) co_return fetched.error();
  const std::string detail = "download: HTTP " + std::to_string(fetched->status);
  if (fetched->status == 429 || fetched->status >= 500) {
    co_return Error::Unavailable("Telegram did not deliver the media", detail);
  }
  if (fetched->status != 200) co_return MediaGone(detail);
  if (static_cast<int64_t>(fetched->body.size()) > max_bytes) {
    co_return MediaTooLarge(max_bytes, std::to_string(fetched->body.size()) + " bytes");
  }
  FetchedMedia media;
  media.bytes = std::move(fetched->body);
  co_return media;
}

std::optional<boost::json::object> TelegramChannel::WebhookAnswer(const WebhookEvents& events) const {
  std::string id = CallbackQueryId(events);
  if (id.empty()) return std::nullopt;
  return boost::json::object{{"method", "answerCallbackQuery"}, {"callback_query_id", std::move(id)}};
}

}  // namespace parley::channels::telegram
