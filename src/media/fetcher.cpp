#include "media/fetcher.h"

#include "channels/registry.h"
#include "core/log.h"
#include "core/utf8.h"
#include "media/sniff.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace parley::media {
namespace {

namespace asio = boost::asio;

store::MediaOutcome Refused(std::string reason) {
  store::MediaOutcome outcome;
  outcome.status = store::MediaStatus::kRefused;
  outcome.error = std::move(reason);
  return outcome;
}

bool WorthRetrying(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kTimeout || code == ErrorCode::kRateLimited;
}

}  // namespace

Fetcher::Fetcher(asio::any_io_executor executor, store::Store& store, MediaStore& files, BlockingPool& pool,
                 http::Client& client, const Clock& clock, FetcherOptions options)
    : executor_(std::move(executor)),
      store_(store),
      files_(files),
      pool_(pool),
      client_(client),
      clock_(clock),
      options_(std::move(options)) {}

store::MediaOutcome Fetcher::Check(const store::MediaRecord& record, const std::string& bytes) {
  auto admitted = Admit(record.type, bytes);
  if (!admitted) return Refused(admitted.error().message);
  store::MediaOutcome outcome;
  outcome.mime_type = *admitted;
  outcome.bytes = static_cast<int64_t>(bytes.size());
  return outcome;
}

store::MediaOutcome Fetcher::Keep(const store::MediaRecord& record, const std::string& bytes, MediaStore& files,
                                  const imaging::ImageOptions& image) {
  store::MediaOutcome checked = Check(record, bytes);
  if (checked.status != store::MediaStatus::kReady) return checked;
  return Store(record, bytes, std::move(checked.mime_type), files, image);
}

store::MediaOutcome Fetcher::Store(const store::MediaRecord& record, const std::string& bytes, std::string mime_type,
                                   MediaStore& files, const imaging::ImageOptions& image, std::string kept_key) {
  store::MediaOutcome outcome;
  outcome.mime_type = std::move(mime_type);
  outcome.bytes = static_cast<int64_t>(bytes.size());
  if (kept_key.empty()) {
    auto key = files.Put(record.tenant_id, bytes);
    if (!key) {
      outcome.status = store::MediaStatus::kPending;  // The disk may have room again later.
      outcome.error = key.error().message;
      return outcome;
    }
    kept_key = std::move(*key);
  }
  outcome.file_key = std::move(kept_key);
  if (IsDecodableImage(outcome.mime_type)) {
    // An image that cannot be decoded (or declares too many pixels) is still kept, as a file without previews.
    auto prepared = imaging::PrepareImage(bytes, image);
    if (!prepared) {
      log::Info("media_image_not_prepared", {{"media_id", record.id}, {"reason", prepared.error().message}});
    } else {
      auto agent = files.Put(record.tenant_id, prepared->agent_jpeg);
      auto thumbnail = files.Put(record.tenant_id, prepared->thumbnail_jpeg);
      if (agent && thumbnail) {
        outcome.agent_key = *agent;
        outcome.thumbnail_key = *thumbnail;
      }
    }
  }
  return outcome;
}

bool Fetcher::Reads(MessageType type) const {
  const std::optional<MediaKind> kind = KindOf(type);
  if (kind == MediaKind::kImage) return !options_.ocr.languages.empty();
  if (kind == MediaKind::kAudio) return options_.transcriber != nullptr;
  if (kind == MediaKind::kDocument) return static_cast<bool>(options_.read_pdf);
  return false;  // Videos and stickers: nothing is read from them.
}

asio::awaitable<Result<channels::FetchedMedia>> Fetcher::Download(const store::MediaRecord& record,
                                                                  const store::Channel& channel,
                                                                  const channels::PlatformTraits& traits) {
  if (traits.media_source == channels::PlatformTraits::MediaSource::kUploaded) {
    auto read = [this, &record] { return files_.Get(record.tenant_id, record.platform_media_id); };
    Result<std::string> uploaded = co_await pool_.Run(read);
    if (!uploaded) {
      if (uploaded.error().code == ErrorCode::kNotFound) {
        co_return Error::NotFound("the uploaded file is no longer kept");
      }
      co_return Error::Unavailable("the uploaded file could not be read", uploaded.error().detail);
    }
    co_return channels::FetchedMedia{.bytes = std::move(*uploaded), .declared_mime_type = {}};
  }
  channels::Channel* platform = options_.channels->Get(channel.platform);
  if (platform == nullptr) co_return Error::InvalidArgument("downloading media is not supported on this platform");
  const std::optional<MediaKind> kind = KindOf(record.type);
  const int64_t max_bytes = kind ? MaxBytes(*kind) : 0;
  const channels::SendAccount account{channel.account_id, channel.access_token};
  co_return co_await platform->FetchMedia(client_, account, record.platform_media_id, max_bytes);
}

