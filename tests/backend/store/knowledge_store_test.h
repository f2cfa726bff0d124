#pragma once
// The knowledge store's fixture for the conformance suite: Acme (the StoreTest tenant) with its knowledge base
// "main", Globex beside it, and the steps of a document's ingestion as the ingestor takes them.

#include "store_test.h"

#include "store/knowledge_store.h"

#include <string>
#include <vector>

namespace parley::store::testing {

inline constexpr char kEmbedder[] = "test-embedder";

// `text` is also what the BM25 index reads; tests write it folded already (the knowledge module's job).
inline NewChunk Chunk(int position, const std::string& text, std::vector<float> embedding = {1, 0, 0}) {
  NewChunk chunk;
  chunk.position = position;
  chunk.heading_path = "Section " + std::to_string(position);
  chunk.page = position + 1;
  chunk.text = text;
  chunk.lexical_text = text;
  chunk.embedding = std::move(embedding);
  return chunk;
}

inline NewFaq Faq(const std::string& question, const std::string& key, const std::string& answer) {
  return NewFaq{{question}, {key}, answer};
}

inline std::vector<int64_t> ChunkIds(const std::vector<ChunkVector>& vectors) {
  std::vector<int64_t> ids;
  for (const auto& v : vectors) ids.push_back(v.chunk_id);
  return ids;
}

inline std::vector<int64_t> TextIds(const std::vector<ChunkText>& texts) {
  std::vector<int64_t> ids;
  for (const auto& t : texts) ids.push_back(t.chunk_id);
  return ids;
}

class KnowledgeStoreTest : public StoreTest {
 protected:
  KnowledgeStoreTest()
      : acme_(tenant_.id),
        globex_(store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id),
        kb_(ks().EnsureKnowledgeBase(acme_, "main").value().id) {}

  KnowledgeStore& ks() { return store_->knowledge(); }

  Document Create(int64_t tenant, int64_t kb, const std::string& name, const std::string& content = "bytes") {
    NewDocument document;
    document.tenant_id = tenant;
    document.knowledge_base_id = kb;
    document.name = name;
    document.content_type = "text/plain";
    document.content = content;
    auto created = ks().CreateDocument(document);
    EXPECT_TRUE(created) << created.error().detail;
    return created ? *created : Document{};
  }

  // Claims the next due document, which must be `document_id`.
  DocumentJob MustClaim(int64_t document_id, int64_t now = kT0) {
    auto job = ks().ClaimDocumentJob(now, kLease, {}, 0);
    EXPECT_TRUE(job && job->has_value());
    if (!job || !job->has_value()) return {};
    EXPECT_EQ((*job)->document.id, document_id);
    return **job;
  }

  // A ready document of `tenant` in `kb` with these chunks (and Q&A pairs), as the ingestor leaves it.
  Document Ingest(int64_t tenant, int64_t kb, const std::string& name, const std::vector<NewChunk>& chunks,
                  const std::vector<NewFaq>& faqs = {}, const std::string& embedder = kEmbedder) {
    Document document = Create(tenant, kb, name);
    DocumentJob job = MustClaim(document.id);
    auto completed = ks().CompleteDocumentJob(job, embedder, chunks, faqs, "", "");
    EXPECT_TRUE(completed) << completed.error().detail;
    return ks().GetDocument(tenant, document.id).value();
  }

  std::vector<int64_t> ChunksOf(int64_t kb, const std::string& embedder = kEmbedder) {
    return ChunkIds(ks().ChunkVectorsAfter(kb, embedder, 0, 100'000).value());
  }

  const int64_t acme_;
  const int64_t globex_;
  const int64_t kb_;
};

}  // namespace parley::store::testing
