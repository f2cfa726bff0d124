#include "mail/texts.h"

#include "core/time.h"

#include <string>

namespace parley::mail {
namespace {

std::string RoleName(bool french, std::string_view role) {
  if (role == "owner") return french ? "propriétaire" : "owner";
  if (role == "admin") return french ? "administrateur" : "admin";
  return "agent";  // The same word in both.
}

// "2026-12-13 16:34 UTC": the day and minute are enough, and the same for every reader.
std::string Moment(int64_t ms) {
  const std::string iso = FormatTimestamp(ms);  // 2026-12-13T16:34:48.000Z
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

}  // namespace

std::string_view TextLanguage(std::string_view language) { return language == "fr" ? "fr" : "en"; }

Text InvitationText(std::string_view language, std::string_view tenant_name, std::string_view inviter,
                    std::string_view role, std::string_view link, int64_t expires_at_ms) {
  const bool french = TextLanguage(language) == "fr";
  const std::string tenant(tenant_name);
  const std::string by = inviter.empty() ? "" : (french ? " par " : " by ") + std::string(inviter);
  if (french) {
    return {"Invitation à rejoindre " + tenant + " sur Parley",
            "Bonjour,\n\nVous êtes invité" + by + " à rejoindre " + tenant + " sur Parley, en tant que " +
                RoleName(true, role) + ".\n\nPour accepter, choisissez votre mot de passe ici :\n\n" +
                std::string(link) + "\n\nCe lien sert une seule fois et expire le " + Moment(expires_at_ms) +
                ".\nSi vous n'attendiez pas cette invitation, ignorez ce message.\n"};
  }
  return {"You are invited to join " + tenant + " on Parley",
          "Hello,\n\nYou have been invited" + by + " to join " + tenant + " on Parley as " + RoleName(false, role) +
              ".\n\nTo accept, choose your password here:\n\n" + std::string(link) +
              "\n\nThis link works once and expires on " + Moment(expires_at_ms) +
              ".\nIf you did not expect this invitation, ignore this message.\n"};
}

Text PasswordResetText(std::string_view language, std::string_view link) {
  if (TextLanguage(language) == "fr") {
    return {"Réinitialiser votre mot de passe Parley",
            "Bonjour,\n\nQuelqu'un (vous, sans doute) a demandé à réinitialiser le mot de passe de ce compte Parley."
            "\n\nPour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure :\n\n" +
                std::string(link) +
                "\n\nLe lien sert une seule fois. Si vous n'avez rien demandé, ignorez ce message : votre mot de "
                "passe ne change pas.\n"};
  }
  return {"Reset your Parley password",
          "Hello,\n\nSomeone (probably you) asked to reset the password of this Parley account.\n\nTo choose a new "
          "password, open this link within the hour:\n\n" +
              std::string(link) +
              "\n\nThe link works once. If you did not ask for this, ignore this message: your password stays as "
              "it is.\n"};
}

Text EscalationText(std::string_view language, std::string_view tenant_name, std::string_view customer,
                    std::string_view reason, std::string_view link) {
  const std::string who =
      customer.empty() ? (TextLanguage(language) == "fr" ? "Un client" : "A customer") : std::string(customer);
  if (TextLanguage(language) == "fr") {
    return {"[" + std::string(tenant_name) + "] " + who + " attend une personne",
            "Bonjour,\n\nUne conversation de " + std::string(tenant_name) +
                " a été confiée à une personne (motif : " + std::string(reason) + ").\n\nClient : " + who +
                "\n\nRépondre dans la boîte de réception :\n\n" + std::string(link) +
                "\n\nVous recevez ce message parce que vous avez demandé les notifications par e-mail ; vous pouvez "
                "les désactiver dans Équipe.\n"};
  }
  return {"[" + std::string(tenant_name) + "] " + who + " is waiting for a person",
          "Hello,\n\nA conversation of " + std::string(tenant_name) + " was handed to a person (reason: " +
              std::string(reason) + ").\n\nCustomer: " + who + "\n\nAnswer it in the inbox:\n\n" + std::string(link) +
              "\n\nYou receive this because you asked for notifications by e-mail; you can turn them off in Team.\n"};
}

}  // namespace parley::mail
