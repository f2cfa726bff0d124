// The sub-stores the PostgreSQL backend does not implement yet: every method fails with NotImplemented naming it, so
// a caller learns at once what is missing (docs/scaling.md lists them). Each class leaves this file when its store
// is written.

#include "store/postgres/unimplemented.h"
#include "store/analytics_store.h"
#include "store/knowledge_store.h"

namespace parley::store::postgres {
namespace {

class UnimplementedKnowledgeStore final : public KnowledgeStore {
 public:
  Result<KnowledgeBase> EnsureKnowledgeBase(int64_t tenant_id, const std::string& name) override {
    return NotImplemented("KnowledgeStore::EnsureKnowledgeBase");
  }
  Result<std::vector<KnowledgeBase>> ListKnowledgeBases(int64_t tenant_id) override {
    return NotImplemented("KnowledgeStore::ListKnowledgeBases");
  }
  Result<Document> CreateDocument(const NewDocument& document) override {
    return NotImplemented("KnowledgeStore::CreateDocument");
  }
  Result<std::optional<Document>> FindDocument(int64_t tenant_id, int64_t knowledge_base_id,
                                               const std::string& name) override {
    return NotImplemented("KnowledgeStore::FindDocument");
  }
  Result<KnowledgeTotals> Totals(int64_t tenant_id) override { return NotImplemented("KnowledgeStore::Totals"); }
  Result<Document> GetDocument(int64_t tenant_id, int64_t document_id) override {
    return NotImplemented("KnowledgeStore::GetDocument");
  }
  Result<Page<Document>> ListDocuments(int64_t tenant_id, const std::optional<std::string>& cursor,
                                       int limit) override {
    return NotImplemented("KnowledgeStore::ListDocuments");
  }
  Result<void> DeleteDocument(int64_t tenant_id, int64_t document_id) override {
    return NotImplemented("KnowledgeStore::DeleteDocument");
  }
  Result<int> RequeueDocuments(int64_t knowledge_base_id) override {
    return NotImplemented("KnowledgeStore::RequeueDocuments");
  }
  Result<std::optional<DocumentJob>> ClaimDocumentJob(int64_t now_ms, int64_t lease_ms,
                                                      const std::vector<int64_t>& skipped_knowledge_bases,
                                                      int max_per_tenant) override {
    return NotImplemented("KnowledgeStore::ClaimDocumentJob");
  }
  Result<std::optional<int64_t>> NextDocumentJobAt() override {
    return NotImplemented("KnowledgeStore::NextDocumentJobAt");
  }
  Result<void> SetDocumentProgress(const DocumentJob& job, double progress, int64_t lease_until_ms) override {
    return NotImplemented("KnowledgeStore::SetDocumentProgress");
  }
  Result<void> CompleteDocumentJob(const DocumentJob& job, const std::string& embedder_id,
                                   const std::vector<NewChunk>& chunks, const std::vector<NewFaq>& faqs,
                                   const std::string& content) override {
    return NotImplemented("KnowledgeStore::CompleteDocumentJob");
  }
  Result<void> FailDocumentJob(const DocumentJob& job, const std::string& error,
                               std::optional<int64_t> retry_at_ms) override {
    return NotImplemented("KnowledgeStore::FailDocumentJob");
  }
  Result<std::vector<ChunkVector>> ChunkVectorsAfter(int64_t knowledge_base_id, const std::string& embedder_id,
                                                     int64_t after_chunk_id, int limit) override {
    return NotImplemented("KnowledgeStore::ChunkVectorsAfter");
  }
  Result<std::vector<int64_t>> DeletedChunksAfter(int64_t knowledge_base_id, int64_t after_seq,
                                                  int64_t* last_seq) override {
    return NotImplemented("KnowledgeStore::DeletedChunksAfter");
  }
  Result<std::vector<ChunkText>> ChunkTextsAfter(int64_t knowledge_base_id, int64_t after_chunk_id,
                                                 int limit) override {
    return NotImplemented("KnowledgeStore::ChunkTextsAfter");
  }
  Result<std::vector<ChunkRecord>> GetChunks(int64_t tenant_id, const std::vector<int64_t>& chunk_ids) override {
    return NotImplemented("KnowledgeStore::GetChunks");
  }
  Result<FaqEntry> CreateFaq(int64_t tenant_id, const NewFaq& faq) override {
    return NotImplemented("KnowledgeStore::CreateFaq");
  }
  Result<FaqEntry> UpdateFaq(int64_t tenant_id, int64_t faq_id, const NewFaq& faq) override {
    return NotImplemented("KnowledgeStore::UpdateFaq");
  }
  Result<void> DeleteFaq(int64_t tenant_id, int64_t faq_id) override {
    return NotImplemented("KnowledgeStore::DeleteFaq");
  }
  Result<FaqEntry> GetFaq(int64_t tenant_id, int64_t faq_id) override {
    return NotImplemented("KnowledgeStore::GetFaq");
  }
  Result<Page<FaqEntry>> ListFaqs(int64_t tenant_id, const std::optional<std::string>& cursor, int limit) override {
    return NotImplemented("KnowledgeStore::ListFaqs");
  }
  Result<std::optional<FaqEntry>> FindFaqByKey(int64_t tenant_id, const std::string& question_key) override {
    return NotImplemented("KnowledgeStore::FindFaqByKey");
  }
  Result<int64_t> FaqRevision(int64_t tenant_id) override { return NotImplemented("KnowledgeStore::FaqRevision"); }
  Result<FaqSnapshot> LoadFaqs(int64_t tenant_id) override { return NotImplemented("KnowledgeStore::LoadFaqs"); }
  Result<std::optional<std::string>> GetAiSettings(int64_t tenant_id) override {
    return NotImplemented("KnowledgeStore::GetAiSettings");
  }
  Result<void> PutAiSettings(int64_t tenant_id, const std::string& settings_json) override {
    return NotImplemented("KnowledgeStore::PutAiSettings");
  }
};

class UnimplementedAnalyticsStore final : public AnalyticsStore {
 public:
  Result<int64_t> Rollup(int max_rows) override { return NotImplemented("AnalyticsStore::Rollup"); }
  Result<std::vector<AnalyticsPeriod>> Query(const AnalyticsQuery& query) override {
    return NotImplemented("AnalyticsStore::Query");
  }
};

}  // namespace

std::unique_ptr<KnowledgeStore> MakeUnimplementedKnowledgeStore() {
  return std::make_unique<UnimplementedKnowledgeStore>();
}
std::unique_ptr<AnalyticsStore> MakeUnimplementedAnalyticsStore() {
  return std::make_unique<UnimplementedAnalyticsStore>();
}

}  // namespace parley::store::postgres
