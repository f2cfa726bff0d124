#pragma once
// The one outbound HTTP client: http and https (OpenSSL, verified), connection reuse per host, deadlines on
// connect, write and read, and retries with exponential backoff on 429, 5xx and network errors that honour
// Retry-After. Other 4xx answers are returned at once. Every call is a coroutine; no thread blocks.
// A request whose URL a tenant supplied goes through the address policy (http/address_policy.h); redirects are
// never followed, for any request (a 3xx is returned like any other status).

#include "core/error.h"
#include "http/address_policy.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace parley::http {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};
  int max_attempts = 3;
  std::vector<std::chrono::milliseconds> backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(1000),
                                                 std::chrono::milliseconds(2000)};
  std::chrono::milliseconds max_retry_after{30000};  //!< A longer Retry-After is capped to this.
  size_t max_idle_per_host = 16;
  uint64_t max_response_bytes = 8 << 20;
  OutboundAllowList tenant_allow;  //!< Non-public destinations tenant-supplied URLs may reach (default: none).
};

// Who wrote a request's URL, which decides whether the address policy applies to it.
enum class UrlSource {
  kOperator,  //!< The operator's configuration: trusted, may point anywhere (a model server on 127.0.0.1).
  kTenant,    //!< A tenant typed it: only public addresses, or what ClientOptions::tenant_allow opens.
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  //!< Absolute http:// or https:// URL.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int max_attempts = 0;  //!< Overrides ClientOptions::max_attempts when > 0 (1 for best-effort calls).
  // Overrides ClientOptions::read_timeout when > 0 (model calls take longer than platform calls).
  std::chrono::milliseconds read_timeout{0};
  UrlSource url_source = UrlSource::kOperator;
  //! What logs and error details name instead of the URL when its path carries a secret (Telegram's
  //! /bot<token>/method); empty: scheme, host and path, never the query.
  std::string log_url;
};

struct ClientResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  //!< Lower-case names.
  int attempts = 1;
};

class Client {
 public:
  Client(boost::asio::any_io_executor executor, ClientOptions options);
  ~Client();

  // Completes with the last response received: a 2xx, a non-retryable 4xx, or the 429/5xx of the final attempt
  // (the caller inspects `status`). Completes with kTimeout or kUnavailable when no attempt got a response; the
  // error's detail says what happened, never the request's headers (they carry tokens). Completes with
  // kInvalidArgument, without any attempt, for a URL that is not absolute http(s) or an unknown method.
  // Connections run on strands of the constructor's executor; backoff sleeps on the calling coroutine's executor.
  // A UrlSource::kTenant request completes with kInvalidArgument, without connecting or retrying, when its URL
  // carries user info or its host is, or resolves to, an address the policy refuses; the message says which
  // address and why, and is safe to show to the tenant. Every address a name resolves to is checked and the
  // connection goes only to those addresses, with no second look-up, so a DNS answer that changes in between
  // (rebinding) cannot aim it elsewhere. Tenant connections are pooled apart from the operator's.
  boost::asio::awaitable<Result<ClientResponse>> Send(ClientRequest request);

  // What Send checks of a kTenant URL before connecting, so a URL can be refused when it is submitted: Ok;
  // kInvalidArgument for a URL Send would refuse (message as above); kUnavailable or kTimeout when the name
  // cannot be resolved within connect_timeout (Send checks again when it connects). Connects to nothing.
  boost::asio::awaitable<Result<void>> CheckTenantUrl(std::string url);

  // Closes pooled connections.
  void Shutdown();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace parley::http
