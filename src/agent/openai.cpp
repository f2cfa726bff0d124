#include "agent/llm.h"

#include "core/crypto.h"
#include "core/json.h"
#include "core/utf8.h"
#include "http/multipart.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::agent {
namespace {

namespace json = boost::json;

constexpr size_t kExcerptBytes = 200;
constexpr std::string_view kUnexpectedAnswer = "unexpected answer from the model";

// How errors name the endpoint: the chat model or the embeddings endpoint.
struct Service {
  std::string_view unavailable;
  std::string_view timeout;
  std::string_view rejected;
};
constexpr Service kChat{"the language model is unavailable", "the language model did not answer in time",
                        "the language model rejected the request"};
constexpr Service kEmbeddings{"the embeddings endpoint is unavailable",
                              "the embeddings endpoint did not answer in time",
                              "the embeddings endpoint rejected the request"};
constexpr Service kTranscription{"the transcription endpoint is unavailable",
                                 "the transcription endpoint did not answer in time",
                                 "the transcription endpoint rejected the recording"};

std::string_view TrimSlashes(std::string_view base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  return base_url;
}

// A gateway may quote the credential back in its error ("Incorrect API key provided: sk-…"); details reach logs.
std::string Redact(std::string text, std::string_view api_key) {
  if (api_key.empty()) return text;
  for (size_t at = text.find(api_key); at != std::string::npos; at = text.find(api_key, at)) {
    text.replace(at, api_key.size(), "[redacted]");
  }
  return text;
}

// Redacts before cutting, so no prefix of the key survives at the cut, and cuts at a character boundary so the
// excerpt stays valid UTF-8 in JSON logs.
std::string Excerpt(std::string_view server_text, std::string_view api_key) {
  std::string text = Redact(std::string(server_text), api_key);
  if (text.size() <= kExcerptBytes) return text;
  return std::string(Utf8Prefix(text, kExcerptBytes)) + "…";
}

// The server's own words: error.message of an OpenAI error body, a bare {"error": "…"} (Ollama, some proxies),
// or else the start of whatever it sent.
std::string ServerMessage(std::string_view body, std::string_view api_key) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    if (const json::value* error = parsed.as_object().if_contains("error")) {
      if (error->is_string()) return Excerpt(error->as_string(), api_key);
      if (const json::object* object = error->if_object()) {
        if (const json::value* message = object->if_contains("message"); message != nullptr && message->is_string()) {
          return Excerpt(message->as_string(), api_key);
        }
      }
    }
  }
  return Excerpt(body, api_key);
}

http::ClientRequest Post(const OpenAiOptions& options, std::string_view path, std::string content_type,
                         std::string body) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = std::string(TrimSlashes(options.base_url)) + "/" + std::string(path);
  request.headers.emplace_back("Content-Type", std::move(content_type));
  if (!options.api_key.empty()) request.headers.emplace_back("Authorization", "Bearer " + options.api_key);
  request.body = std::move(body);
  request.read_timeout = options.timeout;
  request.url_source = options.url_source;
  return request;
}

http::ClientRequest PostJson(const OpenAiOptions& options, std::string_view path, const json::object& body) {
  return Post(options, path, "application/json", SerializeJson(body));
}

// The file name a transcription server reads the format from (OpenAI's accepted extensions where one applies).
std::string_view AudioExtension(std::string_view mime_type) {
  static constexpr std::pair<std::string_view, std::string_view> kExtensions[] = {
      {"audio/ogg", "ogg"},  {"audio/mpeg", "mp3"}, {"audio/mp4", "m4a"},   {"audio/aac", "aac"},
      {"audio/amr", "amr"},  {"audio/wav", "wav"},  {"audio/webm", "webm"}, {"video/mp4", "mp4"},
      {"video/3gpp", "3gp"}, {"audio/flac", "flac"}};
  for (const auto& [type, extension] : kExtensions) {
    if (type == mime_type) return extension;
  }
  return "bin";
}

// The recording and the request's fields, as OpenAI's POST /v1/audio/transcriptions takes them.
http::FormBody TranscriptionForm(std::string_view audio, std::string_view mime_type, std::string_view model) {
  const std::string file_name = "audio." + std::string(AudioExtension(mime_type));
  return http::BuildMultipart({{"file", file_name, std::string(mime_type), audio},
                               {"model", {}, {}, model},
                               {"response_format", {}, {}, "json"}});
}

