#pragma once
// A web page for the knowledge base, fetched when a person adds it (POST /api/knowledge-documents {"url"}, see
// api/knowledge_api.h): through the one HTTP client and the address policy of tenant URLs, so that the person learns
// at once why a page cannot be added, before anything is stored.
//
// The fetch is bounded: each hop within the client's timeouts and response size (PARLEY_READ_TIMEOUT_MS, 8 MiB), at
// most kMaxPageRedirects redirects, each one's target checked by the policy like the first URL; the answer must be a
// 2xx of HTML, plain text, Markdown or PDF. A refusal is kInvalidArgument with the reason (the policy's reason for an
// address; "could not be fetched" for a network failure, without saying which, so that answers cannot map what
// listens inside the network).

#include "core/error.h"
#include "http/client.h"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace parley::api {

inline constexpr int kMaxPageRedirects = 5;

// The page at a URL: its body, content type (without parameters) and the final URL after redirects.
struct WebPage {
  std::string body;
  std::string content_type;
  std::string url;
};

boost::asio::awaitable<Result<WebPage>> FetchWebPage(http::Client& client, std::string url);

}  // namespace parley::api
