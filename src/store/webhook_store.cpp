#include "store/webhook_store.h"

namespace parley::store {

std::string_view ToString(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kPending:
      return "pending";
    case DeliveryStatus::kSucceeded:
      return "succeeded";
    case DeliveryStatus::kFailed:
      return "failed";
  }
  return "pending";
}

}  // namespace parley::store
