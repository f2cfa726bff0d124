#include "integration/media_support.h"

#include <boost/json.hpp>

namespace parley::testing {

boost::json::object SettledMedia(const ParleyProcess& parley, const std::string& api_key,
                                 std::chrono::milliseconds timeout) {
  auto get = [&](const std::string& path) {
    return Call("GET", parley.url(path), {}, {{"Authorization", "Bearer " + api_key}}).Json();
  };
  boost::json::object media;
  Eventually(
      [&] {
        auto conversations = get("/api/conversations").at("data").as_array();
        if (conversations.empty()) return false;
        const int64_t id = conversations[0].at("id").to_number<int64_t>();
        auto messages = get("/api/conversations/" + std::to_string(id) + "/messages").at("data").as_array();
        for (const auto& message : messages) {
          if (!message.as_object().contains("media")) continue;
          media = message.at("media").as_object();
          return media.at("status") != "pending";
        }
        return false;
      },
      timeout);
  return media;
}

std::vector<std::string> ChatContents(const FakeOpenAi& model) {
  std::vector<std::string> contents;
  for (const auto& request : model.requests()) {
    if (request.path != "/v1/chat/completions") continue;
    std::string text;
    for (const auto& message : request.body.at("messages").as_array()) {
      text += std::string(message.at("content").as_string()) + "\n";
    }
    contents.push_back(std::move(text));
  }
  return contents;
}

}  // namespace parley::testing
