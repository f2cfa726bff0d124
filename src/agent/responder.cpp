#include "agent/responder.h"

namespace parley::agent {

boost::asio::awaitable<Result<std::optional<store::OutboundDraft>>> AutoReplyResponder::Respond(
    const store::Claim& batch) {
  if (batch.messages.empty() || text_.empty()) co_return std::optional<store::OutboundDraft>{};
  store::OutboundDraft draft;
  draft.type = MessageType::kText;
  draft.text = text_;
  co_return std::optional<store::OutboundDraft>{std::move(draft)};
}

}  // namespace parley::agent
