#include "api/knowledge_url_api.h"

#include "api/auth.h"
#include "api/knowledge_api.h"
#include "billing/billing.h"
#include "billing/meter.h"
#include "core/log.h"
#include "store/knowledge_store.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace parley::api {
namespace {

constexpr const char* kDefaultKnowledgeBase = "default";
constexpr size_t kMaxUrlBytes = 2048;
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

void KnowledgeUrlApi::RegisterRoutes(RouteTable& routes) {
  routes.Tenant(http::Verb::post, "/api/knowledge-urls", kAdmins,
                {.summary = "Add a web page to the knowledge base: fetched now (redirects followed, at most 5), "
                            "then ingested like an upload; the same URL again replaces its document",
                 .tag = "knowledge",
                 .body = BodyKind::kJson,
                 .success_status = 202,
                 .schema = "DocumentUrlRequest",
                 .response_schema = "DocumentAccepted",
                 .errors = {403}},
                [this](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
                  return Add(caller, request, route);
                });
}

boost::asio::awaitable<Result<KnowledgeUrlApi::Page>> KnowledgeUrlApi::Fetch(std::string url) {
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    http::ClientRequest request;
    request.url = url;
    request.url_source = http::UrlSource::kTenant;
    request.max_attempts = 1;  // The person waits: one attempt, and the reason if it fails.
    request.headers = {{"Accept", "text/html, text/markdown, text/plain, application/pdf;q=0.9"},
                       {"User-Agent", "Parley-Knowledge/1"}};
    Result<http::ClientResponse> response = co_await client_.Send(std::move(request));
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
    co_return Page{std::move(response->body), std::move(type), std::move(url)};
  }
  co_return Error::InvalidArgument("the page redirects more than " + std::to_string(kMaxRedirects) + " times");
}

boost::asio::awaitable<http::Response> KnowledgeUrlApi::Add(const Principal& caller, const http::Request& request,
                                                            const http::RouteContext&) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  for (const auto& [key, value] : *body) {
    if (key != "url" && key != "knowledge_base") {
      co_return http::ErrorResponse(Error::InvalidArgument("unknown field " + std::string(key)));
    }
  }
  const auto* url = body->if_contains("url");
  if (url == nullptr || !url->is_string()) co_return http::ErrorResponse(Error::InvalidArgument("url is required"));
  std::string given(url->as_string());
  if (!given.starts_with("http://") && !given.starts_with("https://")) {
    co_return http::ErrorResponse(Error::InvalidArgument("url must be an http:// or https:// URL"));
  }
  if (given.size() > kMaxUrlBytes) co_return http::ErrorResponse(Error::InvalidArgument("url is too long"));
  std::string knowledge_base = kDefaultKnowledgeBase;
  if (const auto* name = body->if_contains("knowledge_base")) {
    if (!name->is_string()) co_return http::ErrorResponse(Error::InvalidArgument("knowledge_base must be a string"));
    knowledge_base = std::string(name->as_string());
  }
  if (knowledge_base.empty() || knowledge_base.size() > 200) {
    co_return http::ErrorResponse(Error::InvalidArgument("knowledge_base must be a name of 1 to 200 bytes"));
  }

  Result<Page> page = co_await Fetch(given);
  if (!page) co_return http::ErrorResponse(Error::InvalidArgument("url: " + page.error().message));

  store::NewDocument document;
  document.tenant_id = caller.tenant_id;
  document.name = given;  // The name a second fetch of the same URL replaces.
  document.source_url = page->url;
  document.content_type = page->content_type;
  document.content = std::move(page->body);
  auto create = [this, &document, &knowledge_base]() -> Result<store::Document> {
    auto base = store_.knowledge().EnsureKnowledgeBase(document.tenant_id, knowledge_base);
    if (!base) return base.error();
    document.knowledge_base_id = base->id;
    // Against the plan's room, as an upload: a new version takes the place of the document it replaces.
    auto plan = billing::PlanOf(store_.billing(), document.tenant_id, config_.default_plan);
    if (!plan) return plan.error();
    auto totals = store_.knowledge().Totals(document.tenant_id);
    if (!totals) return totals.error();
    auto replaced = store_.knowledge().FindDocument(document.tenant_id, base->id, document.name);
    if (!replaced) return replaced.error();
    if (*replaced) {
      totals->documents -= 1;
      totals->bytes -= (*replaced)->size_bytes;
    }
    auto room = billing::CheckKnowledgeRoom(*plan, *totals, static_cast<int64_t>(document.content.size()));
    if (!room) return room.error();
    return store_.knowledge().CreateDocument(document);
  };
  auto created = co_await pool_.Run(create);
  if (!created) co_return http::ErrorResponse(created.error());
  agent_.ingestor().Wake();
  const bool replaced = created->version > 1;
  auto audit =
      AuditOf(caller, replaced ? "document.replace" : "document.create", "document", std::to_string(created->id),
              {{"name", created->name},
               {"knowledge_base_id", created->knowledge_base_id},
               {"version", created->version},
               {"source_url", created->source_url}});
  co_await RecordAudit(store_, pool_, audit);
  boost::json::object answer = DocumentJson(*created);
  answer["replaced"] = replaced;
  co_return http::JsonResponse(http::Status::accepted, std::move(answer));
}

}  // namespace parley::api
