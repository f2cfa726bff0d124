#include "app/comment_replies.h"

#include "core/utf8.h"

#include <array>
#include <cctype>

namespace parley::app {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Currency signs and the words and codes that name one; an amount is one of them next to a digit.
constexpr std::array<std::string_view, 6> kCurrencySigns = {
    "$",           "\xe2\x82\xac" /* € */, "\xc2\xa3" /* £ */, "\xc2\xa5" /* ¥ */, "\xe2\x82\xb9" /* ₹ */,
    "\xe2\x82\xbd" /* ₽ */};
constexpr std::array<std::string_view, 16> kCurrencyWords = {"usd",   "eur",    "gbp",    "chf",   "cad",    "aud",
                                                             "jpy",   "inr",    "euro",   "euros", "dollar", "dollars",
                                                             "pound", "pounds", "francs", "cents"};

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// A digit within `reach` bytes of [begin, end), spaces and a few separators aside.
bool DigitNear(std::string_view text, size_t begin, size_t end, size_t reach = 3) {
  for (size_t i = end; i < text.size() && i < end + reach; ++i) {
    if (IsDigit(text[i])) return true;
    if (text[i] != ' ' && text[i] != '.' && text[i] != ':') break;
  }
  for (size_t i = begin; i > 0 && begin - i < reach; --i) {
    if (IsDigit(text[i - 1])) return true;
    if (text[i - 1] != ' ' && text[i - 1] != '.' && text[i - 1] != ',') break;
  }
  return false;
}

bool HoldsAmount(std::string_view text) {
  for (std::string_view sign : kCurrencySigns) {
    for (size_t at = text.find(sign); at != std::string_view::npos; at = text.find(sign, at + 1)) {
      if (DigitNear(text, at, at + sign.size())) return true;
    }
  }
  size_t i = 0;
  while (i < text.size()) {
    if (!IsWordChar(text[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    std::string word;
    while (i < text.size() && IsWordChar(text[i])) word += Lower(text[i++]);
    for (std::string_view currency : kCurrencyWords) {
      if (word == currency && DigitNear(text, start, i)) return true;
    }
  }
  return false;
}

bool HoldsEmail(std::string_view text) {
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    const bool local = at > 0 && IsWordChar(text[at - 1]);
    const size_t dot = text.find('.', at);
    const bool domain = at + 1 < text.size() && IsWordChar(text[at + 1]) && dot != std::string_view::npos &&
                        dot + 1 < text.size() && IsWordChar(text[dot + 1]);
    if (local && domain) return true;
  }
  return false;
}

// 6 digits or more in a run that spaces, dashes, dots, slashes and brackets may break up (+33 6 12 34 56 78).
bool HoldsLongNumber(std::string_view text) {
  int digits = 0;
  for (char c : text) {
    if (IsDigit(c)) {
      if (++digits >= 6) return true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '/' && c != '(' && c != ')' && c != '+') {
      digits = 0;
    }
  }
  return false;
}

struct Invitations {
  std::string_view language;
  std::string_view sent_privately;  //!< The answer went in a private message.
  std::string_view write_to_us;     //!< No private reply could go: the commenter is asked to write.
};

constexpr Invitations kInvitations[] = {
    {"en", "Thanks for your comment! We've sent you a private message.",
     "Thanks for your comment! Send us a private message and we'll help you there."},
    {"fr", "Merci pour votre commentaire ! Nous vous avons envoyé un message privé.",
     "Merci pour votre commentaire ! Écrivez-nous en message privé, nous vous y répondrons."},
    {"de", "Danke für deinen Kommentar! Wir haben dir eine private Nachricht geschickt.",
     "Danke für deinen Kommentar! Schreib uns eine private Nachricht, wir helfen dir dort weiter."},
    {"es", "¡Gracias por tu comentario! Te hemos enviado un mensaje privado.",
     "¡Gracias por tu comentario! Escríbenos un mensaje privado y te ayudaremos allí."},
    {"it", "Grazie per il tuo commento! Ti abbiamo inviato un messaggio privato.",
     "Grazie per il tuo commento! Scrivici un messaggio privato e ti aiuteremo lì."},
    {"pt", "Obrigado pelo seu comentário! Enviámos-lhe uma mensagem privada.",
     "Obrigado pelo seu comentário! Envie-nos uma mensagem privada e ajudamos por lá."},
};

const Invitations& InvitationsIn(std::string_view language) {
  for (const Invitations& i : kInvitations) {
    if (i.language == language) return i;
  }
  return kInvitations[0];
}

store::OutboundDraft Draft(std::string text, const std::string& comment_id, store::CommentReply how) {
  store::OutboundDraft draft;
  draft.text = std::move(text);
  draft.reply_to = comment_id;
  draft.comment_reply = how;
  return draft;
}

}  // namespace

bool HoldsPrivateDetail(std::string_view text) {
  return HoldsAmount(text) || HoldsEmail(text) || HoldsLongNumber(text);
}

std::string ShortForPublic(std::string_view text, size_t max_bytes) {
  // Two sentences: up to the second ".", "!" or "?" followed by a space or the end.
  size_t end = text.size();
  int sentences = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ends = (c == '.' || c == '!' || c == '?' || c == '\n') &&
                      (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n');
    if (ends && ++sentences == 2) {
      end = i + 1;
      break;
    }
  }
  std::string_view kept = text.substr(0, end);
  while (!kept.empty() && (kept.back() == ' ' || kept.back() == '\n')) kept.remove_suffix(1);
  if (kept.size() <= max_bytes) return std::string(kept);
  // Cut at the last space that leaves room for "…" (3 bytes), never inside a UTF-8 sequence.
  size_t cut = kept.rfind(' ', max_bytes - 3);
  if (cut == std::string_view::npos || cut == 0) cut = Utf8Prefix(kept, max_bytes - 3).size();
  return std::string(kept.substr(0, cut)) + "\xe2\x80\xa6";
}

std::vector<store::OutboundDraft> RepliesToComment(const std::vector<store::OutboundDraft>& answer,
                                                   const store::StoredMessage& comment, agent::CommentReplies mode,
                                                   std::string_view language, int64_t now_ms) {
  std::string text;
  for (const store::OutboundDraft& draft : answer) {
    if (draft.text.empty()) continue;
    if (!text.empty()) text += "\n\n";
    text += draft.text;
  }
  if (mode == agent::CommentReplies::kOff || text.empty()) return {};
  const std::string& comment_id = comment.platform_message_id;
  const int64_t written_at = comment.platform_timestamp_ms > 0 ? comment.platform_timestamp_ms : comment.created_at_ms;
  const bool private_open = now_ms - written_at < kPrivateReplyWindowMs;
  const Invitations& invitations = InvitationsIn(language);
  const bool secret = HoldsPrivateDetail(text);

  std::vector<store::OutboundDraft> replies;
  const bool send_private =
      private_open && (mode == agent::CommentReplies::kPrivate || mode == agent::CommentReplies::kBoth || secret);
  if (send_private) replies.push_back(Draft(text, comment_id, store::CommentReply::kPrivate));
  if (mode == agent::CommentReplies::kPrivate) return replies;
  std::string in_public;
  if (!secret) {
    in_public = ShortForPublic(text);
  } else {
    in_public = send_private ? invitations.sent_privately : invitations.write_to_us;
  }
  replies.push_back(Draft(std::move(in_public), comment_id, store::CommentReply::kPublic));
  return replies;
}

}  // namespace parley::app
