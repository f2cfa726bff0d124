#include "mail/mailer.h"

#include "core/log.h"
#include "core/message.h"
#include "core/time.h"
#include "mail/smtp_sender.h"
#include "mail/texts.h"
#include "store/events.h"
#include "store/tenant_store.h"

#include <algorithm>

namespace parley::mail {
namespace {

constexpr int kClaimBatch = 10;
constexpr int kEventBatch = 500;
// Looked at even when nothing said so: e-mails queued by another process, leases that ended.
constexpr std::chrono::seconds kIdlePoll{30};

// When the next queued e-mail is due; nullopt when none is (or the store cannot say).
std::optional<int64_t> NextDue(store::TeamStore& team) {
  auto due = team.NextMailDue();
  return due ? *due : std::nullopt;
}

}  // namespace

Mailer::Mailer(MailerOptions options, const crypto::SecretBox& box, std::unique_ptr<MailSender> sender)
    : options_(std::move(options)), box_(box), sender_(std::move(sender)), from_address_(AddressOf(options_.from)) {}

Mailer::~Mailer() { Stop(); }

Result<store::OutgoingMail> Mailer::Prepare(std::string_view kind, std::optional<int64_t> tenant_id,
                                            const std::string& to, std::string_view language, const Text& text) const {
  Message message{options_.from, to, text.subject, text.body, NowMs(), std::string(TextLanguage(language))};
  auto composed = Compose(message);
  if (!composed) return composed.error();
  store::OutgoingMail mail;
  mail.tenant_id = tenant_id;
  mail.kind = std::string(kind);
  mail.recipient = to;
  mail.sealed_message = box_.Seal(*composed);
  return mail;
}

void Mailer::Start(store::Store& store) {
  if (!enabled() || thread_.joinable()) return;
  store_ = &store;
  started_at_ms_ = NowMs();
  thread_ = std::thread([this] { Loop(); });
}

void Mailer::Wake() {
  {
    std::lock_guard lock(mutex_);
    mail_queued_ = true;
  }
  wake_.notify_one();
}

void Mailer::OnEvents(int64_t tenant_id, int64_t) {
  if (!enabled()) return;
  {
    std::lock_guard lock(mutex_);
    event_tenants_.insert(tenant_id);
  }
  wake_.notify_one();
}

void Mailer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_.request_stop();  // Also ends a send in progress (MailSender::Send).
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Mailer::Loop() {
  // Catch up with what happened while no mailer ran: every tenant read before, then the outbox.
  if (auto cursors = store_->team().NotificationCursors(); cursors) {
    for (const auto& [tenant_id, last_id] : *cursors) {
      cursors_[tenant_id] = last_id;
      NotifyEscalations(tenant_id);
    }
  }
  while (true) {
    std::set<int64_t> tenants;
    {
      std::lock_guard lock(mutex_);
      if (stop_.stop_requested()) return;
      mail_queued_ = false;
      tenants.swap(event_tenants_);
    }
    for (int64_t tenant_id : tenants) NotifyEscalations(tenant_id);
    // The outbox is claimed (a write) only when something in it is due; after a store failure, the idle wait.
    std::optional<int64_t> due = NextDue(store_->team());
    if (due && *due <= NowMs()) due = Deliver() ? NextDue(store_->team()) : std::nullopt;
    auto wait = std::chrono::milliseconds(kIdlePoll);
    if (due) wait = std::min(wait, std::chrono::milliseconds(std::max<int64_t>(0, *due - NowMs())));
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, wait, [this] { return stop_.stop_requested() || mail_queued_ || !event_tenants_.empty(); });
  }
}

bool Mailer::Deliver() {
  auto& team = store_->team();
  while (!stop_.stop_requested()) {
    auto claimed = team.ClaimDueMail(NowMs(), options_.lease_ms, kClaimBatch);
    if (!claimed) {
      log::Warn("mail_claim_failed", {{"error", claimed.error().message}});
      return false;
    }
    if (claimed->empty()) return true;
    for (const auto& mail : *claimed) {
      auto message = box_.Open(mail.sealed_message);
      std::optional<SendFailure> failure;
      if (!message) {
        failure = SendFailure{true, "the queued message cannot be opened (was the master key changed?)"};
      } else {
        const bool tried = !stop_.stop_requested();
        if (tried) failure = sender_->Send(from_address_, mail.recipient, *message, stop_.get_token());
        if (!tried || (failure && stop_.stop_requested())) {
          // Not tried, or abandoned, because the server stops: it stays queued, due at once on the next start.
          if (auto released = team.ReleaseMail(mail.id); !released) {
            log::Warn("mail_mark_failed", {{"mail_id", mail.id}, {"error", released.error().message}});
          }
          continue;
        }
      }
      const int64_t now = NowMs();
      if (!failure) {
        if (auto marked = team.MarkMailSent(mail.id, now); !marked) {
          log::Warn("mail_mark_failed", {{"mail_id", mail.id}, {"error", marked.error().message}});
        }
        log::Info("mail_sent", {{"mail_id", mail.id}, {"kind", mail.kind}, {"attempts", mail.attempts + 1}});
        continue;
      }
      std::optional<int64_t> next;
      if (!failure->permanent && now - mail.created_at_ms < options_.give_up_after_ms) {
        const int shift = std::min(mail.attempts, 20);
        next = now + std::min(options_.retry_max_ms, options_.retry_base_ms << shift);
      }
      if (auto marked = team.MarkMailFailed(mail.id, failure->reason, next); !marked) {
        log::Warn("mail_mark_failed", {{"mail_id", mail.id}, {"error", marked.error().message}});
      }
      log::Warn("mail_send_failed", {{"mail_id", mail.id},
                                     {"kind", mail.kind},
                                     {"attempts", mail.attempts + 1},
                                     {"retry", next.has_value()},
                                     {"reason", failure->reason}});
    }
  }
  return true;
}

