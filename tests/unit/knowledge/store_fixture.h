#pragma once
// The two-tenant store (support/two_tenant_store.h) and a way to write a document's chunks
// through the store API (claim, complete) as the ingestor would, for tests of what reads the knowledge.

#include "core/crypto.h"
#include "store/knowledge_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/two_tenant_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley::knowledge::fixture {

class KnowledgeStoreFixture : public testing::TwoTenantStore {
 protected:
  store::KnowledgeStore& ks() { return store_->knowledge(); }

  int64_t KnowledgeBase(int64_t tenant, const std::string& name) {
    return ks().EnsureKnowledgeBase(tenant, name).value().id;
  }

  // Writes a ready document with `chunks` (embedded by `embedder_id`) and returns its id.
  int64_t AddDocument(int64_t tenant, int64_t kb, const std::string& name, const std::vector<store::NewChunk>& chunks,
                      const std::string& embedder_id) {
    store::NewDocument document;
    document.tenant_id = tenant;
    document.knowledge_base_id = kb;
    document.name = name;
    document.content = "bytes";
    int64_t id = ks().CreateDocument(document).value().id;
    // Documents are written one at a time, so the only due one is this.
    auto job = ks().ClaimDocumentJob(/*now_ms=*/1, /*lease_ms=*/60'000).value();
    EXPECT_TRUE(job.has_value());
    EXPECT_EQ(job->document.id, id);
    auto completed = ks().CompleteDocumentJob(*job, embedder_id, chunks, {}, "");
    EXPECT_TRUE(completed) << completed.error().detail;
    return id;
  }

  // The ids of a knowledge base's chunks, oldest first.
  std::vector<int64_t> ChunkIds(int64_t kb, const std::string& embedder_id) {
    std::vector<int64_t> ids;
    for (const auto& v : ks().ChunkVectorsAfter(kb, embedder_id, 0, 10'000).value()) ids.push_back(v.chunk_id);
    return ids;
  }
};

}  // namespace parley::knowledge::fixture
