#include "fakes/fake_openai.h"

#include "core/crypto.h"
#include "core/json.h"
#include "http/multipart.h"
#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
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

// A message's text: the string, or its text parts joined (OpenAI's content parts, images left out).
std::string TextOf(const json::value& message) {
  const json::value& content = message.at("content");
  if (content.is_string()) return json::value_to<std::string>(content);
  std::string text;
  for (const json::value& part : content.as_array()) {
    if (part.at("type") == "text") text += json::value_to<std::string>(part.at("text"));
  }
  return text;
}

// OpenAI's content: a string, or parts {"type":"text","text"} and {"type":"image_url","image_url":{"url"}} where the
// URL is an http(s) link or a base64 data: URL.
bool IsContent(const json::value& content) {
  if (content.is_string()) return true;
  if (!content.is_array() || content.as_array().empty()) return false;
  for (const json::value& part : content.as_array()) {
    const json::object* object = part.if_object();
    if (object == nullptr || !object->contains("type")) return false;
    if (object->at("type") == "text") {
      if (!object->contains("text") || !object->at("text").is_string()) return false;
    } else if (object->at("type") == "image_url") {
      const json::value* image = object->if_contains("image_url");
      const json::value* url = image != nullptr && image->is_object() ? image->as_object().if_contains("url") : nullptr;
      if (url == nullptr || !url->is_string()) return false;
      std::string_view link = url->get_string();
      if (!link.starts_with("https://") && !link.starts_with("http://") &&
          !(link.starts_with("data:image/") && link.find(";base64,") != std::string_view::npos)) {
        return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

std::string DefaultReply(const json::value& request) {
  std::string last_user;
  for (const json::value& message : request.at("messages").as_array()) {
    if (message.at("role") == "user") last_user = TextOf(message);
  }
  return "Thanks for your message: \"" + last_user.substr(0, last_user.find('\n')) + "\"";
}

// The model must be named and every message must have a role and content (text, or parts as OpenAI documents them).
bool IsChatRequest(const json::value& body) {
  const json::object* object = body.if_object();
  if (object == nullptr || !object->contains("model") || !object->at("model").is_string()) return false;
  const json::value* messages = object->if_contains("messages");
  if (messages == nullptr || !messages->is_array()) return false;
  for (const json::value& message : messages->as_array()) {
    if (!message.is_object()) return false;
    const json::value* role = message.as_object().if_contains("role");
    const json::value* content = message.as_object().if_contains("content");
    if (role == nullptr || !role->is_string() || content == nullptr || !IsContent(*content)) return false;
  }
  return true;
}

// --- AnswerFromPassages ---

// Lower-case ASCII words of three letters or more, minus a few function words: enough overlap signal for a fake.
std::vector<std::string> ContentWords(std::string_view text) {
  static const std::set<std::string, std::less<>> kStop = {
      "the",  "and",  "for",   "are", "you",   "your",  "can", "what", "how",  "does", "with", "have", "this",  "that",
      "from", "when", "which", "who", "where", "there", "our", "any",  "was",  "will", "not",  "but",  "all",   "its",
      "les",  "des",  "est",   "une", "pour",  "vous",  "que", "qui",  "dans", "sur",  "avec", "quel", "quelle"};
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 3 && !kStop.contains(word)) words.push_back(word);
    word.clear();
  };
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) >= 0x80)) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

// Words match on their first five letters: "deliveries" meets "delivery", as a model would.
size_t Overlap(const std::vector<std::string>& question, std::string_view text) {
  std::set<std::string> stems;
  for (const std::string& word : ContentWords(text)) stems.insert(word.substr(0, 5));
  std::set<std::string> seen;
  size_t overlap = 0;
  for (const std::string& word : question) {
    const std::string stem = word.substr(0, 5);
    if (seen.insert(stem).second && stems.contains(stem)) ++overlap;
  }
  return overlap;
}

struct NumberedPassage {
  int64_t id = 0;
  std::string text;  // Without its "(source)" prefix.
};

