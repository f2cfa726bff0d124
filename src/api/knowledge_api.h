#pragma once
// The AI side of the tenant API, authenticated like the rest (api/auth.h) and scoped to the
// key's tenant:
// Roles: reading is open to every role; changing documents, Q&A and settings needs owner or admin.
//   knowledge bases      GET  /api/knowledge-bases
//   documents            POST /api/knowledge-documents (multipart "file" [+ "knowledge_base"], or JSON {"url"
//                        [, "knowledge_base"]}: a web page fetched at once, see api/knowledge_page.h)
//                        GET  /api/knowledge-documents[/{id}]   DELETE /api/knowledge-documents/{id}
//                        A file (or URL as given) named like a document of the same knowledge base replaces it, as
//                        Dify's "update by file" does: the document keeps its id, `version` goes up, the answer says
//                        "replaced": true, and its previous content answers until the new one is ready.
//   Q&A pairs            GET/POST /api/faq-qa   GET/PUT/DELETE /api/faq-qa/{id}
//   AI settings          GET/PUT /api/ai-settings
//   playground           POST /api/playground/ask {"question", "history": [{"role","text"}], "platform"}

#include "agent/service.h"
#include "api/api.h"
#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "http/client.h"
#include "http/http.h"
#include "store/store.h"

namespace parley::api {

class KnowledgeApi {
 public:
  // Every reference must outlive this.
  KnowledgeApi(const Config& config, store::Store& store, BlockingPool& pool, http::Client& client,
               agent::AgentService& agent)
      : config_(config), store_(store), pool_(pool), client_(client), agent_(agent) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  using Handler = boost::asio::awaitable<http::Response> (KnowledgeApi::*)(const Principal& caller,
                                                                           const http::Request& request,
                                                                           const http::RouteContext& route);

  boost::asio::awaitable<http::Response> ListKnowledgeBases(const Principal& caller, const http::Request&,
                                                            const http::RouteContext&);
  boost::asio::awaitable<http::Response> CreateDocument(const Principal& caller, const http::Request&,
                                                        const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListDocuments(const Principal& caller, const http::Request&,
                                                       const http::RouteContext&);
  boost::asio::awaitable<http::Response> GetDocument(const Principal& caller, const http::Request&,
                                                     const http::RouteContext&);
  boost::asio::awaitable<http::Response> DeleteDocument(const Principal& caller, const http::Request&,
                                                        const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListFaqs(const Principal& caller, const http::Request&,
                                                  const http::RouteContext&);
  boost::asio::awaitable<http::Response> CreateFaq(const Principal& caller, const http::Request&,
                                                   const http::RouteContext&);
  boost::asio::awaitable<http::Response> GetFaq(const Principal& caller, const http::Request&,
                                                const http::RouteContext&);
  boost::asio::awaitable<http::Response> UpdateFaq(const Principal& caller, const http::Request&,
                                                   const http::RouteContext&);
  boost::asio::awaitable<http::Response> DeleteFaq(const Principal& caller, const http::Request&,
                                                   const http::RouteContext&);
  boost::asio::awaitable<http::Response> GetSettings(const Principal& caller, const http::Request&,
                                                     const http::RouteContext&);
  boost::asio::awaitable<http::Response> PutSettings(const Principal& caller, const http::Request&,
                                                     const http::RouteContext&);
  boost::asio::awaitable<http::Response> Ask(const Principal& caller, const http::Request&, const http::RouteContext&);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  http::Client& client_;  // Fetches the web pages added by URL.
  agent::AgentService& agent_;
};

boost::json::object DocumentJson(const store::Document& document);
boost::json::object FaqJson(const store::FaqEntry& entry);
// What POST /api/faq-qa does with its body ({"questions": [...] or "question", "answer"}): checks it, adds the pair
// and audits it as faq.create; 201 with the pair, or the error. The inbox's "save as Q&A" goes through it too.
boost::asio::awaitable<http::Response> AddFaq(store::Store& store, BlockingPool& pool, const Principal& caller,
                                              const boost::json::object& body);

}  // namespace parley::api
