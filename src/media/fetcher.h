#pragma once
// The worker side of inbound media: leases the media records that are due (store/media_records.h), downloads each
// from its platform through the one HTTP client (its platform's Channel::FetchMedia; a web chat visitor's upload is
// read from the media store, where it was kept before its message was stored), checks the bytes (media/sniff.h),
// keeps them in the media store, makes an image's agent copy and thumbnail (imaging/image.h) on the blocking pool, has
// a voice note transcribed (media/transcriber.h) and the text of a photo (imaging/ocr.h) or a PDF read, and records the
// outcome; then it tells the reply path, whose burst waits for its media (app/reply_worker.h). A platform whose files
// Parley must not keep (PlatformTraits::keeps_media: Instagram, Messenger) has them downloaded only when there is
// something to read, and only read. A failure worth retrying (a download, a transcription endpoint that is down) waits
// retry_base, then twice as long each time, up to `attempts` tries; then a file that could not be had is `failed`
// with the reason, one that could not be read is `ready` without its text; a file over its limit or of a type its
// message cannot carry is `refused`. Never in the webhook's request: the
// record is made with the message, and this runs in worker processes (PARLEY_ROLE all or worker), any number of them (a
// record is leased by one).

#include "channels/channel.h"
#include "channels/platform.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "http/client.h"
#include "imaging/image.h"
#include "imaging/ocr.h"
#include "media/media_store.h"
#include "media/transcriber.h"
#include "store/media_records.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace parley::media {

// The most of a file's text kept on its record (a PDF's first pages): what a chat needs, not the whole book.
inline constexpr size_t kMaxReadTextBytes = 20000;

struct FetcherOptions {
  //! The platforms' live channels, which download their media (Channel::FetchMedia). Outlives the fetcher.
  const parley::channels::ChannelSet* channels = nullptr;
  int attempts = 5;  //!< Downloads tried before `failed`.
  std::chrono::milliseconds retry_base{10000};
  std::chrono::milliseconds lease{120000};    //!< A record a dead worker held is taken again after this.
  std::chrono::milliseconds idle_poll{1000};  //!< How often an idle fetcher looks for due records.
  int batch = 4;                              //!< Records leased (and fetched at once) per pass.
  imaging::ImageOptions image;
  imaging::OcrOptions ocr;  //!< Reading the text in photos; no languages: none is read.
  //! Reads the text of a PDF sent as a document (the knowledge's extraction, knowledge/document_text.h); empty keeps
  //! documents unread. `pdf` stays valid until the returned coroutine completes.
  std::function<boost::asio::awaitable<Result<std::string>>(std::string_view pdf)> read_pdf;
  //! Transcribes voice and audio messages once kept; null keeps them without a transcript. Outlives the fetcher.
  Transcriber* transcriber = nullptr;
  //! Called once a record's outcome is final (ready, failed or refused) with its conversation, when that still has
  //! unanswered messages, on the fetcher's executor; must not block. Its burst is answered at its debounce deadline
  //! (the batcher's Arm): now when it was waiting for the media, later when the customer may still be writing.
  std::function<void(const store::PendingConversation& pending)> on_settled;
};

class Fetcher {
 public:
  // Every reference must outlive the fetcher.
  Fetcher(boost::asio::any_io_executor executor, store::Store& store, MediaStore& files, BlockingPool& pool,
          http::Client& client, const Clock& clock, FetcherOptions options);

  // Leases the due records and processes them one after another; returns how many it leased. On the caller's
  // executor.
  boost::asio::awaitable<int> RunOnce();

  // Runs passes until Stop(): one after another while records are due, else every idle_poll.
  void Start();
  // Ends the loop; a pass in progress finishes (its leases expire if the process exits first). Thread-safe.
  void Stop();
  // Looks for due records now rather than at the next idle poll: a burst waits for its media. Thread-safe.
  void Wake();

  // What one downloaded file comes to, without the network: checked (Check), then stored (Store). Blocking (file I/O
  // and decoding): on the blocking pool.
  static store::MediaOutcome Keep(const store::MediaRecord& record, const std::string& bytes, MediaStore& files,
                                  const imaging::ImageOptions& image);
  // Keep's check alone, for a file Parley does not keep: its type sniffed and admitted, or `refused`.
  static store::MediaOutcome Check(const store::MediaRecord& record, const std::string& bytes);
  // Keep's storing, for bytes already admitted as `mime_type` (Check, media::AdmitUpload): the original, put under
  // its content's key (`kept_key` when the bytes are already kept under it: a web chat visitor's upload, hashed
  // once), and an image's agent copy and thumbnail. `pending` when the original cannot be written (the disk may have
  // room later). Blocking: on the blocking pool.
  static store::MediaOutcome Store(const store::MediaRecord& record, const std::string& bytes, std::string mime_type,
                                   MediaStore& files, const imaging::ImageOptions& image, std::string kept_key = {});

 private:
  boost::asio::awaitable<void> Process(store::MediaRecord record, int64_t lease_until_ms);
  // Downloads the record's file from `channel`'s platform, keeps it or only checks it (PlatformTraits::keeps_media),
  // and reads it. An error when it could not be had or read now.
  boost::asio::awaitable<Result<store::MediaOutcome>> Obtain(const store::MediaRecord& record,
                                                             const store::Channel& channel);
  // The record's file: downloaded from `channel`'s platform (Channel::FetchMedia), or read from the media store for a
  // platform whose customers upload their files to Parley (PlatformTraits::MediaSource::kUploaded).
  boost::asio::awaitable<Result<channels::FetchedMedia>> Download(const store::MediaRecord& record,
                                                                  const store::Channel& channel,
                                                                  const channels::PlatformTraits& traits);
  // Whether a file of this type can tell the agent anything with this fetcher's options: a file Parley does not keep
  // is downloaded only then.
  bool Reads(MessageType type) const;
  // Adds what can be read from a file to `outcome`: a voice note's transcript, a photo's text (on the blocking pool)
  // or a PDF's (at most kMaxReadTextBytes). A failure leaves it unknown (logged) and is returned: Obtain tries again
  // later when it may pass; else the agent's turn says it could not listen, or reads the photo as "[image]".
  boost::asio::awaitable<Result<void>> Understand(const store::MediaRecord& record, const std::string& bytes,
                                                  store::MediaOutcome& outcome);
  boost::asio::awaitable<void> Loop();

  boost::asio::any_io_executor executor_;
  store::Store& store_;
  MediaStore& files_;
  BlockingPool& pool_;
  http::Client& client_;
  const Clock& clock_;
  const FetcherOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> woken_{false};                    // A Wake() the loop has not seen yet.
  std::shared_ptr<boost::asio::steady_timer> timer_;  // Set by Start, on a strand of its own.
};

}  // namespace parley::media