Error Unexpected(std::string detail) { return Error::Unavailable(std::string(kUnexpectedAnswer), std::move(detail)); }

// Turns the client's outcome into the answer's JSON object, or the error the ChatModel contract promises.
Result<json::object> Interpret(Result<http::ClientResponse> response, const Service& service,
                               std::string_view api_key) {
  if (!response) {
    Error error = std::move(response.error());
    if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kTimeout) {
      error.detail = error.message + (error.detail.empty() ? "" : ": " + error.detail);
      error.message = std::string(error.code == ErrorCode::kTimeout ? service.timeout : service.unavailable);
    }
    error.detail = Redact(std::move(error.detail), api_key);
    return error;
  }
  const int status = response->status;
  if (status < 200 || status >= 300) {
    std::string detail = "HTTP " + std::to_string(status) + " after " + std::to_string(response->attempts) +
                         " attempt(s): " + ServerMessage(response->body, api_key);
    if (status >= 400 && status < 500 && status != 429) {
      return Error{ErrorCode::kInvalidArgument, std::string(service.rejected), std::move(detail)};
    }
    return Error::Unavailable(std::string(service.unavailable), std::move(detail));
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(response->body, ec);
  if (ec || !parsed.is_object()) {
    return Unexpected("not a JSON object: " + Excerpt(response->body, api_key));
  }
  return std::move(parsed.as_object());
}

std::optional<int64_t> AsInteger(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (const int64_t* i = value->if_int64()) return *i;
  if (const uint64_t* u = value->if_uint64(); u != nullptr && *u <= INT64_MAX) return static_cast<int64_t>(*u);
  return std::nullopt;
}

int TokenCount(const json::object* usage, std::string_view name) {
  if (usage == nullptr) return 0;
  return static_cast<int>(AsInteger(usage->if_contains(name)).value_or(0));
}

Result<ChatResponse> ParseChat(const json::object& body) {
  const json::value* choices = body.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->as_array().empty()) return Unexpected("no choices");
  const json::object* choice = choices->as_array().front().if_object();
  const json::value* message = choice != nullptr ? choice->if_contains("message") : nullptr;
  const json::value* content =
      message != nullptr && message->is_object() ? message->as_object().if_contains("content") : nullptr;
  if (content == nullptr || !content->is_string()) return Unexpected("choices[0].message.content is not text");

  ChatResponse response;
  response.text = content->as_string();
  // finish_reason and usage are informative: servers that omit them (or send null) still answered.
  if (const json::value* reason = choice->if_contains("finish_reason"); reason != nullptr && reason->is_string()) {
    response.finish_reason = reason->as_string();
  }
  const json::value* usage = body.if_contains("usage");
  const json::object* usage_object = usage != nullptr ? usage->if_object() : nullptr;
  response.prompt_tokens = TokenCount(usage_object, "prompt_tokens");
  response.completion_tokens = TokenCount(usage_object, "completion_tokens");
  if (const json::value* model = body.if_contains("model"); model != nullptr && model->is_string()) {
    response.model = model->as_string();
  }
  return response;
}

// Text alone as a string, which every server reads; with images, content parts.
json::value Content(const ChatMessage& message) {
  if (message.images.empty()) return json::value(message.content);
  json::array parts{json::object{{"type", "text"}, {"text", message.content}}};
  for (const ChatImage& image : message.images) {
    parts.push_back(json::object{
        {"type", "image_url"},
        {"image_url", {{"url", "data:" + image.mime_type + ";base64," + crypto::Base64Encode(image.bytes)}}}});
  }
  return parts;
}

