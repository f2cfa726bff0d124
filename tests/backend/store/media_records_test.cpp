// Customers' media records on every backend: made with their message, leased once, retried, finished, scoped by
// tenant, expired by retention and deleted with their contact; a person's file in a reply, ready with its message.

#include "store_test.h"
#include "support/platform_rules.h"

#include "store/contact_store.h"
#include "store/events.h"
#include "store/media_records.h"

#include <boost/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace parley::store::testing {
namespace {

class MediaRecordsTest : public StoreTest {
 protected:
  MediaRecords& media() { return store_->media(); }

  // A customer's photo with WhatsApp's media id `media_id`.
  static InboundItem PhotoItem(const std::string& mid, const std::string& media_id) {
    InboundItem item = Inbound(mid, "c1", "");
    item.message.type = MessageType::kImage;
    item.message.text.reset();
    item.message.media = Media{.id = media_id, .mime_type = "image/jpeg"};
    return item;
  }
  // Stores PhotoItem and returns its conversation.
  int64_t Photo(const std::string& mid, const std::string& media_id, int64_t at_ms = kT0) {
    return Ingest(Request(at_ms, {PhotoItem(mid, media_id)})).value().pending.at(0).conversation_id;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, MediaRecordsTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(MediaRecordsTest, AMessageWithAMediaIdGetsAPendingRecordInItsTransaction) {
  const int64_t conversation = Photo("wamid.p1", "1234567890");
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("wamid.t1", "c1", "just text")})));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM media"), 1);
  auto messages = Messages(conversation);
  ASSERT_EQ(messages.size(), 2u);
  auto records = media().ForMessages(tenant_.id, {messages[0].id, messages[1].id}).value();
  ASSERT_EQ(records.size(), 1u);
  const MediaRecord& r = records[0];
  EXPECT_EQ(r.message_id, messages[0].id);
  EXPECT_EQ(r.tenant_id, tenant_.id);
  EXPECT_EQ(r.channel_id, channel_.id);
  EXPECT_EQ(r.platform_media_id, "1234567890");
  EXPECT_EQ(r.type, MessageType::kImage);
  EXPECT_EQ(r.status, MediaStatus::kPending);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_GE(r.public_id.size(), 24u);  // Random, and never the platform's id.
  EXPECT_EQ(media().GetByPublicId(tenant_.id, r.public_id).value().id, r.id);
  // Another tenant's ids behave as if they did not exist.
  EXPECT_EQ(media().GetByPublicId(tenant_.id + 1, r.public_id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(media().ForMessages(tenant_.id + 1, {messages[0].id}).value().empty());
  // Meta's retry of the webhook makes no second record.
  ASSERT_EQ(Ingest(Request(kT0 + 1, {PhotoItem("wamid.p1", "1234567890")})).value().duplicates, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM media"), 1);
}

TEST_P(MediaRecordsTest, AnAttachmentGivenOnlyAsALinkGetsARecordOfItsLink) {
  const std::string link = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17900000000000001&signature=a";
  InboundItem item = PhotoItem("aWdfZAG1pZAF9photo1", "");
  item.message.media = Media{.url = link};
  // WhatsApp's webhooks may carry a URL beside the id: the id is what its record names.
  InboundItem both = PhotoItem("wamid.p2", "1234567890");
  both.message.media->url = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1234567890";
  const int64_t conversation = Ingest(Request(kT0, {item, both})).value().pending.at(0).conversation_id;
  auto messages = Messages(conversation);
  ASSERT_EQ(messages.size(), 2u);
  auto records = media().ForMessages(tenant_.id, {messages[0].id, messages[1].id}).value();
  ASSERT_EQ(records.size(), 2u);
  const MediaRecord& linked = records[0].message_id == messages[0].id ? records[0] : records[1];
  const MediaRecord& by_id = records[0].message_id == messages[0].id ? records[1] : records[0];
  EXPECT_EQ(linked.platform_media_id, link);
  EXPECT_EQ(linked.status, MediaStatus::kPending);
  EXPECT_EQ(by_id.platform_media_id, "1234567890");

  // Read, never kept: its bytes do not count in the tenant's storage, a kept file's do.
  auto leased = media().LeaseDue(kT0, kT0 + 60000, 10).value();
  ASSERT_EQ(leased.size(), 2u);
  MediaOutcome read{.status = MediaStatus::kReady, .mime_type = "image/png", .bytes = 5000};
  read.ocr_text = "ORDER #4417";
  MediaOutcome kept{.status = MediaStatus::kReady, .mime_type = "image/jpeg", .bytes = 700, .file_key = "k1"};
  for (const MediaRecord& r : leased) {
    ASSERT_TRUE(media().Finish(r.id, kT0 + 60000, r.id == linked.id ? read : kept, kT0 + 1));
  }
  EXPECT_EQ(media().UsageBytes(tenant_.id).value(), 700);
}

// Instagram's and Messenger's files are kept nowhere: retention deletes what was read from one, and marks nothing
// deleted where nothing was kept (a video the fetcher never downloads).
TEST_P(MediaRecordsTest, RetentionDeletesWhatWasReadFromALinkAndLeavesALinkThatHoldsNothing) {
  auto linked = [](const std::string& mid, const std::string& asset) {
    InboundItem item = PhotoItem(mid, "");
    item.message.media = Media{.url = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=" + asset};
    return item;
  };
  ASSERT_TRUE(Ingest(Request(kT0, {linked("aWdfZAG1pZAF9photo1", "1"), linked("aWdfZAG1pZAF9video1", "2")})));
  auto leased = media().LeaseDue(kT0, kT0 + 60000, 10).value();
  ASSERT_EQ(leased.size(), 2u);
  MediaOutcome read{.status = MediaStatus::kReady, .mime_type = "image/png", .bytes = 5000};
  read.ocr_text = "ORDER #4417";
  const MediaRecord& photo = leased[0].platform_media_id.ends_with("=1") ? leased[0] : leased[1];
  const MediaRecord& video = leased[0].platform_media_id.ends_with("=1") ? leased[1] : leased[0];
  ASSERT_TRUE(media().Finish(photo.id, kT0 + 60000, read, kT0 + 1));
  ASSERT_TRUE(media().Finish(video.id, kT0 + 60000, MediaOutcome{}, kT0 + 1));

  EXPECT_EQ(media().ExpireBefore(kT0 + 1, kT0 + 2).value(), 1);
  MediaRecord expired = media().GetByPublicId(tenant_.id, photo.public_id).value();
  EXPECT_EQ(expired.status, MediaStatus::kFailed);
  EXPECT_EQ(expired.error, "deleted after the retention period");
  EXPECT_FALSE(expired.ocr_text.has_value());
  MediaRecord untouched = media().GetByPublicId(tenant_.id, video.public_id).value();
  EXPECT_EQ(untouched.status, MediaStatus::kReady);
  EXPECT_EQ(untouched.error, "");
  EXPECT_EQ(media().ExpireBefore(kT0 + 1, kT0 + 3).value(), 0);
}

TEST_P(MediaRecordsTest, DueRecordsAreLeasedOnceRetriedAndFinished) {
  Photo("wamid.p1", "m1");
  EXPECT_EQ(media().NextDue().value(), kT0);
  // While pending, its platform media id is kept from the file sweep: a web chat visitor's upload is stored under it.
  EXPECT_EQ(media().FileKeys(tenant_.id).value(), (std::set<std::string>{"m1"}));
  auto leased = media().LeaseDue(kT0, kT0 + 60000, 10).value();
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_TRUE(media().LeaseDue(kT0 + 1, kT0 + 60001, 10).value().empty());  // Held by the first lease.
  EXPECT_EQ(media().NextDue().value(), kT0 + 60000);

  // A failure worth retrying: pending again, its attempt counted, due at retry_at.
  MediaOutcome retry{.status = MediaStatus::kPending, .error = "WhatsApp did not deliver the media"};
  retry.retry_at_ms = kT0 + 10000;
  ASSERT_TRUE(media().Finish(leased[0].id, kT0 + 60000, retry, kT0 + 5));
  EXPECT_TRUE(media().LeaseDue(kT0 + 9999, kT0 + 70000, 10).value().empty());
  auto again = media().LeaseDue(kT0 + 10000, kT0 + 70000, 10).value();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1);

  // A stale lease records nothing.
  MediaOutcome ready{.status = MediaStatus::kReady, .mime_type = "image/jpeg", .bytes = 1234, .file_key = "f"};
  ready.thumbnail_key = "t";
  ready.agent_key = "a";
  ASSERT_TRUE(media().Finish(again[0].id, kT0 + 60000, ready, kT0 + 10001));
  EXPECT_EQ(media().GetByPublicId(tenant_.id, again[0].public_id).value().status, MediaStatus::kPending);

  ASSERT_TRUE(media().Finish(again[0].id, kT0 + 70000, ready, kT0 + 10001));
  MediaRecord done = media().GetByPublicId(tenant_.id, again[0].public_id).value();
  EXPECT_EQ(done.status, MediaStatus::kReady);
  EXPECT_EQ(done.mime_type, "image/jpeg");
  EXPECT_EQ(done.bytes, 1234);
  EXPECT_EQ(done.attempts, 2);
  EXPECT_EQ(done.error, "");
  EXPECT_FALSE(media().NextDue().value().has_value());
  EXPECT_EQ(media().FileKeys(tenant_.id).value(), (std::set<std::string>{"a", "f", "t"}));
  EXPECT_EQ(media().UsageBytes(tenant_.id).value(), 1234);
  EXPECT_EQ(media().UsageBytes(tenant_.id + 1).value(), 0);
}

TEST_P(MediaRecordsTest, AFileKeptOrGivenUpOnIsAnnouncedOnItsMessage) {
  const int64_t conversation = Photo("wamid.p1", "m1");
  const int64_t message_id = Messages(conversation).at(0).id;
  const auto media_events = [&] {
    std::vector<std::string> found;
    for (const Event& event : store_->events().Read(tenant_.id, 0, 1000).value().events) {
      if (event.type == EventType::kMessageUpdated && event.data.find("media_status") != std::string::npos) {
        found.push_back(event.data);
      }
    }
    return found;
  };
  auto leased = media().LeaseDue(kT0, kT0 + 60000, 10).value();
  ASSERT_EQ(leased.size(), 1u);
  MediaOutcome retry{.status = MediaStatus::kPending, .error = "WhatsApp did not deliver the media"};
  retry.retry_at_ms = kT0 + 10;
  ASSERT_TRUE(media().Finish(leased[0].id, kT0 + 60000, retry, kT0 + 5));
  EXPECT_TRUE(media_events().empty());  // Still pending: nothing a reader would show differently.

  leased = media().LeaseDue(kT0 + 10, kT0 + 70000, 10).value();
  ASSERT_EQ(leased.size(), 1u);
  MediaOutcome ready{.status = MediaStatus::kReady, .mime_type = "image/jpeg", .bytes = 1234, .file_key = "f"};
  ASSERT_TRUE(media().Finish(leased[0].id, kT0 + 70000, ready, kT0 + 11));
  const auto events = media_events();
  ASSERT_EQ(events.size(), 1u);
  const auto data = boost::json::parse(events[0]).as_object();
  EXPECT_EQ(data.at("conversation_id").to_number<int64_t>(), conversation);
  EXPECT_EQ(data.at("message_id").to_number<int64_t>(), message_id);
  EXPECT_EQ(data.at("status"), "received");
  EXPECT_EQ(data.at("media_status"), "ready");
  // A stale lease's outcome announces nothing.
  ASSERT_TRUE(media().Finish(leased[0].id, kT0 + 70000, ready, kT0 + 12));
  EXPECT_EQ(media_events().size(), 1u);
}

// The log reads a media message with its record as it is now, for the media object the events show: its
// message.created, and the message.updated of its media kept (a delivery tick names no message).
TEST_P(MediaRecordsTest, TheLogReadsAMediaMessageWithItsRecord) {
  const int64_t conversation = Photo("wamid.p1", "m1");
  auto leased = media().LeaseDue(kT0, kT0 + 60000, 10).value();
  ASSERT_EQ(leased.size(), 1u);
  MediaOutcome ready{.status = MediaStatus::kReady, .mime_type = "image/jpeg", .bytes = 1234, .file_key = "f"};
  ASSERT_TRUE(media().Finish(leased[0].id, kT0 + 60000, ready, kT0 + 1));
  std::vector<EventType> read;
  for (const Event& event : store_->events().Read(tenant_.id, 0, 1000).value().events) {
    if (!event.message) continue;
    read.push_back(event.type);
    EXPECT_EQ(event.message->conversation_id, conversation);
    EXPECT_TRUE(event.message->details.contains("media"));
    ASSERT_TRUE(event.message->media.has_value()) << ToString(event.type);
    EXPECT_EQ(event.message->media->public_id, leased[0].public_id);
    EXPECT_EQ(event.message->media->status, MediaStatus::kReady);
    EXPECT_EQ(event.message->media->bytes, 1234);
  }
  EXPECT_EQ(read, (std::vector<EventType>{EventType::kMessageCreated, EventType::kMessageUpdated}));
}

TEST_P(MediaRecordsTest, RefusedAndFailedKeepTheirReason) {
  Photo("wamid.p1", "m1");
  Photo("wamid.p2", "m2");
  auto leased = media().LeaseDue(kT0, kT0 + 60000, 10).value();
  ASSERT_EQ(leased.size(), 2u);
  ASSERT_TRUE(media().Finish(
      leased[0].id, kT0 + 60000,
      {.status = MediaStatus::kRefused, .error = "too large: image files are limited to 5120 KB"}, kT0 + 1));
  ASSERT_TRUE(media().Finish(leased[1].id, kT0 + 60000,
                             {.status = MediaStatus::kFailed, .error = "WhatsApp no longer has this media"}, kT0 + 1));
  MediaRecord refused = media().GetByPublicId(tenant_.id, leased[0].public_id).value();
  EXPECT_EQ(refused.status, MediaStatus::kRefused);
  EXPECT_EQ(refused.error, "too large: image files are limited to 5120 KB");
  EXPECT_EQ(media().GetByPublicId(tenant_.id, leased[1].public_id).value().status, MediaStatus::kFailed);
  EXPECT_FALSE(media().NextDue().value().has_value());
}

TEST_P(MediaRecordsTest, WhatWasReadFromTheMediaIsKeptWithItAndNamesItsConversation) {
  const int64_t conversation = Photo("wamid.p1", "m1");
  auto leased = media().LeaseDue(kT0, kT0 + 60000, 10).value();
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].conversation_id, conversation);
  EXPECT_FALSE(leased[0].transcript.has_value());
  EXPECT_FALSE(leased[0].ocr_text.has_value());
  MediaOutcome ready{.status = MediaStatus::kReady, .mime_type = "image/png", .bytes = 10, .file_key = "f"};
  ready.ocr_text = "ORDER #4417\nLivraison prévue";
  ready.transcript = "";  // Known, and empty: not the same as unknown.
  ASSERT_TRUE(media().Finish(leased[0].id, kT0 + 60000, ready, kT0 + 1));
  auto records = media().ForMessages(tenant_.id, {Messages(conversation).at(0).id}).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].conversation_id, conversation);
  EXPECT_EQ(records[0].ocr_text, std::optional<std::string>("ORDER #4417\nLivraison prévue"));
  EXPECT_EQ(records[0].transcript, std::optional<std::string>(""));
  // Retention takes what was read with the file.
  EXPECT_EQ(media().ExpireBefore(kT0 + 1, kT0 + 2).value(), 1);
  MediaRecord expired = media().GetByPublicId(tenant_.id, records[0].public_id).value();
  EXPECT_FALSE(expired.ocr_text.has_value());
  EXPECT_FALSE(expired.transcript.has_value());
}

