#include "fakes/fake_openai.h"

#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <mutex>
#include <sstream>
#include <thread>

namespace parley::testing {
namespace {

namespace json = boost::json;

http::Response OpenAiError(int status, std::string message, std::string_view type, json::value code) {
  return http::JsonResponse(static_cast<http::Status>(status),
                            {{"error", {{"message", std::move(message)}, {"type", type}, {"code", std::move(code)}}}});
}

// The bodies OpenAI sends for these statuses.
http::Response FailureFor(int status, std::string_view authorization) {
  if (status == 401) {
    std::string key(authorization.substr(authorization.starts_with("Bearer ") ? 7 : 0));
    return OpenAiError(status,
                       "Incorrect API key provided: " + key +
                           ". You can find your API key at https://platform.openai.com/account/api-keys.",
                       "invalid_request_error", "invalid_api_key");
  }
  if (status == 429) {
    return OpenAiError(status, "Rate limit reached for requests", "requests", "rate_limit_exceeded");
  }
  if (status >= 500) {
    return OpenAiError(status, "The server had an error while processing your request. Sorry about that!",
                       "server_error", nullptr);
  }
  return OpenAiError(status, "Invalid request", "invalid_request_error", nullptr);
}

http::Response BadRequest(std::string message) {
  return OpenAiError(400, std::move(message), "invalid_request_error", nullptr);
}

std::string DefaultReply(const json::value& request) {
  std::string last_user;
  for (const json::value& message : request.at("messages").as_array()) {
    if (message.at("role") == "user") last_user = json::value_to<std::string>(message.at("content"));
  }
  return "Thanks for your message: \"" + last_user.substr(0, last_user.find('\n')) + "\"";
}

// The model must be named and every message must have a role and text content.
bool IsChatRequest(const json::value& body) {
  const json::object* object = body.if_object();
  if (object == nullptr || !object->contains("model") || !object->at("model").is_string()) return false;
  const json::value* messages = object->if_contains("messages");
  if (messages == nullptr || !messages->is_array()) return false;
  for (const json::value& message : messages->as_array()) {
    if (!message.is_object()) return false;
    const json::value* role = message.as_object().if_contains("role");
    const json::value* content = message.as_object().if_contains("content");
    if (role == nullptr || !role->is_string() || content == nullptr || !content->is_string()) return false;
  }
  return true;
}

}  // namespace

struct FakeOpenAi::Impl {
  explicit Impl(FakeOpenAi& owner_in) : owner(owner_in) {}

  boost::asio::awaitable<http::Response> Handle(const http::Request& request, bool chat) {
    Request recorded{std::string(request.method_string()),
                     std::string(request.target()),
                     std::string(request[boost::beast::http::field::authorization]),
                     {},
                     std::chrono::steady_clock::now()};
    boost::system::error_code ec;
    recorded.body = json::parse(request.body(), ec);
    int id = 0;
    ReplyFunction reply_function;
    std::string raw;
    {
      std::lock_guard lock(mutex);
      requests.push_back(recorded);
      id = ++next_id;
      reply_function = reply;
      raw = raw_answer;
    }
    if (owner.delay_ms_ > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                      std::chrono::milliseconds(owner.delay_ms_.load()));
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    if (owner.fail_next_.load() > 0) {
      --owner.fail_next_;
      co_return FailureFor(owner.fail_status_.load(), recorded.authorization);
    }
    if (!raw.empty()) co_return http::TextResponse(http::Status::ok, std::move(raw), "application/json");
    if (ec) co_return BadRequest("We could not parse the JSON body of your request.");
    if (chat) co_return Chat(recorded.body, reply_function ? reply_function : DefaultReply, id);
    co_return Embeddings(recorded.body);
  }

  static http::Response Chat(const json::value& body, const ReplyFunction& reply_function, int id) {
    if (!IsChatRequest(body)) return BadRequest("'model' and 'messages' (with 'role' and 'content') are required.");
    std::string prompt;
    for (const json::value& message : body.at("messages").as_array()) {
      prompt += json::value_to<std::string>(message.at("content"));
      prompt += ' ';
    }
    const std::string text = reply_function(body);
    const int prompt_tokens = TokensFor(prompt);
    const int completion_tokens = TokensFor(text);
    return http::JsonResponse(http::Status::ok,
                              {{"id", "chatcmpl-fake" + std::to_string(id)},
                               {"object", "chat.completion"},
                               {"created", static_cast<int64_t>(std::time(nullptr))},
                               {"model", body.at("model")},
                               {"choices", json::array{{{"index", 0},
                                                        {"message", {{"role", "assistant"}, {"content", text}}},
                                                        {"finish_reason", "stop"}}}},
                               {"usage",
                                {{"prompt_tokens", prompt_tokens},
                                 {"completion_tokens", completion_tokens},
                                 {"total_tokens", prompt_tokens + completion_tokens}}}});
  }