asio::awaitable<Result<store::MediaOutcome>> Fetcher::Obtain(const store::MediaRecord& record,
                                                             const store::Channel& channel) {
  const channels::PlatformTraits& traits = channels::TraitsOf(channel.platform);
  const bool keeps = traits.keeps_media;
  // A file Parley does not keep is downloaded only to be read; the platform's link shows it.
  if (!keeps && !Reads(record.type)) co_return store::MediaOutcome{};
  Result<channels::FetchedMedia> fetched = co_await Download(record, channel, traits);
  if (!fetched) co_return fetched.error();
  store::MediaOutcome outcome = Check(record, fetched->bytes);
  if (keeps && outcome.status == store::MediaStatus::kReady) {
    // An upload is kept already, under the key its record names (its content's hash): not hashed again.
    const bool uploaded = traits.media_source == channels::PlatformTraits::MediaSource::kUploaded;
    auto keep = [&record, &fetched, &outcome, uploaded, this] {
      return Store(record, fetched->bytes, outcome.mime_type, files_, options_.image,
                   uploaded ? record.platform_media_id : std::string());
    };
    outcome = co_await pool_.Run(keep);
  }
  if (outcome.status != store::MediaStatus::kReady) co_return outcome;
  Result<void> read = co_await Understand(record, fetched->bytes, outcome);
  // A transcription endpoint that is down now may answer later: the record waits for it, unless this was the last
  // attempt, and then it is ready without what could not be read.
  if (!read && WorthRetrying(read.error().code) && record.attempts + 1 < options_.attempts) co_return read.error();
  co_return outcome;
}

asio::awaitable<void> Fetcher::Process(store::MediaRecord record, int64_t lease_until_ms) {
  auto load_channel = [this, id = record.channel_id] { return store_.GetChannel(id); };
  Result<store::Channel> channel = co_await pool_.Run(load_channel);
  Result<store::MediaOutcome> obtained = channel.error();
  if (channel) obtained = co_await Obtain(record, *channel);
  store::MediaOutcome outcome;
  std::string detail;
  if (obtained) {
    outcome = std::move(*obtained);
  } else {
    const Error& failure = obtained.error();
    detail = failure.detail;
    if (failure.code == ErrorCode::kPayloadTooLarge || failure.code == ErrorCode::kUnsupportedMediaType) {
      outcome = Refused(failure.message);
    } else {
      outcome.status = WorthRetrying(failure.code) ? store::MediaStatus::kPending : store::MediaStatus::kFailed;
      outcome.error = failure.message;
    }
  }
  if (outcome.status == store::MediaStatus::kPending) {
    if (record.attempts + 1 >= options_.attempts) {
      outcome.status = store::MediaStatus::kFailed;
    } else {
      const int64_t wait = options_.retry_base.count() << std::min(record.attempts, 20);
      outcome.retry_at_ms = clock_.NowMs() + wait;
    }
  }
  log::Info("media_fetched", {{"media_id", record.id},
                              {"tenant_id", record.tenant_id},
                              {"status", ToString(outcome.status)},
                              {"attempt", record.attempts + 1},
                              {"detail", detail}});
  auto finish = [this, id = record.id, lease_until_ms, &outcome] {
    return store_.media().Finish(id, lease_until_ms, outcome, clock_.NowMs());
  };
  Result<void> finished = co_await pool_.Run(finish);
  if (!finished) log::Warn("media_finish_failed", {{"media_id", record.id}, {"detail", finished.error().detail}});
  if (!finished || outcome.status == store::MediaStatus::kPending || !options_.on_settled) co_return;
  auto load_pending = [this, id = record.conversation_id] { return store_.GetPendingConversation(id); };
  Result<std::optional<store::PendingConversation>> pending = co_await pool_.Run(load_pending);
  if (!pending) log::Warn("media_settle_unannounced", {{"media_id", record.id}, {"detail", pending.error().detail}});
  if (pending && *pending) options_.on_settled(**pending);
}

