#pragma once
// The AI side of the tenant API, authenticated like the rest (Authorization: Bearer <api key>) and scoped to the
// key's tenant:
//   knowledge bases      GET  /api/knowledge-bases
//   documents            POST /api/knowledge-documents (multipart "file" [+ "knowledge_base"], or JSON {"url"})
//                        GET  /api/knowledge-documents[/{id}]   DELETE /api/knowledge-documents/{id}
//   Q&A pairs            GET/POST /api/faq-qa   GET/PUT/DELETE /api/faq-qa/{id}
//   AI settings          GET/PUT /api/ai-settings
//   playground           POST /api/playground/ask {"question", "history": [{"role","text"}], "platform"}
//   hand-off             PUT /api/conversations/{id}/mode {"mode": "bot"|"human"}
//                        GET /api/conversations/{id}/traces

#include "agent/service.h"
#include "api/api.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "http/http.h"
#include "store/store.h"

namespace parley::api {

class KnowledgeApi {
 public:
  // Every reference must outlive this.
  KnowledgeApi(const Config& config, store::Store& store, BlockingPool& pool, Api& api, agent::AgentService& agent)
      : config_(config), store_(store), pool_(pool), api_(api), agent_(agent) {}

  void RegisterRoutes(http::Router& router);

 private:
  using Handler = boost::asio::awaitable<http::Response> (KnowledgeApi::*)(int64_t tenant_id,
                                                                           const http::Request& request,
                                                                           const http::RouteContext& route);
  // Authenticates, then runs `handler` for the tenant.
  boost::asio::awaitable<http::Response> Authenticated(Handler handler, const http::Request& request,
                                                       const http::RouteContext& route);

  boost::asio::awaitable<http::Response> ListKnowledgeBases(int64_t tenant, const http::Request&,
                                                            const http::RouteContext&);
  boost::asio::awaitable<http::Response> CreateDocument(int64_t tenant, const http::Request&,
                                                        const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListDocuments(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> GetDocument(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> DeleteDocument(int64_t tenant, const http::Request&,
                                                        const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListFaqs(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> CreateFaq(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> GetFaq(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> UpdateFaq(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> DeleteFaq(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> GetSettings(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> PutSettings(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Ask(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> SetMode(int64_t tenant, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListTraces(int64_t tenant, const http::Request&, const http::RouteContext&);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  Api& api_;
  agent::AgentService& agent_;
};

boost::json::object DocumentJson(const store::Document& document);
boost::json::object FaqJson(const store::FaqEntry& entry);

}  // namespace parley::api
