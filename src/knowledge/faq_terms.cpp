#include "knowledge/faq_terms.h"

#include "knowledge/spelling.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace parley::knowledge::faq_terms {
namespace {

using Kind = QuestionKind;

// Single interrogative words. `first_only`: also an ordinary word elsewhere in a sentence.
struct KindWord {
  std::string_view word;
  Kind kind;
  bool first_only = false;
};
constexpr std::array<KindWord, 31> kKindWords{{
    {"where", Kind::kPlace},     {"ou", Kind::kPlace, true}, {"wo", Kind::kPlace},         {"donde", Kind::kPlace},
    {"dove", Kind::kPlace},      {"onde", Kind::kPlace},     {"waar", Kind::kPlace},       {"when", Kind::kTime},
    {"quand", Kind::kTime},      {"wann", Kind::kTime},      {"cuando", Kind::kTime},      {"quando", Kind::kTime},
    {"wanneer", Kind::kTime},    {"who", Kind::kPerson},     {"qui", Kind::kPerson, true}, {"wer", Kind::kPerson},
    {"quien", Kind::kPerson},    {"chi", Kind::kPerson},     {"quem", Kind::kPerson},      {"why", Kind::kReason},
    {"pourquoi", Kind::kReason}, {"warum", Kind::kReason},   {"perche", Kind::kReason},    {"waarom", Kind::kReason},
    {"combien", Kind::kAmount},  {"wieviel", Kind::kAmount}, {"cuanto", Kind::kAmount},    {"cuanta", Kind::kAmount},
    {"cuantos", Kind::kAmount},  {"quanto", Kind::kAmount},  {"hoeveel", Kind::kAmount},
}};

// Two-word interrogatives, which win over the single words ("combien de temps" asks how long, not how much).
struct KindPair {
  std::string_view first;
  std::string_view second;
  Kind kind;
};
constexpr std::array<KindPair, 16> kKindPairs{{
    {"how", "much", Kind::kAmount},
    {"how", "many", Kind::kAmount},
    {"how", "long", Kind::kDuration},
    {"what", "time", Kind::kTime},
    {"which", "time", Kind::kTime},
    {"quelle", "heure", Kind::kTime},
    {"combien", "temps", Kind::kDuration},
    {"wie", "viel", Kind::kAmount},
    {"wie", "viele", Kind::kAmount},
    {"wie", "lange", Kind::kDuration},
    {"cuanto", "tiempo", Kind::kDuration},
    {"quanto", "tempo", Kind::kDuration},
    {"hoe", "lang", Kind::kDuration},
    {"hoe", "laat", Kind::kTime},
    {"um", "wieviel", Kind::kTime},
    {"a", "que", Kind::kTime},
}};

// Families of words that ask the same thing, in the languages of the stop words and the built-in messages. A
// question about opening hours says "hours", "time", "open" or "close"; one about a place "address" or "located".
// Kept to what FAQ questions ask most, because a family also makes different questions alike.
constexpr std::pair<std::string_view, std::string_view> kFamilies[] = {
    // Opening hours.
    {"hour", "#hours"},
    {"hours", "#hours"},
    {"time", "#hours"},
    {"times", "#hours"},
    {"schedule", "#hours"},
    {"open", "#hours"},
    {"opens", "#hours"},
    {"opening", "#hours"},
    {"close", "#hours"},
    {"closes", "#hours"},
    {"closing", "#hours"},
    {"closed", "#hours"},
    {"horaire", "#hours"},
    {"horaires", "#hours"},
    {"heure", "#hours"},
    {"heures", "#hours"},
    {"ouvert", "#hours"},
    {"ouverte", "#hours"},
    {"ouverts", "#hours"},
    {"ouvrez", "#hours"},
    {"ouverture", "#hours"},
    {"ferme", "#hours"},
    {"fermez", "#hours"},
    {"fermeture", "#hours"},
    {"offnungszeiten", "#hours"},
    {"geoffnet", "#hours"},
    {"geschlossen", "#hours"},
    {"horario", "#hours"},
    {"horarios", "#hours"},
    {"abierto", "#hours"},
    {"abren", "#hours"},
    {"cerrado", "#hours"},
    {"orari", "#hours"},
    {"orario", "#hours"},
    {"aperto", "#hours"},
    {"chiuso", "#hours"},
    {"aberto", "#hours"},
    {"fechado", "#hours"},
    {"openingstijden", "#hours"},
    {"gesloten", "#hours"},
    // Prices.
    {"price", "#price"},
    {"prices", "#price"},
    {"pricing", "#price"},
    {"cost", "#price"},
    {"costs", "#price"},
    {"fee", "#price"},
    {"fees", "#price"},
    {"rate", "#price"},
    {"rates", "#price"},
    {"charge", "#price"},
    {"prix", "#price"},
    {"tarif", "#price"},
    {"tarifs", "#price"},
    {"cout", "#price"},
    {"coute", "#price"},
    {"preis", "#price"},
    {"preise", "#price"},
    {"kosten", "#price"},
    {"kostet", "#price"},
    {"precio", "#price"},
    {"precios", "#price"},
    {"cuesta", "#price"},
    {"prezzo", "#price"},
    {"prezzi", "#price"},
    {"costa", "#price"},
    {"preco", "#price"},
    {"prijs", "#price"},
    {"kost", "#price"},
    // Where the business is.
    {"address", "#place"},
    {"located", "#place"},
    {"location", "#place"},
    {"situated", "#place"},
    {"adresse", "#place"},
    {"situe", "#place"},
    {"situes", "#place"},
    {"standort", "#place"},
    {"direccion", "#place"},
    {"ubicacion", "#place"},
    {"ubicados", "#place"},
    {"indirizzo", "#place"},
    {"endereco", "#place"},
    {"adres", "#place"},
    // Paying.
    {"pay", "#pay"},
    {"paying", "#pay"},
    {"payment", "#pay"},
    {"payments", "#pay"},
    {"payer", "#pay"},
    {"paiement", "#pay"},
    {"zahlen", "#pay"},
    {"zahlung", "#pay"},
    {"pagar", "#pay"},
    {"pago", "#pay"},
    {"pagare", "#pay"},
    {"pagamento", "#pay"},
    {"betalen", "#pay"},
    // Booking.
    {"book", "#book"},
    {"booking", "#book"},
    {"reserve", "#book"},
    {"reservation", "#book"},
    {"reservations", "#book"},
    {"reserver", "#book"},
    {"reservieren", "#book"},
    {"buchen", "#book"},
    {"reserva", "#book"},
    {"reservar", "#book"},
    {"prenotare", "#book"},
    {"prenotazione", "#book"},
    {"reserveren", "#book"},
    // Reaching the business.
    {"phone", "#contact"},
    {"telephone", "#contact"},
    {"call", "#contact"},
    {"contact", "#contact"},
    {"email", "#contact"},
    {"appeler", "#contact"},
    {"joindre", "#contact"},
    {"contacter", "#contact"},
    {"anrufen", "#contact"},
    {"telefon", "#contact"},
    {"llamar", "#contact"},
    {"telefono", "#contact"},
    {"chiamare", "#contact"},
    {"bellen", "#contact"},
    // Delivery.
    {"deliver", "#deliver"},
    {"delivers", "#deliver"},
    {"delivery", "#deliver"},
    {"ship", "#deliver"},
    {"shipping", "#deliver"},
    {"livraison", "#deliver"},
    {"livrer", "#deliver"},
    {"livrez", "#deliver"},
    {"lieferung", "#deliver"},
    {"liefern", "#deliver"},
    {"versand", "#deliver"},
    {"envio", "#deliver"},
    {"entrega", "#deliver"},
    {"consegna", "#deliver"},
    {"spedizione", "#deliver"},
    {"levering", "#deliver"},
    {"bezorgen", "#deliver"},
    // Refunds and cancelling.
    {"refund", "#refund"},
    {"refunds", "#refund"},
    {"refunded", "#refund"},
    {"reimburse", "#refund"},
    {"rembourser", "#refund"},
    {"remboursement", "#refund"},
    {"erstattung", "#refund"},
    {"reembolso", "#refund"},
    {"rimborso", "#refund"},
    {"cancel", "#cancel"},
    {"cancellation", "#cancel"},
    {"annuler", "#cancel"},
    {"annulation", "#cancel"},
    {"stornieren", "#cancel"},
    {"cancelar", "#cancel"},
    {"annullare", "#cancel"},
    {"annuleren", "#cancel"},
    // Parking.
    {"park", "#park"},
    {"parking", "#park"},
    {"garer", "#park"},
    {"stationnement", "#park"},
    {"parkplatz", "#park"},
    {"parken", "#park"},
    {"aparcamiento", "#park"},
    {"parcheggio", "#park"},
    {"estacionamento", "#park"},
    {"parkeren", "#park"},
    // Animals.
    {"pet", "#pets"},
    {"pets", "#pets"},
    {"dog", "#pets"},
    {"dogs", "#pets"},
    {"animal", "#pets"},
    {"animals", "#pets"},
    {"chien", "#pets"},
    {"chiens", "#pets"},
    {"animaux", "#pets"},
    {"hund", "#pets"},
    {"hunde", "#pets"},
    {"perro", "#pets"},
    {"mascota", "#pets"},
    {"mascotas", "#pets"},
    {"cane", "#pets"},
    {"animali", "#pets"},
    {"hond", "#pets"},
    {"huisdier", "#pets"},
    // Internet.
    {"wifi", "#wifi"},
    {"internet", "#wifi"},
    {"wlan", "#wifi"},
    // Included in the price.
    {"included", "#included"},
    {"include", "#included"},
    {"includes", "#included"},
    {"inclus", "#included"},
    {"incluse", "#included"},
    {"compris", "#included"},
    {"comprise", "#included"},
    {"inbegriffen", "#included"},
    {"inklusive", "#included"},
    {"incluido", "#included"},
    {"incluso", "#included"},
    {"inclusief", "#included"},
};

// Politeness, question scaffolding and the verbs that only ask whether something exists or is possible ("Do you
// offer delivery?", "Is delivery available?", "Do you sell gluten-free bread?"), in the stop words' languages and
// the others above.
constexpr std::array<std::string_view, 53> kFillers{
    "able",     "accept",     "accepted",   "acceptes", "acceptez", "allowed", "anyone",    "available", "bitte",
    "bonjour",  "buongiorno", "disponible", "get",      "grazie",   "hallo",   "hello",     "hey",       "hi",
    "hola",     "kind",       "know",       "like",     "many",     "merci",   "much",      "need",      "offer",
    "offers",   "please",     "por",        "possible", "pouvez",   "provide", "puede",     "puis",      "peut",
    "peux",     "savoir",     "sell",       "serve",    "svp",      "take",    "tell",      "thank",     "thanks",
    "voudrais", "want",       "wanted",     "wie",      "wissen",   "wonder",  "wondering", "would",
};

}  // namespace

QuestionKind KindOf(const std::vector<std::string>& words) {
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    for (const auto& pair : kKindPairs) {
      if (words[i] == pair.first && words[i + 1] == pair.second) return pair.kind;
    }
  }
  for (size_t i = 0; i < words.size(); ++i) {
    for (const auto& entry : kKindWords) {
      if (words[i] == entry.word && (i == 0 || !entry.first_only)) return entry.kind;
    }
  }
  return QuestionKind::kNone;
}

std::string_view FamilyOf(std::string_view word) {
  for (const auto& [member, family] : kFamilies) {
    if (member == word) return family;
  }
  for (const auto& [member, family] : kFamilies) {
    if (WithinTypo(member, word)) return family;
  }
  return {};
}

bool IsFiller(std::string_view word) { return std::find(kFillers.begin(), kFillers.end(), word) != kFillers.end(); }

bool WithinTypo(std::string_view a, std::string_view b) {
  if (a.size() < 5 || b.size() < 5 || a.front() != b.front()) return false;
  int limit = a.size() >= 8 && b.size() >= 8 ? 2 : 1;
  return EditDistance(a, b, limit) <= limit;
}

}  // namespace parley::knowledge::faq_terms
