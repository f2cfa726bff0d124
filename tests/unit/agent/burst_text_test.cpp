#include "agent/agent_responder.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace parley::agent {
namespace {

store::StoredMessage Text(std::string text) {
  store::StoredMessage message;
  message.text = std::move(text);
  return message;
}

// A photo of the burst whose copy for the agent is `agent_copy` in `files` (empty: none was made).
store::StoredMessage Photo(media::MediaStore& files, const std::string& agent_copy,
                           MessageType type = MessageType::kImage,
                           store::MediaStatus status = store::MediaStatus::kReady) {
  store::StoredMessage message;
  message.id = static_cast<int64_t>(agent_copy.size());
  message.type = type;
  store::MediaRecord media;
  media.status = status;
  if (!agent_copy.empty()) media.agent_key = files.Put(1, agent_copy).value();
  message.media = std::move(media);
  return message;
}

TEST(BurstImagesTest, TheNewestReadyPhotosOldestFirst) {
  testing::TempDir dir("parley-burst-images");
  auto files = media::MakeFileMediaStore(dir.path().string());
  std::vector<store::StoredMessage> burst{
      Text("look"),
      Photo(*files, "photo 1"),
      Photo(*files, "photo 2"),
      Photo(*files, "a sticker", MessageType::kSticker),
      Photo(*files, "still fetched", MessageType::kImage, store::MediaStatus::kPending),
      Photo(*files, ""),  // Kept without previews (too many pixels).
      Photo(*files, "photo 3"),
      Photo(*files, "photo 4"),
      Photo(*files, "photo 5"),
      Text("how much are these?")};
  std::vector<std::string> seen;
  for (const ChatImage& image : BurstImages(*files, 1, burst)) {
    EXPECT_EQ(image.mime_type, "image/jpeg");
    seen.push_back(image.bytes);
  }
  static_assert(kMaxImagesPerBurst == 4);
  EXPECT_EQ(seen, (std::vector<std::string>{"photo 2", "photo 3", "photo 4", "photo 5"}));

  // A file gone from the store is left out; the others still go.
  ASSERT_TRUE(files->Remove(1, burst[8].media->agent_key));
  seen.clear();
  for (const ChatImage& image : BurstImages(*files, 1, burst)) seen.push_back(image.bytes);
  EXPECT_EQ(seen, (std::vector<std::string>{"photo 1", "photo 2", "photo 3", "photo 4"}));
}

TEST(BurstTextTest, AnOrdinaryBurstIsReadWholeOneMessagePerLine) {
  int left_out = -1;
  EXPECT_EQ(BurstText({Text("hi"), Text("are you open sunday?")}, left_out), "hi\nare you open sunday?");
  EXPECT_EQ(left_out, 0);
}

TEST(BurstTextTest, AFloodIsReadFromItsNewestMessages) {
  std::vector<store::StoredMessage> flood;
  for (int i = 0; i < 330; ++i) flood.push_back(Text("message " + std::to_string(i)));
  int left_out = 0;
  const std::string burst = BurstText(flood, left_out);
  EXPECT_EQ(left_out, 330 - static_cast<int>(kMaxBurstMessages));
  EXPECT_EQ(burst.find("message 309\n"), std::string::npos);
  EXPECT_EQ(burst.rfind("message 310\n", 0), 0u) << burst;
  EXPECT_TRUE(burst.ends_with("\nmessage 329")) << burst;
}

TEST(BurstTextTest, LongMessagesStopAtTheByteBoundKeepingTheNewest) {
  const std::string long_text(kMaxBurstBytes / 2, 'a');
  int left_out = 0;
  const std::string burst = BurstText({Text("oldest"), Text(long_text), Text(long_text)}, left_out);
  EXPECT_EQ(left_out, 2);
  EXPECT_EQ(burst, long_text);
}

TEST(BurstTextTest, OneMessageOverTheBoundIsCutAtACharacterBoundary) {
  std::string accents;
  while (accents.size() <= kMaxBurstBytes) accents += "é";  // Two bytes each, so the bound falls inside one.
  accents = "x" + accents;
  int left_out = 0;
  const std::string burst = BurstText({Text(accents)}, left_out);
  EXPECT_EQ(left_out, 0);
  EXPECT_LE(burst.size(), kMaxBurstBytes);
  EXPECT_EQ(burst.size() % 2, 1u);  // "x" then whole "é"s: never half of one.
  EXPECT_EQ(burst, accents.substr(0, burst.size()));
}

store::StoredMessage Media(MessageType type, std::optional<std::string> caption) {
  store::StoredMessage message;
  message.type = type;
  message.text = std::move(caption);
  return message;
}

TEST(MessageTextTest, AVoiceNoteIsReadAsIfItsTranscriptHadBeenTyped) {
  store::StoredMessage voice = Media(MessageType::kAudio, std::nullopt);
  EXPECT_EQ(MessageText(voice), "[audio]");  // Its record not loaded, or no transcript.
  voice.media.emplace().transcript = "  Is the shop\nopen on Sunday?  ";
  EXPECT_EQ(MessageText(voice), "Is the shop open on Sunday?");
  voice.media->transcript = "";  // Nothing was said.
  EXPECT_EQ(MessageText(voice), "[audio]");
}

TEST(MessageTextTest, APhotoCarriesTheTextReadInItOnOneLine) {
  store::StoredMessage photo = Media(MessageType::kImage, "the parcel arrived like this");
  EXPECT_EQ(MessageText(photo), "[image] the parcel arrived like this");
  photo.media.emplace().ocr_text = "ORDER #4417\nLivraison prévue";
  EXPECT_EQ(MessageText(photo), "[image; text in it: ORDER #4417 Livraison prévue] the parcel arrived like this");
  photo.text.reset();
  photo.media->ocr_text = "";  // Read, and no text in it.
  EXPECT_EQ(MessageText(photo), "[image]");
}

TEST(MessageTextTest, ALongDocumentIsReadFromItsBeginningLeavingRoomForTheWords) {
  store::StoredMessage pdf = Media(MessageType::kDocument, "here is my invoice");
  pdf.media.emplace().ocr_text = "Invoice 2291\n" + std::string(10000, 'x');
  const std::string text = MessageText(pdf);
  EXPECT_TRUE(text.starts_with("[document; text in it: Invoice 2291 xxx")) << text.substr(0, 60);
  EXPECT_TRUE(text.ends_with("x…] here is my invoice")) << text.substr(text.size() - 60);
  EXPECT_LT(text.size(), 3100u);
}

TEST(MessageTextTest, AVoiceNoteInABurstIsOneLineOfIt) {
  store::StoredMessage voice = Media(MessageType::kAudio, std::nullopt);
  voice.media.emplace().transcript = "and do you deliver?\n";
  int left_out = -1;
  EXPECT_EQ(BurstText({Text("hello"), voice}, left_out), "hello\nand do you deliver?");
}

}  // namespace
}  // namespace parley::agent