TEST_P(MediaRecordsTest, RetentionClearsTheFilesOfOldMediaAndErasureDeletesTheRecords) {
  Photo("wamid.old", "m1", kT0);
  Photo("wamid.new", "m2", kT0 + 100000);
  auto leased = media().LeaseDue(kT0 + 100000, kT0 + 200000, 10).value();
  ASSERT_EQ(leased.size(), 2u);
  for (const auto& r : leased) {
    MediaOutcome ready{.status = MediaStatus::kReady, .mime_type = "image/png", .bytes = 10};
    ready.file_key = "key-" + r.platform_media_id;
    ASSERT_TRUE(media().Finish(r.id, kT0 + 200000, ready, kT0 + 100001));
  }
  EXPECT_EQ(media().ExpireBefore(kT0 + 50000, kT0 + 300000, 1).value(), 1);
  const MediaRecord& old_one = leased[0].platform_media_id == "m1" ? leased[0] : leased[1];
  MediaRecord expired = media().GetByPublicId(tenant_.id, old_one.public_id).value();
  EXPECT_EQ(expired.status, MediaStatus::kFailed);
  EXPECT_EQ(expired.error, "deleted after the retention period");
  EXPECT_EQ(expired.file_key, "");
  EXPECT_EQ(media().FileKeys(tenant_.id).value(), (std::set<std::string>{"key-m2"}));

  const int64_t contact = backend_->QueryInt("SELECT id FROM contacts");
  ASSERT_TRUE(store_->contacts().EraseContact(tenant_.id, contact, "user:1", kT0 + 400000));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM media"), 0);
  EXPECT_TRUE(media().FileKeys(tenant_.id).value().empty());
}

