#pragma once
// Knowledge from a web page: POST /api/knowledge-urls {"url", "knowledge_base"?} (owners, admins) fetches the page
// now, through the one HTTP client and the address policy of tenant URLs, and adds it to the knowledge base as an
// upload would be added: 202 with the document, ingested in the background. The page is the document's content and
// its URL (as given) its name, so adding the same URL again replaces the document (its version goes up) once the new
// one is indexed, like a file of the same name.
//
// The fetch is bounded: each hop within the client's timeouts and response size (PARLEY_READ_TIMEOUT_MS, 8 MiB), at
// most kMaxRedirects redirects, each one's target checked by the policy like the first URL; the answer must be a 2xx
// of HTML, plain text, Markdown or PDF. A refusal answers 400 with the reason (the policy's reason for an address;
// "could not be fetched" for a network failure, without saying which, so that answers cannot map what listens
// inside the network), before anything is stored.

#include "agent/service.h"
#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "http/client.h"
#include "store/store.h"

#include <string>

namespace parley::api {

class KnowledgeUrlApi {
 public:
  static constexpr int kMaxRedirects = 5;

  // Every reference must outlive this.
  KnowledgeUrlApi(const Config& config, store::Store& store, BlockingPool& pool, http::Client& client,
                  agent::AgentService& agent)
      : config_(config), store_(store), pool_(pool), client_(client), agent_(agent) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  // The page at `url`: its body, content type (without parameters) and the final URL after redirects.
  struct Page {
    std::string body;
    std::string content_type;
    std::string url;
  };
  boost::asio::awaitable<Result<Page>> Fetch(std::string url);
  boost::asio::awaitable<http::Response> Add(const Principal& caller, const http::Request& request,
                                             const http::RouteContext& route);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  http::Client& client_;
  agent::AgentService& agent_;
};

}  // namespace parley::api
