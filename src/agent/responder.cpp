#include "agent/responder.h"

namespace parley::agent {

boost::asio::awaitable<Result<store::Reply>> AutoReplyResponder::Respond(const store::Claim& batch) {
  store::Reply reply;
  if (batch.messages.empty() || text_.empty()) co_return reply;
  store::OutboundDraft draft;
  draft.type = MessageType::kText;
  draft.text = text_;
  reply.messages.push_back(std::move(draft));
  co_return reply;
}

}  // namespace parley::agent
