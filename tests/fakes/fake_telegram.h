#pragma once
// A local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api): POST /bot<token>/<method> with a
// JSON body, answered {"ok": true, "result": …} or {"ok": false, "error_code", "description"} as Telegram does.
// Knows the bots added with AddBot (any other token: 401 "Unauthorized"). getMe answers the bot's User; setWebhook
// keeps the url and secret_token (refusing a secret outside 1-256 of A-Z, a-z, 0-9, '_' and '-', as Telegram
// does); sendMessage reads a parse_mode "MarkdownV2" text as Telegram does (fakes/markdown_v2.h, refusing what it
// cannot parse), refuses an empty text or one shown in over 4,096 UTF-16 code units ("Bad Request: message is too
// long") and answers the sent Message with the text as shown; sendChatAction and answerCallbackQuery answer true;
// getFile answers a File whose file_path GET /file/bot<token>/<file_path> serves (AddFile); sendPhoto, sendAudio,
// sendVoice, sendVideo and sendDocument take the file as a multipart/form-data upload (recorded in the call's params as
// {"file_name", "content_type", "size"}, the form's other fields as strings) or by file_id or URL, with a caption of
// at most 1,024 UTF-16 code units. Records every call. Runs its own thread; safe to query from the test thread.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace parley::testing {

struct TelegramCall {
  std::string token;
  std::string method;
  boost::json::object params;
};

struct TelegramWebhook {
  std::string url;
  std::string secret_token;
};

class FakeTelegram {
 public:
  FakeTelegram();
  ~FakeTelegram();

  std::string base_url() const;  //!< http://127.0.0.1:PORT

  // A bot `token` reaches: getMe answers {"id": id, "is_bot": true, "first_name", "username"}.
  void AddBot(const std::string& token, int64_t id, const std::string& username);
  // Makes sendMessage refuse a MarkdownV2 text whose shown text holds `text`, as Telegram refuses entities it cannot
  // parse (HTTP 400 "Bad Request: can't parse entities: …"); the same text sent without parse_mode goes.
  void RefuseEntitiesIn(const std::string& text);
  // A file of `token`'s bot: getFile answers it with file_path "<kind>/file_<n>", which serves `bytes`.
  void AddFile(const std::string& token, const std::string& file_id, std::string bytes);

  std::vector<TelegramCall> calls() const;
  std::vector<TelegramCall> calls(const std::string& method) const;
  // Waits up to `timeout` until `method` was called at least `n` times.
  bool WaitForCalls(const std::string& method, size_t n, std::chrono::milliseconds timeout) const;
  // What the last setWebhook of `token`'s bot set; empty when none.
  TelegramWebhook webhook(const std::string& token) const;
  // Files downloaded so far.
  int file_downloads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::testing
