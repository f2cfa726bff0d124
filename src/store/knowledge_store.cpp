#include "store/knowledge_store.h"

#include <cstring>

namespace parley::store {

std::string_view ToString(DocumentStatus status) {
  switch (status) {
    case DocumentStatus::kPending:
      return "pending";
    case DocumentStatus::kProcessing:
      return "processing";
    case DocumentStatus::kReady:
      return "ready";
    case DocumentStatus::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<DocumentStatus> ParseDocumentStatus(std::string_view text) {
  for (auto status :
       {DocumentStatus::kPending, DocumentStatus::kProcessing, DocumentStatus::kReady, DocumentStatus::kFailed}) {
    if (ToString(status) == text) return status;
  }
  return std::nullopt;
}

std::vector<float> DecodeEmbedding(std::string_view bytes) {
  std::vector<float> embedding(bytes.size() / sizeof(float));
  std::memcpy(embedding.data(), bytes.data(), embedding.size() * sizeof(float));
  return embedding;
}

Result<void> ValidateFaq(const NewFaq& faq) {
  if (faq.answer.empty()) return Error::InvalidArgument("an answer is required");
  if (faq.questions.empty()) return Error::InvalidArgument("at least one question is required");
  if (faq.questions.size() != faq.question_keys.size()) return Error::Internal("one key per question expected");
  for (const auto& q : faq.questions) {
    if (q.empty()) return Error::InvalidArgument("questions must not be empty");
  }
  return Ok();
}

}  // namespace parley::store
