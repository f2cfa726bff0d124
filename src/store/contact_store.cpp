#include "store/contact_store.h"

namespace parley::store {

ErasureCounts ErasureTotal(const ErasureCounts& batches, const ErasureCounts& last) {
  ErasureCounts total = batches;
  total.conversations = last.conversations;
  total.messages += last.messages;
  total.notes += last.notes;
  total.traces += last.traces;
  total.support_items = last.support_items;
  total.events += last.events;
  total.webhook_deliveries = last.webhook_deliveries;
  return total;
}

boost::json::object ErasureAuditDetails(const ErasureCounts& total) {
  return boost::json::object{
      {"conversations", total.conversations},          {"messages", total.messages}, {"notes", total.notes},
      {"support_items", total.support_items},          {"traces", total.traces},     {"events", total.events},
      {"webhook_deliveries", total.webhook_deliveries}};
}

}  // namespace parley::store
