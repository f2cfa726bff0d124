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

std::string MessagesUrl(std::string_view base_url, std::string_view node) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  std::string url(base_url);
  url += '/';
  url += node;
  url += "/messages";
  return url;
}

boost::asio::awaitable<SendResult> PostJson(http::Client& client, std::string url, std::string_view access_token,
                                            boost::json::object body, ResponseParser parse, int max_attempts) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers = {{"Authorization", "Bearer " + std::string(access_token)}, {"Content-Type", "application/json"}};
  request.body = SerializeJson(body);
  request.max_attempts = max_attempts;
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