  http::Response Embeddings(const json::value& body) const {
    const json::object* object = body.if_object();
    if (object == nullptr || !object->contains("model") || !object->contains("input")) {
      return BadRequest("'model' and 'input' are required.");
    }
    std::vector<std::string> inputs;
    const json::value& input = object->at("input");
    if (input.is_string()) {
      inputs.emplace_back(input.as_string());
    } else if (input.is_array()) {
      for (const json::value& item : input.as_array()) {
        if (!item.is_string()) return BadRequest("'input' must be a string or an array of strings.");
        inputs.emplace_back(item.as_string());
      }
    } else {
      return BadRequest("'input' must be a string or an array of strings.");
    }
    json::array data;
    int tokens = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      json::array embedding;
      for (float x : EmbeddingFor(inputs[i])) embedding.emplace_back(x);
      data.push_back(json::object{{"object", "embedding"}, {"index", i}, {"embedding", std::move(embedding)}});
      tokens += TokensFor(inputs[i]);
    }
    if (owner.reverse_embeddings_) std::reverse(data.begin(), data.end());
    return http::JsonResponse(http::Status::ok, {{"object", "list"},
                                                 {"data", std::move(data)},
                                                 {"model", object->at("model")},
                                                 {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
  }

  FakeOpenAi& owner;
  boost::asio::io_context io;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<Request> requests;  // GUARDED_BY(mutex)
  ReplyFunction reply;            // GUARDED_BY(mutex)
  std::string raw_answer;         // GUARDED_BY(mutex)
  int next_id = 0;                // GUARDED_BY(mutex)
};

FakeOpenAi::FakeOpenAi() : impl_(std::make_unique<Impl>(*this)) {
  impl_->router.Add(http::Verb::post, "/v1/chat/completions",
                    [this](const http::Request& request, const http::RouteContext&) {
                      return impl_->Handle(request, /*chat=*/true);
                    });
  impl_->router.Add(http::Verb::post, "/v1/embeddings",
                    [this](const http::Request& request, const http::RouteContext&) {
                      return impl_->Handle(request, /*chat=*/false);
                    });
  http::ServerOptions options;
  options.port = 0;
  impl_->server = std::make_unique<http::Server>(impl_->io.get_executor(), options, impl_->router);
  if (!impl_->server->Start()) throw std::runtime_error("fake openai cannot listen");
  impl_->thread = std::thread([this] {
    auto guard = boost::asio::make_work_guard(impl_->io);
    impl_->io.run();
  });
}

FakeOpenAi::~FakeOpenAi() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string FakeOpenAi::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + "/v1"; }

std::vector<FakeOpenAi::Request> FakeOpenAi::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

void FakeOpenAi::set_reply(ReplyFunction reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->reply = std::move(reply);
}

void FakeOpenAi::FailNext(int n, int status) {
  fail_status_ = status;
  fail_next_ = n;
}

void FakeOpenAi::set_raw_answer(std::string body) {
  std::lock_guard lock(impl_->mutex);
  impl_->raw_answer = std::move(body);
}

std::vector<float> FakeOpenAi::EmbeddingFor(std::string_view text) {
  uint64_t state = 14695981039346656037ull;  // FNV-1a seeds a splitmix64 sequence.
  for (unsigned char c : text) {
    state ^= c;
    state *= 1099511628211ull;
  }
  std::vector<float> vector(8);
  for (float& x : vector) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    x = static_cast<float>(static_cast<double>(z >> 40) / (1 << 24) * 4.0 - 2.0);
  }
  return vector;
}

int FakeOpenAi::TokensFor(std::string_view text) {
  std::istringstream in{std::string(text)};
  int words = 0;
  for (std::string word; in >> word;) ++words;
  return static_cast<int>(std::lround(words / 0.75));
}

}  // namespace parley::testing