void Mailer::NotifyEscalations(int64_t tenant_id) {
  auto& team = store_->team();
  std::optional<int64_t> cursor;  // Where this tenant's log was read up to; nullopt: never.
  if (auto known = cursors_.find(tenant_id); known != cursors_.end()) {
    cursor = known->second;
  } else {
    auto stored = team.NotificationCursor(tenant_id);
    if (!stored) {
      log::Warn("mail_notify_failed", {{"tenant_id", tenant_id}, {"error", stored.error().message}});
      return;
    }
    cursor = *stored;
  }
  const bool first_read = !cursor;
  int64_t after = cursor.value_or(0);
  std::optional<std::vector<store::User>> subscribers;  // Read once, when an escalation needs them.
  std::string tenant_name;
  while (true) {
    auto read = store_->events().Read(tenant_id, after, kEventBatch);
    if (!read) {
      log::Warn("mail_notify_failed", {{"tenant_id", tenant_id}, {"error", read.error().message}});
      return;
    }
    if (read->gap || read->events.empty()) {
      // Pruned past the cursor (a long stop): what fell out of the log is not notified any more.
      if (read->gap || first_read) {
        if (auto moved = team.QueueNotifications(tenant_id, read->last_id, {}, NowMs()); !moved) {
          log::Warn("mail_notify_failed", {{"tenant_id", tenant_id}, {"error", moved.error().message}});
          return;
        }
      }
      cursors_[tenant_id] = read->last_id;
      return;
    }
    std::vector<store::OutgoingMail> mails;
    bool escalated = false;
    for (const auto& event : read->events) {
      // A support.opened event carries its support item; the conversation is read here, for those it concerns.
      if (event.type != store::EventType::kSupportOpened || !event.support_item) continue;
      if (first_read && event.created_at_ms < started_at_ms_ - options_.first_read_window_ms) continue;
      escalated = true;
      if (!subscribers) {
        auto listed = team.ListEmailSubscribers(tenant_id);
        if (!listed) {
          log::Warn("mail_notify_failed", {{"tenant_id", tenant_id}, {"error", listed.error().message}});
          return;
        }
        subscribers = std::move(*listed);
        auto tenant = store_->tenants().GetTenant(tenant_id);
        tenant_name = tenant ? tenant->name : "Parley";
      }
      if (subscribers->empty()) continue;
      auto conversation = store_->GetConversation(tenant_id, event.support_item->conversation_id);
      if (!conversation) continue;  // Erased since: there is nobody left to answer.
      const std::string customer =
          conversation->contact.name.empty() ? conversation->contact.platform_id : conversation->contact.name;
      const std::string link = options_.public_url + "/inbox/" + std::to_string(conversation->id);
      for (const auto& user : *subscribers) {
        const Text text = EscalationText(user.language, tenant_name, customer, event.support_item->reason, link);
        auto mail = Prepare("escalation", tenant_id, user.email, user.language, text);
        if (!mail) continue;  // An address that cannot be written in a header: never sendable.
        mail->dedupe_key = "escalation:" + std::to_string(conversation->id) + ":" + std::to_string(user.id);
        mail->dedupe_window_ms = options_.escalation_quiet_ms;
        mails.push_back(std::move(*mail));
      }
    }
    const int64_t last = read->events.back().id;
    // Past events that escalated nothing, the cursor moves in memory only, sparing the store a write per message:
    // after a restart they are read again and still send nothing. An escalation (notified, or not because nobody
    // wanted it) is written, so that it is never notified twice nor later to someone who subscribes after it.
    if (escalated || first_read) {
      if (auto queued = team.QueueNotifications(tenant_id, last, mails, NowMs()); !queued) {
        log::Warn("mail_notify_failed", {{"tenant_id", tenant_id}, {"error", queued.error().message}});
        return;
      }
    }
    cursors_[tenant_id] = last;
    after = last;
  }
}

Result<std::unique_ptr<Mailer>> MakeMailer(const Config& config, const crypto::SecretBox& box) {
  MailerOptions options;
  options.from = config.smtp_from;
  options.public_url = config.public_url.empty() ? "http://" + config.listen : config.public_url;
  options.retry_base_ms = config.smtp_retry_base_ms;
  std::unique_ptr<MailSender> sender;
  if (!config.smtp_url.empty()) {
    auto smtp = MakeSmtpSender({config.smtp_url, config.smtp_user, config.smtp_password});
    if (!smtp) return smtp.error();
    sender = std::move(*smtp);
  }
  return std::make_unique<Mailer>(std::move(options), box, std::move(sender));
}

}  // namespace parley::mail
