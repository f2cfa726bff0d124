#pragma once
// Language models behind one interface, and the OpenAI-compatible providers: any server speaking
// POST {base}/chat/completions, POST {base}/embeddings and POST {base}/audio/transcriptions (OpenAI, Azure-style
// gateways, vLLM, Ollama, LiteLLM, Groq, local Whisper servers…).
// Calls are coroutines over the one HTTP client: thousands of conversations can wait on a model at once without
// a thread each. Retries (429, 5xx, network) are the client's; what is left is returned as an error.

#include "core/error.h"
#include "http/client.h"
#include "knowledge/embedder.h"
#include "media/transcriber.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

// A picture given to a model that reads images (a vision model): sent inline, as a data: URL.
struct ChatImage {
  std::string mime_type;  //!< "image/jpeg", …
  std::string bytes;
};

struct ChatMessage {
  std::string role;  //!< "system", "user" or "assistant".
  std::string content;
  std::vector<ChatImage> images;  //!< After `content`; only for a model marked as reading images.
};

// Structured output: the reply must be one JSON object matching `schema` (a JSON Schema object).
struct ResponseSchema {
  std::string name;  //!< e.g. "triage"; letters, digits, '_' and '-'.
  boost::json::object schema;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  double temperature = 0.2;
  int max_tokens = 400;
  std::optional<ResponseSchema> response_schema;  //!< Set: ask for JSON matching it.
};

struct ChatResponse {
  std::string text;
  std::string finish_reason;  //!< "stop", "length", …
  int prompt_tokens = 0;
  int completion_tokens = 0;
  std::string model;  //!< As the server reports it.
};

// The one strict reading of a JSON reply in plain text: the whole text (outer whitespace aside, optionally inside
// one ```json … ``` fence) must be a single JSON object. Prose around it, two objects or an array are refused:
// guessing which part of a chatty reply was meant is how a wrong answer gets through.
Result<boost::json::object> ParseJsonReply(std::string_view text);

class ChatModel {
 public:
  virtual ~ChatModel() = default;
  virtual std::string id() const = 0;  //!< For traces: "openai:gpt-4o-mini".
  // kUnavailable when the server cannot be reached or keeps failing, kTimeout past the deadline,
  // kInvalidArgument for a 4xx other than 429 (bad key, unknown model: the detail carries the server's message).
  virtual boost::asio::awaitable<Result<ChatResponse>> Complete(ChatRequest request) = 0;
};

struct OpenAiOptions {
  std::string base_url;  //!< e.g. https://api.openai.com/v1 (no trailing slash needed).
  std::string api_key;   //!< Sent as "Authorization: Bearer …" when not empty; never logged.
  std::string model;
  std::chrono::milliseconds timeout{30000};                 //!< Per attempt.
  http::UrlSource url_source = http::UrlSource::kOperator;  //!< kTenant: the client's address policy applies.
};

// POST {base_url}/chat/completions with {"model","messages","temperature","max_tokens"}; a message with images has
// OpenAI's content parts, [{"type":"text","text"}, {"type":"image_url","image_url":{"url":"data:…;base64,…"}}]
// (Ollama's and vLLM's OpenAI-compatible endpoints read the same), every other message plain text; reads
// choices[0].message.content, choices[0].finish_reason and usage.{prompt_tokens,completion_tokens}.
// With a response_schema it adds OpenAI's response_format {"type":"json_schema","json_schema":{name,strict,schema}}
// (Ollama and vLLM read the same field; docs/model-providers.md lists the providers checked). A server that refuses the
// field (a 400 naming response_format or json_schema) is asked once more without it, the schema spelled out in the
// system message, and is not offered the field again; read the text with ParseJsonReply either way.
class OpenAiChatModel final : public ChatModel {
 public:
  OpenAiChatModel(http::Client& client, OpenAiOptions options);
  std::string id() const override;
  boost::asio::awaitable<Result<ChatResponse>> Complete(ChatRequest request) override;

 private:
  http::Client& client_;
  OpenAiOptions options_;
  std::atomic<bool> schema_refused_{false};  //!< The server refused response_format once: never offered again.
};

// POST {base_url}/embeddings with {"model","input":[…]} in batches of at most `batch_size` inputs; reads
// data[].embedding ordered by data[].index, and L2-normalizes each vector. dimensions() is 0 until the first
// answer tells it.
class OpenAiEmbedder final : public knowledge::Embedder {
 public:
  OpenAiEmbedder(http::Client& client, OpenAiOptions options, int batch_size = 64);
  std::string id() const override;  //!< "openai:<model>@<base_url>".
  int dimensions() const override;
  boost::asio::awaitable<Result<std::vector<knowledge::Vector>>> Embed(std::vector<std::string> texts) override;

 private:
  http::Client& client_;
  OpenAiOptions options_;
  int batch_size_;
  std::atomic<int> dimensions_{0};
};

// POST {base_url}/audio/transcriptions as multipart/form-data with the parts `file` (the recording, named
// "audio.<extension of its type>" with its Content-Type), `model` and `response_format` "json"; reads `text` of the
// JSON answer (OpenAI's API reference, "Create transcription"). Errors as media::Transcriber says: a 4xx other than
// 429 is kInvalidArgument with the server's message in the detail (the key redacted); 429 and 5xx after the client's
// retries, and no answer, kUnavailable or kTimeout.
class OpenAiTranscriber final : public media::Transcriber {
 public:
  OpenAiTranscriber(http::Client& client, OpenAiOptions options);
  boost::asio::awaitable<Result<std::string>> Transcribe(std::string_view audio, std::string_view mime_type) override;

 private:
  http::Client& client_;
  OpenAiOptions options_;
};

}  // namespace parley::agent
