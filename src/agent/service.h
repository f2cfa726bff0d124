#pragma once
// Everything the AI side needs, built once per process and shared by the server (webhook replies, API routes)
// and the CLI (`parley kb add`, `parley ask`): the vector catalog, the retriever, the ingestor, the model
// providers and the agent, with each tenant's settings read from the store.

#include "agent/agent.h"
#include "agent/settings.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/crypto.h"
#include "http/client.h"
#include "knowledge/indexes.h"
#include "knowledge/ingestor.h"
#include "knowledge/retriever.h"
#include "knowledge/term_translator.h"
#include "store/store.h"

#include <map>
#include <memory>
#include <mutex>

namespace parley::agent {

// Providers from settings: the built-in embedder unless an embeddings URL is set; a chat model only when an LLM
// URL is set. Instances are cached per distinct settings. A URL other than the operator's default for it
// (PARLEY_LLM_BASE_URL, PARLEY_EMBEDDINGS_BASE_URL) is the tenant's, and the client's address policy applies to it.
class DefaultProviders final : public Providers {
 public:
  DefaultProviders(http::Client* client, const Config& config, BlockingPool& pool)
      : client_(client), config_(config), pool_(pool) {}
  std::shared_ptr<knowledge::Embedder> EmbedderFor(const AiSettings& settings) override;
  std::shared_ptr<ChatModel> ChatModelFor(const AiSettings& settings) override;

 private:
  http::Client* client_;
  const Config& config_;
  BlockingPool& pool_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<knowledge::Embedder>> embedders_;  // GUARDED_BY(mutex_)
  std::map<std::string, std::shared_ptr<ChatModel>> models_;               // GUARDED_BY(mutex_)
};

class AgentService {
 public:
  // `client` carries model and web-page calls; null keeps everything offline. References must outlive this.
  AgentService(boost::asio::any_io_executor executor, const Config& config, store::Store& store,
               const crypto::SecretBox& box, BlockingPool& pool, http::Client* client);

  // The tenant's settings over the server defaults. Blocking.
  Result<AiSettings> LoadSettings(int64_t tenant_id);
  // Applies `changes` to the tenant's stored settings; re-embeds its knowledge when the embedder changes.
  // Blocking.
  Result<AiSettings> UpdateSettings(int64_t tenant_id, const boost::json::object& changes);

  // Whether the client would reach `url`, a URL the tenant supplied, checked when it is submitted:
  // kInvalidArgument with a reason fit for the tenant (user info, an address the policy refuses); Ok otherwise,
  // also when the name cannot be resolved now or nothing is fetched here (no client): every fetch checks again.
  boost::asio::awaitable<Result<void>> CheckTenantUrl(std::string url);

  // Refuses, before they are stored, model endpoints in `changes` ("llm_base_url", "embeddings_base_url") that
  // the client would refuse to reach: kInvalidArgument naming the field and the reason. The operator's own
  // endpoints pass, and so does a name that cannot be resolved now (every call checks again).
  boost::asio::awaitable<Result<void>> CheckProviderUrls(const boost::json::object& changes);

  // Loads the tenant's settings and runs the agent (the playground and `parley ask`).
  boost::asio::awaitable<Result<AgentAnswer>> Ask(const AgentRequest& request);
  // Runs the agent under `settings`, loaded once for the burst by the caller.
  boost::asio::awaitable<Result<AgentAnswer>> Ask(const AgentRequest& request, const AiSettings& settings);

  knowledge::Ingestor& ingestor() { return *ingestor_; }
  knowledge::KnowledgeIndexes& indexes() { return indexes_; }

 private:
  const Config& config_;
  store::Store& store_;
  const crypto::SecretBox& box_;
  BlockingPool& pool_;
  http::Client* client_;
  DefaultProviders providers_;
  knowledge::KnowledgeIndexes indexes_;
  knowledge::Retriever retriever_;
  std::unique_ptr<knowledge::TermTranslator> translator_;
  Agent agent_;
  std::unique_ptr<knowledge::Ingestor> ingestor_;
};

}  // namespace parley::agent
