#pragma once
// What the Meta platforms share beyond parsing: the webhook handshake and the authenticated POST to the Graph
// API with its outcome mapped to a SendResult.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "channels/channel.h"
#include "http/client.h"
#include "http/multipart.h"

namespace parley::channels::meta {

// Meta's GET handshake: `challenge` when `mode` is "subscribe" and `verify_token` equals `expected_token`
// (compared in constant time); nullopt otherwise, and always when `expected_token` is empty.
std::optional<std::string> VerifyHandshake(std::string_view expected_token, std::string_view mode,
                                           std::string_view verify_token, std::string_view challenge);

// "{base_url}/{node}" and "{base_url}/{node}/{edge}", tolerating a trailing slash on the configured base URL.
std::string NodeUrl(std::string_view base_url, std::string_view node, std::string_view edge = {});
// "{base_url}/{node}/messages".
std::string MessagesUrl(std::string_view base_url, std::string_view node);

// Decodes a Graph answer (HTTP status and body) into a SendResult; each platform supplies its own.
using ResponseParser = SendResult (*)(int http_status, std::string_view body);

// Whether a Graph API failure may pass if the message is sent again later: a 5xx, a 429, or an error whose body
// carries Meta's "is_transient": true (a temporary outage answered with a 4xx).
bool IsTransientFailure(int http_status, std::string_view body);

// POSTs `body` as JSON to `url` with "Authorization: Bearer <access_token>" through the shared client (which
// retries 429/5xx/network errors). A transport failure (no response after the retries) becomes
// MessageError{0, "network error", <client's detail>}, transient; any response is decoded by `parse`, a failure
// marked transient by IsTransientFailure. Never throws for network or platform errors. `client` must outlive the
// returned coroutine. `max_attempts` > 0 overrides the client's retry count: indicators (read receipts, typing) are
// best effort and use 1, so a failing one never delays the reply by the retry backoff.
boost::asio::awaitable<SendResult> PostJson(http::Client& client, std::string url, std::string_view access_token,
                                            boost::json::object body, ResponseParser parse, int max_attempts = 0);

// POSTs `form` (a multipart upload, http::BuildMultipart) to `url`, its outcome mapped as PostJson's.
boost::asio::awaitable<SendResult> PostForm(http::Client& client, std::string url, std::string_view access_token,
                                            http::FormBody form, ResponseParser parse);

// The Messenger Platform's message carrying a file by link (Instagram, Messenger):
// {"attachment": {"type": image|audio|video|file, "payload": {"url", "is_reusable": true}}}.
boost::json::object AttachmentMessage(const OutboundMedia& media);

// A file sent, then its caption as a text message (Meta's attachments on Instagram and Messenger, and WhatsApp's
// audio, take no caption): the file's result when the caption went too, else the caption's error, not transient
// (sending again would repeat the file), saying the file was sent.
SendResult WithCaption(SendResult file, const SendResult& caption);

// DELETE `url` with the bearer token, its outcome mapped as PostJson's.
boost::asio::awaitable<SendResult> DeleteNode(http::Client& client, std::string url, std::string_view access_token,
                                              ResponseParser parse);

// Decodes the answer to a node update or deletion ({"success": true}): an error when it says false or is not a 2xx.
SendResult ParseSuccessResponse(int http_status, std::string_view body);

}  // namespace parley::channels::meta
