#pragma once
// The words of the e-mails Parley sends, in the recipient's language: English and French; any other language
// falls back to English. Plain text: every link stands on a line of its own, which mail readers make clickable.

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::mail {

struct Text {
  std::string subject;
  std::string body;
};

// "fr" for French, else "en": the languages these texts exist in.
std::string_view TextLanguage(std::string_view language);

// An invitation to join `tenant_name` as `role` ("owner", "admin", "agent"), by `inviter` (an e-mail address or a
// name; may be empty), with the link to accept it, valid until `expires_at_ms`.
Text InvitationText(std::string_view language, std::string_view tenant_name, std::string_view inviter,
                    std::string_view role, std::string_view link, int64_t expires_at_ms);

// A password reset link someone asked for (POST /api/auth/forgot-password), valid for an hour.
Text PasswordResetText(std::string_view language, std::string_view link);

// A conversation needs a person: `customer` (the contact's name or number), the escalation's `reason` (a
// core/decision.h code) and the link to the conversation in the inbox.
Text EscalationText(std::string_view language, std::string_view tenant_name, std::string_view customer,
                    std::string_view reason, std::string_view link);

}  // namespace parley::mail