// "[n] (source) text" lines; a passage runs to the next one, or to the schema instruction that a server without
// structured output gets appended (agent/openai.cpp).
std::vector<NumberedPassage> PassagesOf(std::string_view system) {
  if (size_t cut = system.find("\n\nReply with one JSON object"); cut != std::string_view::npos) {
    system = system.substr(0, cut);
  }
  static const std::regex kMarker(R"(^\[(\d+)\] )");
  std::vector<NumberedPassage> passages;
  size_t at = 0;
  while (at <= system.size()) {
    size_t end = system.find('\n', at);
    if (end == std::string_view::npos) end = system.size();
    const std::string line(system.substr(at, end - at));
    std::smatch match;
    if (std::regex_search(line, match, kMarker)) {
      std::string text = line.substr(match.length(0));
      if (text.starts_with("(")) {
        if (size_t close = text.find(") "); close != std::string::npos) text = text.substr(close + 2);
      }
      passages.push_back({std::stoll(match[1].str()), std::move(text)});
    } else if (!passages.empty()) {
      passages.back().text += "\n" + line;
    }
    at = end + 1;
  }
  return passages;
}

std::vector<std::string> Sentences(std::string_view text) {
  std::vector<std::string> sentences;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    current += text[i];
    const bool end = text[i] == '\n' || ((text[i] == '.' || text[i] == '!' || text[i] == '?') &&
                                         (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n'));
    if (end || i + 1 == text.size()) {
      const size_t first = current.find_first_not_of(" \n");
      if (first != std::string::npos) {
        std::string sentence = current.substr(first);
        while (!sentence.empty() && (sentence.back() == ' ' || sentence.back() == '\n')) sentence.pop_back();
        sentences.push_back(std::move(sentence));
      }
      current.clear();
    }
  }
  return sentences;
}

// The schema the request asks for: response_format's, or the one spelled out in the system message.
json::object RequestedSchema(const json::value& request, std::string_view system) {
  if (const json::value* format = request.as_object().if_contains("response_format")) {
    if (const json::value* schema = format->as_object().if_contains("json_schema")) {
      if (const json::value* inner = schema->as_object().if_contains("schema"); inner && inner->is_object()) {
        return inner->as_object();
      }
    }
  }
  constexpr std::string_view kSpelled = "matching this JSON Schema: ";
  if (size_t at = system.find(kSpelled); at != std::string_view::npos) {
    boost::system::error_code ec;
    json::value schema = json::parse(system.substr(at + kSpelled.size()), ec);
    if (!ec && schema.is_object()) return schema.as_object();
  }
  return {};
}

std::string PassageAnswer(const json::value& request) {
  std::string system, question;
  for (const json::value& message : request.at("messages").as_array()) {
    if (message.at("role") == "system" && system.empty()) system = TextOf(message);
    if (message.at("role") == "user") question = TextOf(message);
  }
  const std::vector<std::string> wanted = ContentWords(question);
  const std::vector<NumberedPassage> passages = PassagesOf(system);
  const NumberedPassage* best = nullptr;
  size_t best_overlap = 0;
  for (const NumberedPassage& passage : passages) {
    const size_t overlap = Overlap(wanted, passage.text);
    if (overlap > best_overlap) {
      best_overlap = overlap;
      best = &passage;
    }
  }
  json::object reply;
  if (best != nullptr && !wanted.empty() && 2 * best_overlap >= wanted.size()) {
    // The best sentence, and the one after it when that one also matches (a price often follows its item).
    const std::vector<std::string> sentences = Sentences(best->text);
    size_t chosen = 0, chosen_overlap = 0;
    for (size_t i = 0; i < sentences.size(); ++i) {
      const size_t overlap = Overlap(wanted, sentences[i]);
      if (overlap > chosen_overlap) {
        chosen_overlap = overlap;
        chosen = i;
      }
    }
    std::string answer = sentences.empty() ? best->text : sentences[chosen];
    if (chosen + 1 < sentences.size() && Overlap(wanted, sentences[chosen + 1]) > 0) {
      answer += " " + sentences[chosen + 1];
    }
    reply["answer"] = answer;
    reply["passage_ids"] = json::array{best->id};
  } else {
    reply["answer"] = nullptr;
    reply["passage_ids"] = json::array{};
  }
  const json::object schema = RequestedSchema(request, system);
  if (const json::value* required = schema.if_contains("required"); required && required->is_array()) {
    for (const json::value& name : required->as_array()) {
      if (name.is_string() && !reply.contains(name.as_string())) reply[name.as_string()] = nullptr;
    }
  }
  return SerializeJson(reply);
}

}  // namespace

