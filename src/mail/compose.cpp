#include "mail/mail.h"

#include "core/crypto.h"

#include <ctime>

namespace parley::mail {
namespace {

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// RFC 2045: base64 lines of at most 76 characters.
constexpr size_t kBase64LineLength = 76;
// Raw bytes per encoded word: 45 bytes are 60 base64 characters, and "=?UTF-8?B?" + "?=" keep the word under the
// 75 characters RFC 2047 allows.
constexpr size_t kEncodedWordBytes = 45;

std::string Base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kBase64[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool PlainAscii(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x7f || byte < 0x20) return false;
  }
  return true;
}

// `text` as it may stand in a header: as is when plain ASCII, else as RFC 2047 encoded words, cut between UTF-8
// characters, one per folded line.
std::string HeaderText(std::string_view text) {
  if (PlainAscii(text) && text.find("=?") == std::string_view::npos) return std::string(text);
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + kEncodedWordBytes);
    // Back up to the first byte of a UTF-8 character (never split one across two words).
    while (end < text.size() && end > start + 1 && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// `Name <address>` with a name that may need encoding, or the bare address.
std::string MailboxHeader(std::string_view mailbox) {
  const auto open = mailbox.find('<');
  if (open == std::string_view::npos) return AddressOf(mailbox);
  std::string name(mailbox.substr(0, open));
  while (!name.empty() && (name.back() == ' ' || name.back() == '"')) name.pop_back();
  while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.erase(0, 1);
  if (name.empty()) return "<" + AddressOf(mailbox) + ">";
  const bool quote = PlainAscii(name) && name.find_first_of("()<>[]:;@\\,.\"") != std::string::npos;
  return (quote ? "\"" + name + "\"" : HeaderText(name)) + " <" + AddressOf(mailbox) + ">";
}

// RFC 5322 date-time in UTC: "Sun, 06 Dec 2026 16:34:48 +0000" (names fixed, whatever the process locale).
std::string DateHeader(int64_t ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return buffer;
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

std::string AddressOf(std::string_view mailbox) {
  const auto open = mailbox.find('<');
  const auto close = mailbox.rfind('>');
  std::string_view address = mailbox;
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    address = mailbox.substr(open + 1, close - open - 1);
  }
  while (!address.empty() && address.front() == ' ') address.remove_prefix(1);
  while (!address.empty() && address.back() == ' ') address.remove_suffix(1);
  return std::string(address);
}

Result<std::string> Compose(const Message& message) {
  for (std::string_view value : {std::string_view(message.from), std::string_view(message.to),
                                 std::string_view(message.subject), std::string_view(message.language)}) {
    if (HasLineBreak(value)) return Error::InvalidArgument("an e-mail header must not contain a line break");
  }
  const std::string from = AddressOf(message.from);
  const auto at = from.rfind('@');
  if (at == std::string::npos || AddressOf(message.to).find('@') == std::string::npos) {
    return Error::InvalidArgument("an e-mail needs a sender and a recipient address");
  }
  std::string out;
  out += "Date: " + DateHeader(message.date_ms) + "\r\n";
  out += "From: " + MailboxHeader(message.from) + "\r\n";
  out += "To: " + MailboxHeader(message.to) + "\r\n";
  out += "Subject: " + HeaderText(message.subject) + "\r\n";
  out += "Message-ID: <" + crypto::RandomToken(18) + "@" + from.substr(at + 1) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  if (!message.language.empty()) out += "Content-Language: " + message.language + "\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  // The text with CRLF line ends, then base64 in lines of 76.
  std::string text;
  text.reserve(message.text.size() + message.text.size() / 40);
  for (char c : message.text) {
    if (c == '\r') continue;
    if (c == '\n') text += '\r';
    text += c;
  }
  const std::string encoded = Base64(text);
  for (size_t i = 0; i < encoded.size(); i += kBase64LineLength) {
    out += encoded.substr(i, kBase64LineLength) + "\r\n";
  }
  return out;
}

}  // namespace parley::mail
