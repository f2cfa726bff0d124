#pragma once
// `parley kb add` and `parley ask`: the knowledge side from the command line. Both work with or without a
// running server on the same data directory: documents are durable jobs in the shared database (whoever leases
// one first processes it) and vector indexes catch up from the database before every search.

#include "core/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace parley::app {

// Adds each file to the tenant's knowledge base `knowledge_base` (created if missing), waits until every one
// is ready or failed, and prints one JSON line per file: {"document_id","name","status","chunks","error"}.
// Exit code 0 when all are ready, 1 otherwise.
int KnowledgeAdd(const Config& config, int64_t tenant_id, const std::string& knowledge_base,
                 const std::vector<std::string>& files);

// Runs the agent on `question` for the tenant and prints the playground's JSON answer.
int Ask(const Config& config, int64_t tenant_id, const std::string& question, const std::string& platform);

}  // namespace parley::app
