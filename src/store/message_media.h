#pragma once
// The media records of stored messages, for the reply path: the agent reads a voice note's transcript or a photo's
// text as part of its message (agent::MessageText), and a burst waits while its media is being fetched and read.

#include "core/error.h"
#include "store/store.h"

#include <cstdint>
#include <span>
#include <vector>

namespace parley::store {

// Whether `message` has a media record: an inbound message naming a platform media id, or a link to its file (the
// rule of the trigger that makes the records, migrations 0031 SQLite and 0010 PostgreSQL).
bool CarriesMedia(const StoredMessage& message);

// Whether `message`'s details hold a media object: a customer's media (CarriesMedia) or a person's file
// (PersonFileJson), which QueuePersonReply keeps as the reply's media record. What a thread shown back to the
// customer (the web chat's) attaches.
bool ShowsMedia(const StoredMessage& message);

// Sets the `media` of each of `messages` for which `carries` holds (all of `tenant_id`) to its record, with one read,
// and none when it holds for none. A message whose record is gone (deleted meanwhile) keeps nullopt. One message may
// be named several times (the events of a page: created, then its media kept); each gets the record. Blocking.
Result<void> AttachMediaRecords(Store& store, int64_t tenant_id, std::span<StoredMessage* const> messages,
                                bool (*carries)(const StoredMessage&) = &CarriesMedia);
// The same over `messages` themselves.
Result<void> AttachMediaRecords(Store& store, int64_t tenant_id, std::vector<StoredMessage>& messages,
                                bool (*carries)(const StoredMessage&) = &CarriesMedia);

}  // namespace parley::store
