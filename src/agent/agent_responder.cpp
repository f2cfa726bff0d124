#include "agent/agent_responder.h"

#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "store/media_records.h"
#include "store/message_media.h"

#include <iterator>

namespace parley::agent {
namespace {

// The most of a media's read text (a photo's, a PDF's) the agent reads in one message: a document leaves room in the
// burst (kMaxBurstBytes) for the words sent with it.
constexpr size_t kMaxTextReadPerMediaBytes = 3000;

// Runs of spaces, tabs and line breaks become one space (the extractors' own collapsing is knowledge's internal).
std::string OneLine(std::string_view text) {
  std::string line;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v') {
      line += c;
    } else if (!line.empty() && line.back() != ' ') {
      line += ' ';
    }
  }
  if (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

std::string MessageText(const store::StoredMessage& message) {
  // Read text goes on one line: the burst is one message per line.
  const store::MediaRecord* media = message.media ? &*message.media : nullptr;
  std::string transcript = media && media->transcript ? OneLine(*media->transcript) : std::string();
  std::string placeholder;
  if (!transcript.empty()) {
    // A voice note is read as if its words had been typed.
    placeholder = std::move(transcript);
  } else if (message.type != MessageType::kText && message.type != MessageType::kInteractive) {
    std::string ocr_text = media && media->ocr_text ? OneLine(*media->ocr_text) : std::string();
    if (ocr_text.size() > kMaxTextReadPerMediaBytes) {
      ocr_text.resize(Utf8Prefix(ocr_text, kMaxTextReadPerMediaBytes).size());
      ocr_text += "…";
    }
    placeholder = "[" + std::string(ToString(message.type)) +
                  (ocr_text.empty() ? std::string() : "; text in it: " + ocr_text) + "]";
  }
  if (message.text && !message.text->empty()) {
    return placeholder.empty() ? *message.text : placeholder + " " + *message.text;
  }
  return placeholder;
}

std::vector<ChatImage> BurstImages(media::MediaStore& files, int64_t tenant_id,
                                   const std::vector<store::StoredMessage>& messages) {
  std::vector<ChatImage> newest_first;
  for (auto message = messages.rbegin(); message != messages.rend() && newest_first.size() < kMaxImagesPerBurst;
       ++message) {
    const std::optional<store::MediaRecord>& media = message->media;
    if (message->type != MessageType::kImage || !media || media->status != store::MediaStatus::kReady ||
        media->agent_key.empty()) {
      continue;
    }
    Result<std::string> bytes = files.Get(tenant_id, media->agent_key);
    if (!bytes) {
      log::Warn("agent_image_unreadable", {{"message_id", message->id}, {"detail", bytes.error().message}});
      continue;
    }
    newest_first.push_back(ChatImage{"image/jpeg", std::move(*bytes)});
  }
  return {std::make_move_iterator(newest_first.rbegin()), std::make_move_iterator(newest_first.rend())};
}

std::string BurstText(const std::vector<store::StoredMessage>& messages, int& left_out) {
  std::vector<std::string> newest_first;
  size_t bytes = 0;
  left_out = 0;
  for (auto message = messages.rbegin(); message != messages.rend(); ++message) {
    std::string text = MessageText(*message);
    if (text.empty()) continue;
    // Once one message is left out, so is every older one: the agent reads the end of the burst, without gaps.
    if (left_out > 0 || newest_first.size() == kMaxBurstMessages || bytes + text.size() > kMaxBurstBytes) {
      if (!newest_first.empty()) {
        ++left_out;
        continue;
      }
      text.resize(Utf8Prefix(text, kMaxBurstBytes).size());
    }
    bytes += text.size() + 1;
    newest_first.push_back(std::move(text));
  }
  std::string burst;
  for (auto text = newest_first.rbegin(); text != newest_first.rend(); ++text) {
    burst += (burst.empty() ? "" : "\n") + *text;
  }
  return burst;
}

boost::asio::awaitable<Result<store::Reply>> AgentResponder::Respond(const store::Claim& batch) {
  if (batch.messages.empty()) co_return store::Reply{};
  int64_t tenant_id = batch.conversation.tenant_id;
  auto load = [this, tenant_id] { return service_.LoadSettings(tenant_id); };
  Result<AiSettings> settings = co_await pool_.Run(load);
  if (!settings) co_return settings.error();
  co_return co_await RespondWith(batch, *settings);
}

boost::asio::awaitable<Result<store::Reply>> AgentResponder::RespondWith(const store::Claim& batch,
                                                                         const AiSettings& settings) {
  store::Reply reply;
  if (batch.messages.empty()) co_return reply;
  const int64_t tenant_id = batch.conversation.tenant_id;
  const int64_t human_idle_ms = config_.human_idle_minutes * 60 * 1000;
  if (!settings.enabled) {
    // With the assistant switched off, every conversation is for people.
    reply.decision = Decision::kEscalate;
    reply.reason = Reason::kAssistantDisabled;
    reply.trace = "[]";
    reply.hand_off = true;
    reply.human_idle_ms = 0;
    co_return reply;
  }

  AgentRequest request;
  request.tenant_id = tenant_id;
  request.text = text_rules_(batch.conversation.platform);
  request.question = BurstText(batch.messages, request.earlier_messages_left_out);
  if (settings.llm.vision && !settings.llm.base_url.empty() && media_files_ != nullptr) {
    auto read = [this, tenant_id, &batch] { return BurstImages(*media_files_, tenant_id, batch.messages); };
    request.images = co_await pool_.Run(read);
  }
  int64_t conversation_id = batch.conversation_id;
  int64_t before_id = batch.messages.front().id;
  int turns = settings.history_turns;
  auto history = [this, conversation_id, before_id, turns] {
    return store_.RecentMessages(conversation_id, before_id, turns);
  };
  Result<std::vector<store::StoredMessage>> earlier = co_await pool_.Run(history);
  if (!earlier) co_return earlier.error();
  // Earlier voice notes and photos are read as what they said: the reply worker did the same for the burst.
  auto attach = [this, tenant_id, &earlier] { return store::AttachMediaRecords(store_, tenant_id, *earlier); };
  Result<void> attached = co_await pool_.Run(attach);
  if (!attached) co_return attached.error();
  for (const auto& message : *earlier) {
    std::string text = MessageText(message);
    if (text.empty()) continue;
    request.history.push_back({message.direction == Direction::kIn ? "user" : "assistant", std::move(text)});
  }

  Result<AgentAnswer> answer = co_await service_.Ask(request, settings);
  if (!answer) co_return answer.error();
  reply.decision = answer->decision;
  reply.reason = answer->reason;
  reply.priority = answer->priority;
  if (answer->draft) reply.draft = SerializeJson(ToJson(*answer->draft));
  reply.trace = SerializeJson(ToJson(*answer));
  reply.prompt_tokens = answer->prompt_tokens;
  reply.completion_tokens = answer->completion_tokens;
  for (const auto& part : answer->parts) {
    store::OutboundDraft draft;
    draft.type = MessageType::kText;
    draft.text = part;
    reply.messages.push_back(std::move(draft));
  }
  if (answer->decision == Decision::kEscalate) {
    reply.hand_off = true;
    reply.human_idle_ms = human_idle_ms;
  }
  co_return reply;
}

}  // namespace parley::agent
