#include "channels/meta/graph.h"

#include <utility>

#include "channels/meta/parse_json.h"
#include "core/crypto.h"
#include "core/json.h"

namespace parley::channels::meta {

std::optional<std::string> VerifyHandshake(std::string_view expected_token, std::string_view mode,
                                           std::string_view verify_token, std::string_view challenge) {
  if (expected_token.empty() || mode != "subscribe") return std::nullopt;
  if (!crypto::ConstantTimeEquals(verify_token, expected_token)) return std::nullopt;
  return std::string(challenge);
}

std::string NodeUrl(std::string_view base_url, std::string_view node, std::string_view edge) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  std::string url(base_url);
  url += '/';
  url += node;
  if (!edge.empty()) {
    url += '/';
    url += edge;
  }
  return url;
}

std::string MessagesUrl(std::string_view base_url, std::string_view node) {
  return NodeUrl(base_url, node, "messages");
}

namespace {

boost::asio::awaitable<SendResult> Call(http::Client& client, http::ClientRequest request,
                                        std::string_view access_token, ResponseParser parse) {
  request.headers.emplace_back("Authorization", "Bearer " + std::string(access_token));
  Result<http::ClientResponse> response = co_await client.Send(std::move(request));
  if (!response) {
    const Error& e = response.error();
    std::string detail = e.message;
    if (!e.detail.empty()) detail += ": " + e.detail;
    co_return SendResult{{}, MessageError{0, "network error", std::move(detail)}, true};
  }
  SendResult result = parse(response->status, response->body);
  if (!result.ok()) result.transient = IsTransientFailure(response->status, response->body);
  co_return result;
}

}  // namespace

boost::asio::awaitable<SendResult> PostJson(http::Client& client, std::string url, std::string_view access_token,
                                            boost::json::object body, ResponseParser parse, int max_attempts) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = SerializeJson(body);
  request.max_attempts = max_attempts;
  co_return co_await Call(client, std::move(request), access_token, parse);
}

boost::asio::awaitable<SendResult> PostForm(http::Client& client, std::string url, std::string_view access_token,
                                            http::FormBody form, ResponseParser parse) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers = {{"Content-Type", std::move(form.content_type)}};
  request.body = std::move(form.body);
  co_return co_await Call(client, std::move(request), access_token, parse);
}

boost::json::object AttachmentMessage(const OutboundMedia& media) {
  std::string_view type = "file";
  if (media.type == MessageType::kImage) type = "image";
  if (media.type == MessageType::kAudio) type = "audio";
  if (media.type == MessageType::kVideo) type = "video";
  return {{"attachment", {{"type", type}, {"payload", {{"url", media.url}, {"is_reusable", true}}}}}};
}

SendResult WithCaption(SendResult file, const SendResult& caption) {
  if (caption.ok()) return file;
  file.error = MessageError{caption.error->code, "the file was sent but not its caption: " + caption.error->title,
                            caption.error->detail};
  file.platform_message_id.clear();  // A SendResult holds an id or an error; the error says the file went.
  file.transient = false;
  file.retry_after_ms = 0;
  return file;
}

boost::asio::awaitable<SendResult> DeleteNode(http::Client& client, std::string url, std::string_view access_token,
                                              ResponseParser parse) {
  http::ClientRequest request;
  request.method = "DELETE";
  request.url = std::move(url);
  co_return co_await Call(client, std::move(request), access_token, parse);
}

SendResult ParseSuccessResponse(int http_status, std::string_view body) {
  if (http_status < 200 || http_status >= 300) return SendResult{{}, ParseGraphError(http_status, body)};
  Result<boost::json::value> doc = ParseJson(body);
  const boost::json::object* root = doc ? doc->if_object() : nullptr;
  const boost::json::value* success = root != nullptr ? root->if_contains("success") : nullptr;
  if (success != nullptr && success->is_bool() && !success->get_bool()) {
    return SendResult{{}, MessageError{0, "the Graph API answered success: false", {}}};
  }
  return {};
}

bool IsTransientFailure(int http_status, std::string_view body) {
  if (http_status >= 500 || http_status == 429) return true;
  Result<boost::json::value> doc = ParseJson(body);
  const boost::json::object* root = doc ? doc->if_object() : nullptr;
  const boost::json::value* error = root != nullptr ? root->if_contains("error") : nullptr;
  const boost::json::object* graph = error != nullptr ? error->if_object() : nullptr;
  const boost::json::value* transient = graph != nullptr ? graph->if_contains("is_transient") : nullptr;
  return transient != nullptr && transient->is_bool() && transient->get_bool();
}

}  // namespace parley::channels::meta
