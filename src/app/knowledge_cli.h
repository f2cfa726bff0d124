#pragma once
// `parley kb add|list|remove` and `parley ask`: the knowledge side from the command line. Both work with or without a
// running server on the same data directory: documents are durable jobs in the shared database (whoever leases
// one first processes it) and vector indexes catch up from the database before every search.

#include "core/config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::app {

// Adds each file to the tenant's knowledge base `knowledge_base` (created if missing), waits until every one
// is ready or failed, and prints one JSON line per file:
// {"document_id","name","status","chunks","qa_pairs","version","replaced","error"}. A file named like a document
// of that knowledge base replaces it (same id, `version` + 1, "replaced": true): its previous content answers until
// the new one is ready, then never again. Exit code 0 when all are ready, 1 otherwise.
int KnowledgeAdd(const Config& config, int64_t tenant_id, const std::string& knowledge_base,
                 const std::vector<std::string>& files);

// Prints the tenant's knowledge bases, each followed by its documents, as JSON lines:
// {"knowledge_base_id","knowledge_base","documents","chunks"} then {"document_id","knowledge_base_id","name",
// "status","chunks","qa_pairs","version","size_bytes","error","updated_at"} for each document, newest first.
// `knowledge_base` non-empty: that one only (exit code 1 when it does not exist).
int KnowledgeList(const Config& config, int64_t tenant_id, const std::string& knowledge_base);

// Removes a document of the tenant, given by id, or by name within `knowledge_base`, with its chunks (from every
// index) and its Q&A pairs; prints {"removed": true, "document_id", "name"}. Exit code 1 when there is no such
// document.
int KnowledgeRemove(const Config& config, int64_t tenant_id, std::optional<int64_t> document_id,
                    const std::string& knowledge_base, const std::string& name);

// Runs the agent on `question` for the tenant and prints the playground's JSON answer.
int Ask(const Config& config, int64_t tenant_id, const std::string& question, const std::string& platform);

}  // namespace parley::app
