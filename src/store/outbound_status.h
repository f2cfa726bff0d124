#pragma once
// The order in which an outbound message's status may move, one rule for every backend: a webhook's status applies
// only when it ranks above the message's current one.

#include "core/message.h"

namespace parley::store {

// -1 for statuses a webhook cannot set. `failed` sits above `delivered` (a failure report wins over earlier
// progress) but below `read`.
inline int OutboundRank(MessageStatus status) {
  switch (status) {
    case MessageStatus::kQueued:
      return 0;
    case MessageStatus::kSent:
      return 1;
    case MessageStatus::kDelivered:
      return 2;
    case MessageStatus::kFailed:
      return 3;
    case MessageStatus::kRead:
      return 4;
    default:
      return -1;
  }
}

}  // namespace parley::store