asio::awaitable<Result<void>> Fetcher::Understand(const store::MediaRecord& record, const std::string& bytes,
                                                  store::MediaOutcome& outcome) {
  const std::optional<MediaKind> kind = KindOf(record.type);
  const bool reads_image =
      kind == MediaKind::kImage && IsDecodableImage(outcome.mime_type) && !options_.ocr.languages.empty();
  const bool reads_pdf = kind == MediaKind::kDocument && outcome.mime_type == "application/pdf" && options_.read_pdf;
  const bool transcribes = kind == MediaKind::kAudio && options_.transcriber != nullptr;
  if (!reads_image && !reads_pdf && !transcribes) co_return Ok();
  const auto started = std::chrono::steady_clock::now();
  Result<std::string> understood = std::string();
  if (reads_image) {
    auto read = [&bytes, this] { return imaging::ReadText(bytes, options_.ocr); };
    understood = co_await pool_.Run(read);
  } else if (reads_pdf) {
    understood = co_await options_.read_pdf(bytes);
  } else {
    understood = co_await options_.transcriber->Transcribe(bytes, outcome.mime_type);
  }
  const int64_t elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (!understood) {
    log::Warn(transcribes ? "media_not_transcribed" : "media_text_not_read", {{"media_id", record.id},
                                                                              {"tenant_id", record.tenant_id},
                                                                              {"error", understood.error().message},
                                                                              {"detail", understood.error().detail},
                                                                              {"ms", elapsed_ms}});
    co_return understood.error();
  }
  std::string text = std::move(*understood);
  text.resize(Utf8Prefix(text, kMaxReadTextBytes).size());
  const auto chars = static_cast<int64_t>(text.size());
  (transcribes ? outcome.transcript : outcome.ocr_text) = std::move(text);
  log::Info(transcribes ? "media_transcribed" : "media_text_read",
            {{"media_id", record.id}, {"tenant_id", record.tenant_id}, {"chars", chars}, {"ms", elapsed_ms}});
  co_return Ok();
}

asio::awaitable<int> Fetcher::RunOnce() {
  const int64_t now_ms = clock_.NowMs();
  // A read first: an idle fetcher polls, and on SQLite a lease is a write.
  auto next_due = [this] { return store_.media().NextDue(); };
  Result<std::optional<int64_t>> due = co_await pool_.Run(next_due);
  if (due && (!*due || **due > now_ms)) co_return 0;
  const int64_t lease_until_ms = now_ms + options_.lease.count();
  auto lease = [this, now_ms, lease_until_ms] {
    return store_.media().LeaseDue(now_ms, lease_until_ms, options_.batch);
  };
  Result<std::vector<store::MediaRecord>> leased = co_await pool_.Run(lease);
  if (!leased) {
    log::Warn("media_lease_failed", {{"detail", leased.error().detail}});
    co_return 0;
  }
  for (store::MediaRecord& record : *leased) co_await Process(std::move(record), lease_until_ms);
  co_return static_cast<int>(leased->size());
}

asio::awaitable<void> Fetcher::Loop() {
  while (!stopping_) {
    const int leased = co_await RunOnce();
    // A Wake() during the pass may be for a record made after its lease: one more pass.
    if (leased > 0 || woken_.exchange(false)) continue;
    if (stopping_) co_return;
    timer_->expires_after(options_.idle_poll);
    co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));  // Cut short by Wake() and Stop().
  }
}

void Fetcher::Start() {
  timer_ = std::make_shared<asio::steady_timer>(asio::make_strand(executor_));
  asio::co_spawn(timer_->get_executor(), Loop(), [](std::exception_ptr error) {
    if (error) log::Error("media_fetcher_failed", {});
  });
}

void Fetcher::Wake() {
  woken_ = true;
  if (!timer_) return;
  asio::post(timer_->get_executor(), [timer = timer_] { timer->cancel(); });
}

void Fetcher::Stop() {
  stopping_ = true;
  if (!timer_) return;
  asio::post(timer_->get_executor(), [timer = timer_] { timer->cancel(); });
}

}  // namespace parley::media
