#include "store/event_data.h"

#include "core/json.h"

#include <boost/json/object.hpp>

#include <initializer_list>
#include <utility>

namespace parley::store {
namespace {

std::string IdsJson(std::initializer_list<std::pair<std::string_view, int64_t>> fields) {
  std::string json = "{";
  for (const auto& [name, value] : fields) {
    if (json.size() > 1) json += ',';
    json += '"';
    json += name;
    json += "\":";
    json += std::to_string(value);
  }
  json += '}';
  return json;
}

}  // namespace

std::string ConversationEventData(int64_t conversation_id) { return IdsJson({{"conversation_id", conversation_id}}); }

std::string ErasedConversationEventData(int64_t conversation_id) {
  return IdsJson({{"erased_conversation_id", conversation_id}});
}

std::string MessageEventData(int64_t conversation_id, int64_t message_id) {
  return IdsJson({{"conversation_id", conversation_id}, {"message_id", message_id}});
}

std::string MessageStatusEventData(int64_t conversation_id, int64_t message_id, MessageStatus status,
                                   const std::optional<MessageError>& error) {
  boost::json::object data{{"conversation_id", conversation_id},
                           {"message_id", message_id},
                           {"status", ToString(status)},
                           {"error", nullptr}};
  if (error) data["error"] = {{"code", error->code}, {"title", error->title}, {"detail", error->detail}};
  return SerializeJson(data);
}

std::string MessageMediaEventData(int64_t conversation_id, int64_t message_id, MessageStatus status,
                                  std::string_view media_status) {
  return SerializeJson(boost::json::object{{"conversation_id", conversation_id},
                                           {"message_id", message_id},
                                           {"status", ToString(status)},
                                           {"error", nullptr},
                                           {"media_status", media_status}});
}

std::string CommentChangeEventData(int64_t conversation_id, int64_t message_id, std::optional<bool> hidden) {
  boost::json::object data{{"conversation_id", conversation_id},
                           {"message_id", message_id},
                           {"status", ToString(hidden ? MessageStatus::kReceived : MessageStatus::kDeleted)},
                           {"error", nullptr}};
  if (hidden) data["comment_hidden"] = *hidden;
  return SerializeJson(data);
}

std::string SupportEventData(int64_t support_item_id, int64_t conversation_id) {
  return IdsJson({{"support_item_id", support_item_id}, {"conversation_id", conversation_id}});
}

std::string DocumentProgressEventData(int64_t document_id, DocumentStatus status, double progress, int64_t chunks,
                                      std::string_view error) {
  boost::json::object data{{"document_id", document_id},
                           {"status", ToString(status)},
                           {"progress", progress},
                           {"error", error.empty() ? boost::json::value(nullptr) : boost::json::value(error)}};
  if (status == DocumentStatus::kReady) data["chunks"] = chunks;
  return SerializeJson(data);
}

}  // namespace parley::store
