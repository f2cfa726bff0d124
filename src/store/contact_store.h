#pragma once
// The people who wrote to a tenant, and what the GDPR asks a business to do with what they wrote: list and search
// them, show one with its conversations, hand over everything kept about one (export), erase one (erasure), and
// delete messages past the tenant's retention period. Reached through Store::contacts(); blocking and thread-safe
// like Store, and scoped by the tenant: another tenant's contact ids are kNotFound.
//
// A contact is a customer as seen through one channel (a WhatsApp number or an Instagram user: the same person on
// both is two contacts). Its activity is the latest activity of its conversations.

#include "core/error.h"
#include "core/message.h"
#include "store/store.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::store {

struct ContactInfo {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t channel_id = 0;
  Platform platform;
  std::string platform_id;  //!< The WhatsApp number or the Instagram user id.
  std::string name;         //!< As the platform last gave it; may be empty.
  std::string email;        //!< What the customer gave (a web chat visitor typed it); may be empty.
  int64_t created_at_ms = 0;
  int64_t last_activity_ms = 0;  //!< The newest last_message_at of its conversations.
  int64_t conversations = 0;     //!< How many it has (open and closed).
};

// Which contacts a list shows; every field narrows it.
struct ContactFilter {
  // Words of the contact's name or platform id, folding case and accents, the last one as a prefix (SQLite's
  // contacts_search index of migration 0017; PostgreSQL's GIN index of its migration 0002).
  std::optional<std::string> text;
  std::optional<int64_t> channel_id;
  std::optional<Platform> platform;
};

// Everything kept about one contact (GET /api/contacts/{id}/export).
struct ContactExport {
  ContactInfo contact;
  std::vector<Conversation> conversations;  //!< Oldest first.
  std::vector<StoredMessage> messages;      //!< Of all its conversations, notes included, by id.
  std::vector<SupportItem> support_items;   //!< By id.
  std::vector<ReplyTrace> traces;           //!< The agent's traces of its conversations, by id.
};

// What an erasure removed.
struct ErasureCounts {
  int64_t conversations = 0;
  int64_t messages = 0;  //!< Notes included.
  int64_t notes = 0;
  int64_t support_items = 0;
  int64_t traces = 0;
  int64_t events = 0;              //!< Entries of the event log that named its conversations.
  int64_t webhook_deliveries = 0;  //!< Outbound webhook deliveries about its conversations (their payloads).
};

// An erasure runs in batches, then a last transaction: its totals are the batches' counts plus the last one's, whose
// conversations, support items and webhook deliveries it removes whole. Both backends count alike.
ErasureCounts ErasureTotal(const ErasureCounts& batches, const ErasureCounts& last);
// The "contact.erase" audit entry's details: the counts, nothing of the person.
boost::json::object ErasureAuditDetails(const ErasureCounts& total);

class ContactStore {
 public:
  virtual ~ContactStore() = default;

  // Newest activity first, `limit` clamped to 1..500. `cursor` comes from a previous page's next_cursor with the
  // same filter; kInvalidArgument when garbled. Contacts without a conversation are not listed.
  virtual Result<Page<ContactInfo>> ListContacts(int64_t tenant_id, const ContactFilter& filter,
                                                 const std::optional<std::string>& cursor, int limit) = 0;
  virtual Result<ContactInfo> GetContact(int64_t tenant_id, int64_t contact_id) = 0;
  // Its conversations, newest activity first.
  virtual Result<std::vector<Conversation>> ContactConversations(int64_t tenant_id, int64_t contact_id) = 0;
  // Read in one snapshot.
  virtual Result<ContactExport> ExportContact(int64_t tenant_id, int64_t contact_id) = 0;

  // Removes the contact and everything kept about it: its conversations with their messages and notes (and so
  // their search index rows and read markers), the agent's traces, support items, the event log's entries that
  // name its conversations and the outbound webhook deliveries about them. Messages go in writes of at most `batch`
  // rows, so ingest waits at most one batch; the last write removes what remains (messages that arrived meanwhile too),
  // the contact row, and appends an audit entry (action "contact.erase", by `actor`, target the contact id, details the
  // counts: no personal data). An erasure interrupted half-way (crash, store error) has removed some messages and
  // nothing else: running it again finishes it. The next message from the same person creates a new contact. kNotFound
  // when not the tenant's.
  virtual Result<ErasureCounts> EraseContact(int64_t tenant_id, int64_t contact_id, const std::string& actor,
                                             int64_t now_ms, int batch = 500) = 0;

  // Retention: deletes the tenant's messages (notes included, queued outbound ones excepted) and the agent's traces
  // created before `cutoff_ms`, in writes of at most `batch` rows, and returns how many messages went. When any
  // did, appends an audit entry (action "retention.sweep", actor "retention", details the counts and the cut-off).
  virtual Result<int64_t> DeleteMessagesBefore(int64_t tenant_id, int64_t cutoff_ms, int64_t now_ms,
                                               int batch = 500) = 0;
};

}  // namespace parley::store