// OpenAI's structured output. Without it (`offer_schema` false) a schema still asked for is spelled out at the end
// of the system message, so that any model can follow it and ParseJsonReply can read the answer.
json::object ChatBody(const std::string& model, const ChatRequest& request, bool offer_schema) {
  std::vector<ChatMessage> messages = request.messages;
  if (request.response_schema && !offer_schema) {
    const std::string instruction =
        "Reply with one JSON object and nothing else (no prose, no code fence), matching this JSON Schema: " +
        SerializeJson(request.response_schema->schema);
    if (messages.empty() || messages.front().role != "system") {
      messages.insert(messages.begin(), ChatMessage{"system", instruction});
    } else {
      messages.front().content += "\n\n" + instruction;
    }
  }
  json::array array;
  array.reserve(messages.size());
  for (const ChatMessage& message : messages) {
    array.push_back(json::object{{"role", message.role}, {"content", Content(message)}});
  }
  json::object body{{"model", model},
                    {"messages", std::move(array)},
                    {"temperature", request.temperature},
                    {"max_tokens", request.max_tokens}};
  if (request.response_schema && offer_schema) {
    body["response_format"] = {
        {"type", "json_schema"},
        {"json_schema",
         {{"name", request.response_schema->name}, {"strict", true}, {"schema", request.response_schema->schema}}}};
  }
  return body;
}

// A server or model without structured output says so with a 400 naming the field (OpenAI: "Invalid parameter:
// 'response_format' of type 'json_schema' is not supported with this model"; gateways word it their own way).
bool RefusesResponseFormat(const Result<http::ClientResponse>& response) {
  if (!response || response->status != 400) return false;
  std::string body = response->body;
  std::transform(body.begin(), body.end(), body.begin(), [](unsigned char c) { return std::tolower(c); });
  return body.find("response_format") != std::string::npos || body.find("json_schema") != std::string::npos;
}

// Places each data[] item at its `index` within the batch and normalizes it. Every vector must have the same
// size as the others and as `dimensions` once known: mixing sizes would corrupt the vector index.
Result<void> ParseEmbeddings(const json::object& body, size_t first, size_t count, int dimensions,
                             std::vector<knowledge::Vector>& out) {
  const json::value* data = body.if_contains("data");
  if (data == nullptr || !data->is_array()) return Unexpected("no data");
  if (data->as_array().size() != count) {
    return Unexpected("asked for " + std::to_string(count) + " embeddings, got " +
                      std::to_string(data->as_array().size()));
  }
  for (const json::value& item : data->as_array()) {
    const json::object* object = item.if_object();
    const std::optional<int64_t> index = AsInteger(object != nullptr ? object->if_contains("index") : nullptr);
    if (!index || *index < 0 || static_cast<size_t>(*index) >= count) return Unexpected("bad or missing index");
    knowledge::Vector& vector = out[first + static_cast<size_t>(*index)];
    if (!vector.empty()) return Unexpected("index " + std::to_string(*index) + " appears twice");
    const json::value* embedding = object->if_contains("embedding");
    if (embedding == nullptr || !embedding->is_array() || embedding->as_array().empty()) {
      return Unexpected("embedding is not a list of numbers");
    }
    if (dimensions > 0 && embedding->as_array().size() != static_cast<size_t>(dimensions)) {
      return Unexpected("embedding has " + std::to_string(embedding->as_array().size()) + " dimensions, expected " +
                        std::to_string(dimensions));
    }
    dimensions = static_cast<int>(embedding->as_array().size());
    double squares = 0;
    vector.reserve(embedding->as_array().size());
    for (const json::value& number : embedding->as_array()) {
      boost::system::error_code ec;
      const double x = number.to_number<double>(ec);
      if (ec) return Unexpected("embedding is not a list of numbers");
      squares += x * x;
      vector.push_back(static_cast<float>(x));
    }
    // A zero vector has no direction to keep; it stays zero and matches nothing.
    if (squares > 0) {
      const double scale = 1.0 / std::sqrt(squares);
      for (float& x : vector) x = static_cast<float>(x * scale);
    }
  }
  return Ok();
}

}  // namespace

