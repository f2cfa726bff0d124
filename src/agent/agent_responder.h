#pragma once
// The AI agent as the core loop's Responder: the claimed burst becomes one question (with the conversation's
// recent history), the agent decides, and its decision becomes the reply: the answer's parts, nothing (IGNORE),
// or the hand-off message with the conversation switched to human mode (ESCALATE). The trace goes with it.

#include "agent/responder.h"
#include "agent/service.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "media/media_store.h"
#include "store/store.h"

#include <functional>
#include <utility>

namespace parley::agent {

// A platform's text rules (the channels registry's PlatformTraits::text): the agent knows no platform itself.
using TextRulesFor = std::function<TextRules(const Platform& platform)>;

class AgentResponder final : public Responder {
 public:
  // `media_files` holds the photos a model that reads images is given (null: none is).
  AgentResponder(const Config& config, AgentService& service, store::Store& store, BlockingPool& pool,
                 TextRulesFor text_rules, media::MediaStore* media_files)
      : config_(config),
        service_(service),
        store_(store),
        pool_(pool),
        text_rules_(std::move(text_rules)),
        media_files_(media_files) {}

  // Loads the tenant's settings, then RespondWith.
  boost::asio::awaitable<Result<store::Reply>> Respond(const store::Claim& batch) override;
  // The reply under `settings`, loaded once for the burst by the caller (the billing gate reads them too).
  boost::asio::awaitable<Result<store::Reply>> RespondWith(const store::Claim& batch, const AiSettings& settings);

 private:
  const Config& config_;
  AgentService& service_;
  store::Store& store_;
  BlockingPool& pool_;
  const TextRulesFor text_rules_;
  media::MediaStore* const media_files_;
};

// The most photos of one burst a model that reads images is given: the newest, as a customer showing a product
// rarely sends more, and each costs the model's time and the tenant's tokens.
inline constexpr size_t kMaxImagesPerBurst = 4;

// The burst's photos (oldest first, the newest kMaxImagesPerBurst) as a model that reads images is given them: the
// copy of each ready photo resized for the agent (768 px, JPEG). Blocks (file reads): call it on the pool. A file
// that cannot be read is left out (logged).
std::vector<ChatImage> BurstImages(media::MediaStore& files, int64_t tenant_id,
                                   const std::vector<store::StoredMessage>& messages);

// What the agent reads of a stored message: its text or caption; for media, a voice note's transcript (as if it had
// been typed) or an "[image]"-style placeholder with the text read in the picture ("[image; text in it: …]"), from
// the message's media record when it was loaded (store/message_media.h). Read text is put on one line.
std::string MessageText(const store::StoredMessage& message);

// The most of a burst the agent reads: its newest messages, up to these bounds (always the newest one, cut at a
// character boundary when it alone passes the bytes). A burst of hundreds of messages (a customer flooding, a
// backlog after an outage) would otherwise cost triage and retrieval time in proportion, for text no answer uses.
inline constexpr size_t kMaxBurstMessages = 20;
inline constexpr size_t kMaxBurstBytes = 8000;

// The text of `messages` (oldest first) the agent reads, one message per line, within the bounds above; `left_out`
// receives how many earlier messages were not read.
std::string BurstText(const std::vector<store::StoredMessage>& messages, int& left_out);

}  // namespace parley::agent
