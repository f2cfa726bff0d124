#include "agent/service.h"

#include "knowledge/document_text.h"
#include "store/knowledge_store.h"
#include "store/tenant_store.h"

#include <algorithm>
#include <array>
#include <chrono>

namespace parley::agent {
namespace {

// The operator's endpoint is trusted wherever it points (a model server on 127.0.0.1); any other is the tenant's.
http::UrlSource SourceOf(const std::string& url, const std::string& operator_url) {
  return url == operator_url ? http::UrlSource::kOperator : http::UrlSource::kTenant;
}

}  // namespace

std::shared_ptr<knowledge::Embedder> DefaultProviders::EmbedderFor(const AiSettings& settings) {
  const ProviderSettings& remote = settings.embeddings;
  bool builtin = remote.base_url.empty() || client_ == nullptr;
  std::string key = builtin ? "builtin:" + settings.language
                            : remote.base_url + "\n" + remote.model + "\n" + crypto::Sha256Hex(remote.api_key);
  std::lock_guard lock(mutex_);
  auto& embedder = embedders_[key];
  if (!embedder) {
    if (builtin) {
      knowledge::BuiltinEmbedderOptions options;
      options.language = settings.language;
      embedder = std::make_shared<knowledge::BuiltinEmbedder>(options);
    } else {
      embedder = std::make_shared<OpenAiEmbedder>(
          *client_, OpenAiOptions{remote.base_url, remote.api_key, remote.model,
                                  std::chrono::milliseconds(config_.llm_timeout_ms),
                                  SourceOf(remote.base_url, config_.embeddings_base_url)});
    }
  }
  return embedder;
}

std::shared_ptr<ChatModel> DefaultProviders::ChatModelFor(const AiSettings& settings) {
  const ProviderSettings& llm = settings.llm;
  if (llm.base_url.empty() || client_ == nullptr) return nullptr;
  std::string key = llm.base_url + "\n" + llm.model + "\n" + crypto::Sha256Hex(llm.api_key);
  std::lock_guard lock(mutex_);
  auto& model = models_[key];
  if (!model) {
    model = std::make_shared<OpenAiChatModel>(
        *client_, OpenAiOptions{llm.base_url, llm.api_key, llm.model, std::chrono::milliseconds(config_.llm_timeout_ms),
                                SourceOf(llm.base_url, config_.llm_base_url)});
  }
  return model;
}

AgentService::AgentService(boost::asio::any_io_executor executor, const Config& config, store::Store& store,
                           const crypto::SecretBox& box, BlockingPool& pool, http::Client* client)
    : config_(config),
      store_(store),
      box_(box),
      pool_(pool),
      client_(client),
      providers_(client, config, pool),
      indexes_(store.knowledge(), config.data_dir + "/indexes"),
      retriever_(store.knowledge(), indexes_),
      translator_(knowledge::MakeFreeDictTranslator(config.dictionary_dir)),
      agent_(store.knowledge(), retriever_, providers_, pool, translator_.get()) {
  auto profile_for = [this](int64_t tenant_id) -> Result<knowledge::IndexingProfile> {
    auto settings = LoadSettings(tenant_id);
    if (!settings) return settings.error();
    knowledge::ChunkOptions chunking;
    chunking.target_chars = settings->chunk_size;
    chunking.max_chars = settings->chunk_size * 3 / 2;
    chunking.overlap_chars = settings->chunk_overlap;
    return knowledge::IndexingProfile{providers_.EmbedderFor(*settings), settings->language, chunking};
  };
  knowledge::IngestorOptions ingest_options;
  ingest_options.lease_ms = config.ingest_lease_ms;
  ingest_options.documents_in_flight = static_cast<int>(config.ingest_documents_in_flight);
  ingest_options.documents_per_tenant = std::max(1, ingest_options.documents_in_flight - 1);
  ingest_options.budget = knowledge::DocumentBudget(config);
  ingest_options.extract_command = knowledge::ServerExtractCommand();
  ingestor_ = std::make_unique<knowledge::Ingestor>(executor, store.knowledge(), indexes_, profile_for, pool, client,
                                                    ingest_options);
}

Result<AiSettings> AgentService::LoadSettings(int64_t tenant_id) {
  auto stored = store_.knowledge().GetAiSettings(tenant_id);
  if (!stored) return stored.error();
  auto settings = FromStoredJson(*stored, DefaultAiSettings(config_), box_);
  if (!settings || !settings->business_hours.enabled) return settings;
  // Business hours are read in the tenant's time zone, a tenant setting of its own.
  auto tenant = store_.tenants().GetTenant(tenant_id);
  if (!tenant) return tenant.error();
  settings->time_zone = tenant->time_zone;
  return settings;
}

Result<AiSettings> AgentService::UpdateSettings(int64_t tenant_id, const boost::json::object& changes) {
  auto& knowledge = store_.knowledge();
  auto stored = knowledge.GetAiSettings(tenant_id);
  if (!stored) return stored.error();
  auto before = FromStoredJson(*stored, DefaultAiSettings(config_), box_);
  if (!before) return before.error();
  auto merged = MergeStoredSettings(*stored, changes, DefaultAiSettings(config_), box_);
  if (!merged) return merged.error();
  auto saved = knowledge.PutAiSettings(tenant_id, *merged);
  if (!saved) return saved.error();
  auto after = FromStoredJson(*merged, DefaultAiSettings(config_), box_);
  if (!after) return after.error();
  if (providers_.EmbedderFor(*before)->id() != providers_.EmbedderFor(*after)->id() ||
      before->language != after->language || before->chunk_size != after->chunk_size ||
      before->chunk_overlap != after->chunk_overlap) {
    // Every chunk must be indexed again (new vectors, new stems); until then the old index keeps answering.
    auto bases = knowledge.ListKnowledgeBases(tenant_id);
    if (!bases) return bases.error();
    for (const auto& base : *bases) {
      auto requeued = knowledge.RequeueDocuments(base.id);
      if (!requeued) return requeued.error();
    }
  }
  return after;
}

boost::asio::awaitable<Result<void>> AgentService::CheckProviderUrls(const boost::json::object& changes) {
  const std::array<std::pair<const char*, const std::string*>, 2> fields{
      {{"llm_base_url", &config_.llm_base_url}, {"embeddings_base_url", &config_.embeddings_base_url}}};
  for (const auto& [field, operator_url] : fields) {
    const boost::json::value* value = changes.if_contains(field);
    if (value == nullptr || !value->is_string() || value->as_string().empty()) continue;
    std::string url(value->as_string());
    // Not http(s): the settings' own validation refuses it with the field's rule.
    if (!url.starts_with("http://") && !url.starts_with("https://")) continue;
    if (SourceOf(url, *operator_url) == http::UrlSource::kOperator) continue;
    Result<void> checked = co_await CheckTenantUrl(std::move(url));
    if (!checked) co_return Error::InvalidArgument(std::string(field) + ": " + checked.error().message);
  }
  co_return Ok();
}

boost::asio::awaitable<Result<void>> AgentService::CheckTenantUrl(std::string url) {
  if (client_ == nullptr) co_return Ok();
  Result<void> checked = co_await client_->CheckTenantUrl(std::move(url));
  if (!checked && checked.error().code == ErrorCode::kInvalidArgument) co_return checked.error();
  co_return Ok();
}

boost::asio::awaitable<Result<AgentAnswer>> AgentService::Ask(const AgentRequest& request) {
  int64_t tenant_id = request.tenant_id;
  auto load = [this, tenant_id] { return LoadSettings(tenant_id); };
  Result<AiSettings> settings = co_await pool_.Run(load);
  if (!settings) co_return settings.error();
  co_return co_await agent_.Answer(request, *settings);
}

boost::asio::awaitable<Result<AgentAnswer>> AgentService::Ask(const AgentRequest& request, const AiSettings& settings) {
  co_return co_await agent_.Answer(request, settings);
}

}  // namespace parley::agent