Result<json::object> ParseJsonReply(std::string_view text) {
  auto trim = [](std::string_view view) {
    const size_t first = view.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return std::string_view();
    return view.substr(first, view.find_last_not_of(" \t\r\n") - first + 1);
  };
  std::string_view body = trim(text);
  if (body.starts_with("```")) {
    // One fence around the whole reply: an optional "json" tag on the opening line, nothing after the closing one.
    const size_t line_end = body.find('\n');
    if (line_end == std::string_view::npos || !body.ends_with("```") || body.size() < line_end + 4) {
      return Error::InvalidArgument("the model's reply is not a JSON object");
    }
    const std::string_view tag = trim(body.substr(3, line_end - 3));
    if (!tag.empty() && tag != "json" && tag != "JSON") {
      return Error::InvalidArgument("the model's reply is not a JSON object");
    }
    body = trim(body.substr(line_end + 1, body.size() - 3 - (line_end + 1)));
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    Error error = Error::InvalidArgument("the model's reply is not a JSON object");
    error.detail = Excerpt(body, "");
    return error;
  }
  return std::move(parsed.as_object());
}

OpenAiChatModel::OpenAiChatModel(http::Client& client, OpenAiOptions options)
    : client_(client), options_(std::move(options)) {}

std::string OpenAiChatModel::id() const { return "openai:" + options_.model; }

boost::asio::awaitable<Result<ChatResponse>> OpenAiChatModel::Complete(ChatRequest request) {
  const bool offer_schema = request.response_schema.has_value() && !schema_refused_.load();
  Result<http::ClientResponse> response =
      co_await client_.Send(PostJson(options_, "chat/completions", ChatBody(options_.model, request, offer_schema)));
  if (offer_schema && RefusesResponseFormat(response)) {
    schema_refused_ = true;
    response = co_await client_.Send(
        PostJson(options_, "chat/completions", ChatBody(options_.model, request, /*offer_schema=*/false)));
  }
  Result<json::object> answer = Interpret(std::move(response), kChat, options_.api_key);
  if (!answer) co_return answer.error();
  co_return ParseChat(*answer);
}

OpenAiEmbedder::OpenAiEmbedder(http::Client& client, OpenAiOptions options, int batch_size)
    : client_(client), options_(std::move(options)), batch_size_(std::max(1, batch_size)) {}

std::string OpenAiEmbedder::id() const {
  return "openai:" + options_.model + "@" + std::string(TrimSlashes(options_.base_url));
}

int OpenAiEmbedder::dimensions() const { return dimensions_.load(); }

boost::asio::awaitable<Result<std::vector<knowledge::Vector>>> OpenAiEmbedder::Embed(std::vector<std::string> texts) {
  std::vector<knowledge::Vector> vectors(texts.size());
  for (size_t first = 0; first < texts.size(); first += static_cast<size_t>(batch_size_)) {
    const size_t count = std::min(texts.size() - first, static_cast<size_t>(batch_size_));
    json::array input;
    input.reserve(count);
    for (size_t i = first; i < first + count; ++i) input.emplace_back(texts[i]);
    const json::object body{{"model", options_.model}, {"input", std::move(input)}};
    http::ClientRequest http_request = PostJson(options_, "embeddings", body);
    Result<http::ClientResponse> response = co_await client_.Send(std::move(http_request));
    Result<json::object> answer = Interpret(std::move(response), kEmbeddings, options_.api_key);
    if (!answer) co_return answer.error();
    Result<void> parsed = ParseEmbeddings(*answer, first, count, dimensions_.load(), vectors);
    if (!parsed) co_return parsed.error();
    dimensions_ = static_cast<int>(vectors[first].size());
  }
  co_return vectors;
}

OpenAiTranscriber::OpenAiTranscriber(http::Client& client, OpenAiOptions options)
    : client_(client), options_(std::move(options)) {}

boost::asio::awaitable<Result<std::string>> OpenAiTranscriber::Transcribe(std::string_view audio,
                                                                          std::string_view mime_type) {
  http::FormBody form = TranscriptionForm(audio, mime_type, options_.model);
  http::ClientRequest request =
      Post(options_, "audio/transcriptions", std::move(form.content_type), std::move(form.body));
  Result<http::ClientResponse> response = co_await client_.Send(std::move(request));
  Result<json::object> answer = Interpret(std::move(response), kTranscription, options_.api_key);
  if (!answer) co_return answer.error();
  const json::value* text = answer->if_contains("text");
  if (text == nullptr || !text->is_string()) co_return Unexpected("no text");
  co_return std::string(text->as_string());
}

}  // namespace parley::agent
