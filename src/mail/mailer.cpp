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
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Mailer::Loop() {
  // Catch up with what happened while no mailer ran: every tenant read before, and the outbox.
  if (auto cursors = store_->team().NotificationCursors(); cursors) {
    for (const auto& [tenant_id, last_id] : *cursors) NotifyEscalations(tenant_id);
  }
  while (true) {
    std::set<int64_t> tenants;
    {
      auto due = store_->team().NextMailDue();
      const int64_t now = NowMs();
      auto wait = std::chrono::milliseconds(kIdlePoll);
      if (due && *due) wait = std::min(wait, std::chrono::milliseconds(std::max<int64_t>(0, **due - now)));
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, wait, [this] { return stopping_ || mail_queued_ || !event_tenants_.empty(); });
      if (stopping_) return;
      mail_queued_ = false;
      tenants.swap(event_tenants_);
    }
    for (int64_t tenant_id : tenants) NotifyEscalations(tenant_id);
    Deliver();
  }
}

void Mailer::Deliver() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto claimed = store_->team().ClaimDueMail(NowMs(), options_.lease_ms, kClaimBatch);
    if (!claimed) {
      log::Warn("mail_claim_failed", {{"error", claimed.error().message}});
      return;
    }
    if (claimed->empty()) return;
    for (const auto& mail : *claimed) {
      auto message = box_.Open(mail.sealed_message);
      std::optional<SendFailure> failure;
      if (!message) {
        failure = SendFailure{true, "the queued message cannot be opened (was the master key changed?)"};
      } else {
        failure = sender_->Send(from_address_, mail.recipient, *message);
      }
      const int64_t now = NowMs();
      if (!failure) {
        if (auto marked = store_->team().MarkMailSent(mail.id, now); !marked) {
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
      if (auto marked = store_->team().MarkMailFailed(mail.id, failure->reason, next); !marked) {
        log::Warn("mail_mark_failed", {{"mail_id", mail.id}, {"error", marked.error().message}});
      }
      log::Warn("mail_send_failed", {{"mail_id", mail.id},
                                     {"kind", mail.kind},
                                     {"attempts", mail.attempts + 1},
                                     {"retry", next.has_value()},
                                     {"reason", failure->reason}});
    }
  }
}

void Mailer::NotifyEscalations(int64_t tenant_id) {
  auto& team = store_->team();
  auto cursor = team.NotificationCursor(tenant_id);
  if (!cursor) {
    log::Warn("mail_notify_failed", {{"tenant_id", tenant_id}, {"error", cursor.error().message}});
    return;
  }
  const bool first_read = !cursor->has_value();
  int64_t after = cursor->value_or(0);
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
      if (read->gap || first_read) (void)team.QueueNotifications(tenant_id, read->last_id, {}, NowMs());
      return;
    }
    std::vector<store::OutgoingMail> mails;
    for (const auto& event : read->events) {
      if (event.type != store::EventType::kSupportOpened || !event.support_item || !event.conversation) continue;
      if (first_read && event.created_at_ms < started_at_ms_ - options_.first_read_window_ms) continue;
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
      const auto& conversation = *event.conversation;
      const std::string customer =
          conversation.contact.name.empty() ? conversation.contact.platform_id : conversation.contact.name;
      const std::string link = options_.public_url + "/inbox/" + std::to_string(conversation.id);
      for (const auto& user : *subscribers) {
        const Text text = EscalationText(user.language, tenant_name, customer, event.support_item->reason, link);
        auto mail = Prepare("escalation", tenant_id, user.email, user.language, text);
        if (!mail) continue;  // An address that cannot be written in a header: never sendable.
        mail->dedupe_key = "escalation:" + std::to_string(conversation.id) + ":" + std::to_string(user.id);
        mail->dedupe_window_ms = options_.escalation_quiet_ms;
        mails.push_back(std::move(*mail));
      }
    }
    const int64_t last = read->events.back().id;
    if (auto queued = team.QueueNotifications(tenant_id, last, mails, NowMs()); !queued) {
      log::Warn("mail_notify_failed", {{"tenant_id", tenant_id}, {"error", queued.error().message}});
      return;
    }
    if (!mails.empty()) Wake();
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