struct FakeOpenAi::Impl {
  explicit Impl(FakeOpenAi& owner_in) : owner(owner_in) {}

  // Every answer waits the set delay first; then the failure FailNext asked for, if any is left.
  boost::asio::awaitable<std::optional<http::Response>> DelayThenFailure(const std::string& authorization) {
    if (owner.delay_ms_ > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                      std::chrono::milliseconds(owner.delay_ms_.load()));
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    if (owner.fail_next_.load() > 0) {
      --owner.fail_next_;
      co_return FailureFor(owner.fail_status_.load(), authorization);
    }
    co_return std::nullopt;
  }

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
    std::optional<http::Response> failure = co_await DelayThenFailure(recorded.authorization);
    if (failure) co_return std::move(*failure);
    if (!raw.empty()) co_return http::TextResponse(http::Status::ok, std::move(raw), "application/json");
    if (ec) co_return BadRequest("We could not parse the JSON body of your request.");
    if (chat && owner.refuse_response_format_.load() && recorded.body.is_object() &&
        recorded.body.as_object().contains("response_format")) {
      co_return http::JsonResponse(
          http::Status::bad_request,
          {{"error",
            {{"message",
              "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."},
             {"type", "invalid_request_error"},
             {"param", "response_format"},
             {"code", nullptr}}}});
    }
    if (chat) co_return Chat(recorded.body, reply_function ? reply_function : DefaultReply, id);
    co_return Embeddings(recorded.body);
  }

  static http::Response Chat(const json::value& body, const ReplyFunction& reply_function, int id) {
    if (!IsChatRequest(body)) return BadRequest("'model' and 'messages' (with 'role' and 'content') are required.");
    std::string prompt;
    for (const json::value& message : body.at("messages").as_array()) {
      prompt += TextOf(message);
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

  // POST /v1/audio/transcriptions as OpenAI's API reference describes it: multipart/form-data with a `file` part and
  // a `model` field (400 without either, as OpenAI answers); {"text": …} for response_format json (the default),
  // the bare text for `text`.
  boost::asio::awaitable<http::Response> Transcription(const http::Request& request) {
    Request recorded{std::string(request.method_string()), std::string(request.target()),
                     std::string(request[boost::beast::http::field::authorization]), json::object{},
                     std::chrono::steady_clock::now()};
    auto boundary = http::MultipartBoundary(request[boost::beast::http::field::content_type]);
    Result<std::vector<http::FormPart>> parts = Error::InvalidArgument("no boundary");
    if (boundary) parts = http::ParseMultipart(request.body(), *boundary);
    std::string model;
    std::string format = "json";
    std::optional<std::string_view> audio;
    json::object& form = recorded.body.as_object();
    if (parts) {
      for (const http::FormPart& part : *parts) {
        if (part.name == "file" && !part.file_name.empty()) {
          audio = part.data;
          form["file"] = {{"filename", part.file_name},
                          {"content_type", part.content_type},
                          {"bytes", static_cast<int64_t>(part.data.size())}};
        } else if (part.name != "file") {
          form[part.name] = part.data;
          if (part.name == "model") model = part.data;
          if (part.name == "response_format") format = part.data;
        }
      }
    }
    std::function<std::string(std::string_view)> transcript_function;
    {
      std::lock_guard lock(mutex);
      requests.push_back(recorded);
      transcript_function = transcript;
    }
    std::optional<http::Response> failure = co_await DelayThenFailure(recorded.authorization);
    if (failure) co_return std::move(*failure);
    if (!parts) co_return BadRequest("Could not parse multipart form");
    if (!audio) co_return BadRequest("1 validation error for Request\nbody -> file\n  field required");
    if (model.empty()) co_return BadRequest("you must provide a model parameter");
    const std::string text = transcript_function ? transcript_function(*audio) : SaidIn(*audio);
    if (format == "text") co_return http::TextResponse(http::Status::ok, text + "\n", "text/plain; charset=utf-8");
    co_return http::JsonResponse(http::Status::ok, {{"text", text}});
  }

  static std::string SaidIn(std::string_view audio) {
    const size_t said = audio.find("SAID:");
    return said == std::string_view::npos ? std::string() : std::string(audio.substr(said + 5));
  }

  FakeOpenAi& owner;
  boost::asio::io_context io;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<Request> requests;                            // GUARDED_BY(mutex)
  ReplyFunction reply;                                      // GUARDED_BY(mutex)
  std::function<std::string(std::string_view)> transcript;  // GUARDED_BY(mutex)
  std::string raw_answer;                                   // GUARDED_BY(mutex)
  int next_id = 0;                                          // GUARDED_BY(mutex)
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
  impl_->router.Add(
      http::Verb::post, "/v1/audio/transcriptions",
      [this](const http::Request& request, const http::RouteContext&) { return impl_->Transcription(request); });
  http::ServerOptions options;
  options.port = 0;
  options.max_body_bytes = 25 << 20;  // OpenAI's limit for an audio file.
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

void FakeOpenAi::set_transcript(std::function<std::string(std::string_view audio)> transcript) {
  std::lock_guard lock(impl_->mutex);
  impl_->transcript = std::move(transcript);
}

std::string FakeOpenAi::Recording(std::string_view words) { return "OggS fake-opus-pages SAID:" + std::string(words); }

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

std::vector<std::string> FakeOpenAi::ImagesIn(const json::value& request) {
  std::vector<std::string> images;
  for (const json::value& message : request.at("messages").as_array()) {
    const json::value& content = message.at("content");
    if (!content.is_array()) continue;
    for (const json::value& part : content.as_array()) {
      if (part.at("type") != "image_url") continue;
      std::string_view url = part.at("image_url").at("url").as_string();
      const size_t data = url.find(";base64,");
      if (!url.starts_with("data:") || data == std::string_view::npos) continue;
      if (auto bytes = crypto::Base64Decode(url.substr(data + 8))) images.push_back(std::move(*bytes));
    }
  }
  return images;
}

FakeOpenAi::ReplyFunction FakeOpenAi::AnswerFromPassages() { return PassageAnswer; }

FakeOpenAi::ReplyFunction FakeOpenAi::Answering(std::string answer) {
  return [answer = std::move(answer)](const json::value& request) {
    const json::object& body = request.as_object();
    const json::array& messages = body.at("messages").as_array();
    const json::value* format = body.if_contains("response_format");
    if (format != nullptr && format->at("json_schema").at("name") == "triage") {
      // The burst, as the triage request quotes it between "<<<" and ">>>" lines.
      std::string quoted = TextOf(messages.back());
      const size_t open = quoted.find("<<<\n");
      const size_t begin = open == std::string::npos ? 0 : open + 4;
      const size_t close = quoted.find("\n>>>", begin);
      const std::string burst = quoted.substr(begin, close == std::string::npos ? std::string::npos : close - begin);
      return SerializeJson(json::object{{"decision", "AUTO_REPLY"},
                                        {"reason", "question"},
                                        {"priority", "normal"},
                                        {"language", "en"},
                                        {"questions", json::array{json::string(burst)}}});
    }
    const std::vector<NumberedPassage> passages = PassagesOf(TextOf(messages.front()));
    int64_t cited = 1;
    for (const NumberedPassage& passage : passages) {
      if (passage.text.find(answer) != std::string::npos) {
        cited = passage.id;
        break;
      }
    }
    return SerializeJson(json::object{{"answer", answer}, {"passage_ids", json::array{cited}}});
  };
}

int FakeOpenAi::TokensFor(std::string_view text) {
  std::istringstream in{std::string(text)};
  int words = 0;
  for (std::string word; in >> word;) ++words;
  return static_cast<int>(std::lround(words / 0.75));
}

}  // namespace parley::testing