TEST_P(MediaRecordsTest, APersonsFileIsReadyWithItsReplyAndGoesOutWithIt) {
  const int64_t conversation =
      Ingest(Request(kT0, {Inbound("wamid.q1", "c1", "My receipt?")})).value().pending.at(0).conversation_id;
  const OutboundFile file{.type = MessageType::kImage,
                          .mime_type = "image/jpeg",
                          .bytes = 48'213,
                          .filename = "receipt.jpg",
                          .file_key = std::string(64, 'a'),
                          .thumbnail_key = std::string(64, 'b'),
                          .agent_key = std::string(64, 'c')};
  auto reply = store_->QueuePersonReply(tenant_.id, conversation, "Here it is", "user:1", 0, kT0 + 10,
                                        parley::testing::kWhatsAppWindow, std::nullopt, file);
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->draft.type, MessageType::kImage);
  EXPECT_EQ(reply->draft.text, "Here it is");
  ASSERT_TRUE(reply->draft.file);
  EXPECT_EQ(reply->draft.file->file_key, file.file_key);
  EXPECT_EQ(reply->draft.file->mime_type, "image/jpeg");
  EXPECT_EQ(reply->draft.file->bytes, 48'213);
  EXPECT_EQ(reply->draft.file->filename, "receipt.jpg");
  EXPECT_GE(reply->draft.file->public_id.size(), 24u);

  // Its record is ready at once (nothing to fetch) and the thread finds it like a customer's.
  auto records = media().ForMessages(tenant_.id, {reply->id}).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].status, MediaStatus::kReady);
  EXPECT_EQ(records[0].public_id, reply->draft.file->public_id);
  EXPECT_EQ(records[0].thumbnail_key, file.thumbnail_key);
  EXPECT_EQ(records[0].type, MessageType::kImage);
  EXPECT_FALSE(media().NextDue().value().has_value());
  EXPECT_EQ(media().FileKeys(tenant_.id).value(),
            (std::set<std::string>{file.file_key, file.thumbnail_key, file.agent_key}));
  const StoredMessage stored = MessageById(conversation, reply->id);
  EXPECT_EQ(stored.details.at("media").at("filename"), "receipt.jpg");

  // The outbox leases it with its file.
  auto attempt = store_->LeaseNextOutbound(conversation, kT0 + 20, 30'000).value();
  ASSERT_TRUE(attempt.lease);
  ASSERT_TRUE(attempt.lease->message.draft.file);
  EXPECT_EQ(attempt.lease->message.draft.file->public_id, reply->draft.file->public_id);

  // A caption may be empty; a file is not a template's, and is an image, audio, a video or a document.
  OutboundFile document = file;
  document.type = MessageType::kDocument;
  EXPECT_TRUE(store_->QueuePersonReply(tenant_.id, conversation, "", "user:1", 0, kT0 + 30,
                                       parley::testing::kWhatsAppWindow, std::nullopt, document));
  OutboundFile sticker = file;
  sticker.type = MessageType::kSticker;
  EXPECT_EQ(store_
                ->QueuePersonReply(tenant_.id, conversation, "", "user:1", 0, kT0 + 40,
                                   parley::testing::kWhatsAppWindow, std::nullopt, sticker)
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_
                ->QueuePersonReply(tenant_.id, conversation, "Hi", "user:1", 0, kT0 + 50,
                                   parley::testing::kWhatsAppWindow, TemplateMessage{"hello", "en", {}}, file)
                .error()
                .code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace parley::store::testing
