#include "fakes/fake_telegram.h"

#include "fakes/markdown_v2.h"

#include "http/multipart.h"
#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace parley::testing {

struct FakeTelegram::Impl {
  boost::asio::io_context io;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
  mutable std::mutex mutex;
  // All GUARDED_BY(mutex).
  struct Bot {
    int64_t id = 0;
    std::string username;
  };
  std::map<std::string, Bot> bots;  // By token.
  std::map<std::string, TelegramWebhook> webhooks;
  struct File {
    std::string token;
    std::string path;
    std::string bytes;
  };
  std::map<std::string, File> files;  // By file_id.
  std::vector<TelegramCall> calls;
  std::vector<std::string> refused_entities;  // RefuseEntitiesIn.
  int64_t next_message_id = 1000;
  int file_downloads = 0;

  http::Response Handle(const std::string& token, const std::string& method, const boost::json::object& params);
};

namespace {

namespace json = boost::json;

http::Response Ok(json::value result) {
  return http::JsonResponse(http::Status::ok, {{"ok", true}, {"result", result}});
}

http::Response Fail(int code, const std::string& description) {
  return http::JsonResponse(static_cast<http::Status>(code),
                            {{"ok", false}, {"error_code", code}, {"description", description}});
}

size_t Utf16Length(std::string_view text) {
  size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

bool ValidSecret(std::string_view secret) {
  if (secret.empty() || secret.size() > 256) return false;
  for (char c : secret) {
    const bool allowed =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

// The part that carries the file of a Bot API method sending one; empty for other methods.
std::string_view MediaField(std::string_view method) {
  if (method == "sendPhoto") return "photo";
  if (method == "sendAudio") return "audio";
  if (method == "sendVoice") return "voice";
  if (method == "sendVideo") return "video";
  if (method == "sendDocument") return "document";
  return {};
}

// A chat id given as a number (JSON) or as text (a multipart form's field).
int64_t ChatId(const json::value& value) {
  if (value.is_int64()) return value.as_int64();
  if (!value.is_string()) return 0;
  return std::strtoll(value.as_string().c_str(), nullptr, 10);
}

// A multipart form's fields as the parameters of a JSON call; a file part as {"file_name", "content_type", "size"}.
std::optional<json::object> FormParams(const http::Request& request) {
  auto boundary = http::MultipartBoundary(request[boost::beast::http::field::content_type]);
  if (!boundary) return std::nullopt;
  auto parts = http::ParseMultipart(request.body(), *boundary);
  if (!parts) return std::nullopt;
  json::object params;
  for (const auto& part : *parts) {
    if (part.file_name.empty()) {
      params[part.name] = part.data;
    } else {
      params[part.name] =
          json::object{{"file_name", part.file_name}, {"content_type", part.content_type}, {"size", part.data.size()}};
    }
  }
  return params;
}

}  // namespace

http::Response FakeTelegram::Impl::Handle(const std::string& token, const std::string& method,
                                          const json::object& params) {
  std::lock_guard lock(mutex);
  calls.push_back({token, method, params});
  auto bot = bots.find(token);
  if (bot == bots.end()) return Fail(401, "Unauthorized");
  const json::object user{{"id", bot->second.id},
                          {"is_bot", true},
                          {"first_name", "Parley test bot"},
                          {"username", bot->second.username},
                          {"can_join_groups", true},
                          {"can_read_all_group_messages", false},
                          {"supports_inline_queries", false}};
  if (method == "getMe") return Ok(user);
  if (method == "setWebhook") {
    const json::value* url = params.if_contains("url");
    if (url == nullptr || !url->is_string()) return Fail(400, "Bad Request: bad webhook: Failed to resolve host");
    const json::value* secret = params.if_contains("secret_token");
    std::string secret_token;
    if (secret != nullptr) {
      if (!secret->is_string() || !ValidSecret(secret->as_string())) {
        return Fail(400, "Bad Request: secret token contains unallowed characters");
      }
      secret_token = std::string(secret->as_string());
    }
    webhooks[token] = {std::string(url->as_string()), secret_token};
    return http::JsonResponse(http::Status::ok, {{"ok", true}, {"result", true}, {"description", "Webhook was set"}});
  }
  const json::value* chat_id = params.if_contains("chat_id");
  if (method == "sendMessage") {
    if (chat_id == nullptr) return Fail(400, "Bad Request: chat_id is empty");
    const json::value* text = params.if_contains("text");
    if (text == nullptr || !text->is_string() || text->as_string().empty()) {
      return Fail(400, "Bad Request: message text is empty");
    }
    std::string shown(text->as_string());
    if (const json::value* mode = params.if_contains("parse_mode")) {
      if (*mode != "MarkdownV2") return Fail(400, "Bad Request: unsupported parse_mode");
      MarkdownV2Reading reading = ReadMarkdownV2(shown);
      if (!reading.ok) return Fail(400, reading.error);
      shown = std::move(reading.shown);
      for (const std::string& refused : refused_entities) {
        if (shown.find(refused) != std::string::npos) {
          return Fail(400, "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 0");
        }
      }
    }
    if (shown.empty()) return Fail(400, "Bad Request: message text is empty");
    if (Utf16Length(shown) > 4096) return Fail(400, "Bad Request: message is too long");
    const int64_t chat = chat_id->is_int64() ? chat_id->as_int64() : 0;
    return Ok(json::object{{"message_id", ++next_message_id},
                           {"from", user},
                           {"chat", {{"id", chat}, {"type", "private"}}},
                           {"date", 1767225600},
                           {"text", shown}});
  }
  if (const std::string_view field = MediaField(method); !field.empty()) {
    // sendPhoto, sendAudio, sendVoice, sendVideo, sendDocument: the file uploaded as a multipart part (recorded as
    // {"file_name", "content_type", "size"}) or named by a file_id or URL string.
    if (chat_id == nullptr) return Fail(400, "Bad Request: chat_id is empty");
    const json::value* file = params.if_contains(field);
    const bool uploaded = file != nullptr && file->is_object() && file->as_object().at("size").to_number<int64_t>() > 0;
    if (!uploaded && (file == nullptr || !file->is_string() || file->as_string().empty())) {
      return Fail(400, "Bad Request: there is no " + std::string(field) + " in the request");
    }
    json::object message{{"message_id", ++next_message_id},
                         {"from", user},
                         {"chat", {{"id", ChatId(*chat_id)}, {"type", "private"}}},
                         {"date", 1767225600}};
    if (const json::value* caption = params.if_contains("caption")) {
      if (!caption->is_string() || Utf16Length(caption->as_string()) > 1024) {
        return Fail(400, "Bad Request: message caption is too long");
      }
      message["caption"] = *caption;
    }
    message[field] = json::object{{"file_id", "F" + std::to_string(next_message_id)}};
    return Ok(std::move(message));
  }
  if (method == "sendChatAction") {
    if (chat_id == nullptr) return Fail(400, "Bad Request: chat_id is empty");
    return Ok(true);
  }
  if (method == "answerCallbackQuery") return Ok(true);
  if (method == "getFile") {
    const json::value* file_id = params.if_contains("file_id");
    auto file =
        file_id != nullptr && file_id->is_string() ? files.find(std::string(file_id->as_string())) : files.end();
    if (file == files.end() || file->second.token != token) return Fail(400, "Bad Request: invalid file_id");
    return Ok(json::object{{"file_id", file->first},
                           {"file_unique_id", "U" + file->first},
                           {"file_size", file->second.bytes.size()},
                           {"file_path", file->second.path}});
  }
  return Fail(404, "Not Found");
}

FakeTelegram::FakeTelegram() : impl_(std::make_unique<Impl>()) {
  impl_->router.Add(
      http::Verb::post, "/{bot}/{method}",
      [this](const http::Request& request, const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        const std::string bot(route.Param("bot").value_or(""));
        if (!bot.starts_with("bot")) co_return Fail(404, "Not Found");
        const std::string method(route.Param("method").value_or(""));
        if (request[boost::beast::http::field::content_type].starts_with("multipart/form-data")) {
          std::optional<json::object> form = FormParams(request);
          if (!form) co_return Fail(400, "Bad Request: can't parse multipart form");
          co_return impl_->Handle(bot.substr(3), method, *form);
        }
        boost::system::error_code ec;
        json::value body = request.body().empty() ? json::value(json::object()) : json::parse(request.body(), ec);
        if (ec || !body.is_object()) co_return Fail(400, "Bad Request: can't parse JSON object");
        co_return impl_->Handle(bot.substr(3), method, body.as_object());
      });
  // GET /file/bot<token>/<file_path>: file paths have a slash, which no route pattern spans.
  impl_->router.SetFallback(
      [this](const http::Request& request, const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
        const std::string target(request.target());
        std::lock_guard lock(impl_->mutex);
        for (const auto& [id, file] : impl_->files) {
          if (target == "/file/bot" + file.token + "/" + file.path) {
            ++impl_->file_downloads;
            co_return http::TextResponse(http::Status::ok, file.bytes, "application/octet-stream");
          }
        }
        co_return Fail(404, "Not Found");
      });
  http::ServerOptions options;
  options.port = 0;
  options.max_body_bytes = 60 << 20;  // The Bot API takes uploads up to 50 MB.
  impl_->server = std::make_unique<http::Server>(impl_->io.get_executor(), options, impl_->router);
  if (!impl_->server->Start()) throw std::runtime_error("fake telegram cannot listen");
  impl_->thread = std::thread([this] {
    auto guard = boost::asio::make_work_guard(impl_->io);
    impl_->io.run();
  });
}

FakeTelegram::~FakeTelegram() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string FakeTelegram::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->server->port()); }

void FakeTelegram::AddBot(const std::string& token, int64_t id, const std::string& username) {
  std::lock_guard lock(impl_->mutex);
  impl_->bots[token] = {id, username};
}

void FakeTelegram::RefuseEntitiesIn(const std::string& text) {
  std::lock_guard lock(impl_->mutex);
  impl_->refused_entities.push_back(text);
}

void FakeTelegram::AddFile(const std::string& token, const std::string& file_id, std::string bytes) {
  std::lock_guard lock(impl_->mutex);
  const std::string path = "documents/file_" + std::to_string(impl_->files.size()) + ".bin";
  impl_->files[file_id] = {token, path, std::move(bytes)};
}

std::vector<TelegramCall> FakeTelegram::calls() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->calls;
}

std::vector<TelegramCall> FakeTelegram::calls(const std::string& method) const {
  std::vector<TelegramCall> out;
  for (auto& call : calls()) {
    if (call.method == method) out.push_back(std::move(call));
  }
  return out;
}

bool FakeTelegram::WaitForCalls(const std::string& method, size_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (calls(method).size() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return calls(method).size() >= n;
}

TelegramWebhook FakeTelegram::webhook(const std::string& token) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->webhooks.find(token);
  return it == impl_->webhooks.end() ? TelegramWebhook{} : it->second;
}

int FakeTelegram::file_downloads() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->file_downloads;
}

}  // namespace parley::testing
