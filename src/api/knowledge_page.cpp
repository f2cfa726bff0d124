#include "api/knowledge_page.h"

#include "core/log.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace parley::api {
namespace {

// What the ingestion reads (knowledge/extract.h); a page of another type is refused before it is stored.
constexpr std::array<std::string_view, 6> kPageTypes{"text/html",     "application/xhtml+xml", "text/plain",
                                                     "text/markdown", "text/x-markdown",       "application/pdf"};

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// `location` (a Location header) resolved against `base`; kInvalidArgument when it is not a usable http(s) URL.
Result<std::string> ResolveRedirect(const std::string& base, const std::string& location) {
  auto base_url = boost::urls::parse_uri(base);
  auto reference = boost::urls::parse_uri_reference(location);
  if (!base_url || !reference) return Error::InvalidArgument("the page redirects to an invalid URL");
  boost::urls::url resolved;
  if (auto ok = boost::urls::resolve(*base_url, *reference, resolved); !ok) {
    return Error::InvalidArgument("the page redirects to an invalid URL");
  }
  resolved.remove_fragment();
  std::string target(resolved.buffer());
  if (!target.starts_with("http://") && !target.starts_with("https://")) {
    return Error::InvalidArgument("the page redirects outside http(s)");
  }
  return target;
}

}  // namespace

boost::asio::awaitable<Result<WebPage>> FetchWebPage(http::Client& client, std::string url) {
  for (int hop = 0; hop <= kMaxPageRedirects; ++hop) {
    http::ClientRequest request;
    request.url = url;
    request.url_source = http::UrlSource::kTenant;
    request.max_attempts = 1;  // The person waits: one attempt, and the reason if it fails.
    request.headers = {{"Accept", "text/html, text/markdown, text/plain, application/pdf;q=0.9"},
                       {"User-Agent", "Parley-Knowledge/1"}};
    Result<http::ClientResponse> response = co_await client.Send(std::move(request));
    if (!response) {
      if (response.error().code == ErrorCode::kInvalidArgument) co_return response.error();  // The policy's reason.
      log::Info("knowledge_url_fetch_failed", {{"detail", response.error().detail}});
      co_return Error::InvalidArgument("the page could not be fetched");
    }
    const int status = response->status;
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      auto location = response->headers.find("location");
      if (location == response->headers.end()) {
        co_return Error::InvalidArgument("the page answered " + std::to_string(status) + " without a Location");
      }
      auto next = ResolveRedirect(url, location->second);
      if (!next) co_return next.error();
      url = std::move(*next);
      continue;
    }
    if (status < 200 || status >= 300) {
      co_return Error::InvalidArgument("the page answered " + std::to_string(status));
    }
    std::string type;
    if (auto header = response->headers.find("content-type"); header != response->headers.end()) {
      type = header->second.substr(0, header->second.find(';'));
      type.erase(type.find_last_not_of(" \t") + 1);
      type = Lower(std::move(type));
    }
    if (std::find(kPageTypes.begin(), kPageTypes.end(), type) == kPageTypes.end()) {
      co_return Error::InvalidArgument("the page is " + (type.empty() ? std::string("of no stated type") : type) +
                                       "; HTML, plain text, Markdown or PDF can be added");
    }
    if (response->body.empty()) co_return Error::InvalidArgument("the page is empty");
    co_return WebPage{std::move(response->body), std::move(type), std::move(url)};
  }
  co_return Error::InvalidArgument("the page redirects more than " + std::to_string(kMaxPageRedirects) + " times");
}

}  // namespace parley::api
