#include "agent/messages.h"

#include "agent/settings.h"

#include <algorithm>
#include <array>

namespace parley::agent {
namespace {

constexpr size_t kMessageCount = std::size(kAllBotMessages);

struct BuiltinTexts {
  std::string_view language;
  std::array<std::string_view, kMessageCount> texts;  //!< In the order of BotMessage.
};

// Short, friendly and formal (vous, Sie, usted, lei, u). The Portuguese texts avoid the words that differ between
// Portugal and Brazil ("equipa"/"equipe", "contacto"/"contato"). Brazil's emergency numbers are 190 and 192: the
// safety message's "local emergency number" covers them, as it covers every country outside Europe and North
// America.
constexpr std::array<BuiltinTexts, 7> kBuiltin = {{
    {"en",
     {
         "Hello! How can I help you?",
         "I'm passing you to a member of our team, who will answer you here shortly.",
         "Sorry, I don't have that information. A member of our team will get back to you.",
         "We're sorry to hear this. If anyone is in danger or needs urgent medical help, please call the emergency "
         "services now: 112 in Europe, 911 in North America, or your local emergency number. We have alerted our "
         "team, and a person will reply to you here as soon as possible.",
         "Thank you for your message. A member of our team will answer you here shortly.",
         "Sorry, I can't look at images here. Could you tell me in a message what you need?",
         "Sorry, I can't listen to voice or audio messages here. Could you write your question instead?",
         "Here is what our information says:",
         "Thank you for your message. We are closed right now; a member of our team will answer you here as soon as "
         "we are open again.",
     }},
    {"fr",
     {
         "Bonjour ! Comment puis-je vous aider ?",
         "Je vous mets en relation avec un membre de notre équipe, qui vous répondra ici très prochainement.",
         "Malheureusement, je n'ai pas cette information. Un membre de notre équipe reviendra vers vous.",
         "Nous sommes navrés de l'apprendre. Si quelqu'un est en danger ou a besoin d'une aide médicale urgente, "
         "appelez immédiatement les secours : le 112 en Europe, le 911 en Amérique du Nord, ou le numéro d'urgence "
         "local. Nous avons prévenu notre équipe, et une personne vous répondra ici dès que possible.",
         "Merci pour votre message. Un membre de notre équipe vous répondra ici très prochainement.",
         "Je ne peux malheureusement pas voir les images ici. Pourriez-vous m'écrire ce dont vous avez besoin ?",
         "Je ne peux malheureusement pas écouter les messages vocaux ici. Pourriez-vous écrire votre question ?",
         "Voici ce qu'indiquent nos informations :",
         "Merci pour votre message. Nous sommes actuellement fermés ; un membre de notre équipe vous répondra ici "
         "dès notre réouverture.",
     }},
    {"de",
     {
         "Hallo! Wie kann ich Ihnen helfen?",
         "Ich leite Sie an ein Mitglied unseres Teams weiter, das Ihnen hier in Kürze antwortet.",
         "Leider habe ich diese Information nicht. Ein Mitglied unseres Teams meldet sich bei Ihnen.",
         "Das tut uns sehr leid. Wenn jemand in Gefahr ist oder dringend medizinische Hilfe braucht, rufen Sie bitte "
         "sofort den Notruf an: 112 in Europa, 911 in Nordamerika oder Ihre örtliche Notrufnummer. Wir haben unser "
         "Team informiert, und jemand meldet sich hier so schnell wie möglich bei Ihnen.",
         "Danke für Ihre Nachricht. Ein Mitglied unseres Teams antwortet Ihnen hier in Kürze.",
         "Leider kann ich hier keine Bilder ansehen. Könnten Sie mir in einer Nachricht schreiben, was Sie brauchen?",
         "Leider kann ich hier keine Sprach- oder Audionachrichten anhören. Könnten Sie Ihre Frage stattdessen "
         "schreiben?",
         "Das steht in unseren Informationen:",
         "Danke für Ihre Nachricht. Wir haben gerade geschlossen; ein Mitglied unseres Teams antwortet Ihnen hier, "
         "sobald wir wieder geöffnet haben.",
     }},
    {"es",
     {
         "¡Hola! ¿En qué puedo ayudarle?",
         "Le paso con un miembro de nuestro equipo, que le responderá aquí en breve.",
         "Lo siento, no tengo esa información. Un miembro de nuestro equipo se pondrá en contacto con usted.",
         "Lamentamos mucho lo ocurrido. Si alguien está en peligro o necesita atención médica urgente, llame ahora "
         "mismo a los servicios de emergencia: 112 en Europa, 911 en Norteamérica o el número de emergencias local. "
         "Hemos avisado a nuestro equipo y una persona le responderá aquí lo antes posible.",
         "Gracias por su mensaje. Un miembro de nuestro equipo le responderá aquí en breve.",
         "Lo siento, aquí no puedo ver imágenes. ¿Podría escribirme lo que necesita?",
         "Lo siento, aquí no puedo escuchar mensajes de voz ni audios. ¿Podría escribir su pregunta?",
         "Esto es lo que dice nuestra información:",
         "Gracias por su mensaje. En este momento estamos cerrados; un miembro de nuestro equipo le responderá aquí "
         "en cuanto volvamos a abrir.",
     }},
    {"it",
     {
         "Salve! Come posso aiutarla?",
         "La metto in contatto con un membro del nostro team, che le risponderà qui a breve.",
         "Mi dispiace, non ho questa informazione. Un membro del nostro team le risponderà.",
         "Ci dispiace molto. Se qualcuno è in pericolo o ha bisogno di assistenza medica urgente, chiami subito i "
         "servizi di emergenza: 112 in Europa, 911 in Nord America, oppure il numero di emergenza locale. Abbiamo "
         "avvisato il nostro team e una persona le risponderà qui il prima possibile.",
         "Grazie per il suo messaggio. Un membro del nostro team le risponderà qui a breve.",
         "Mi dispiace, qui non posso vedere le immagini. Può scrivermi in un messaggio di cosa ha bisogno?",
         "Mi dispiace, qui non posso ascoltare messaggi vocali o audio. Può scrivere la sua domanda?",
         "Ecco cosa dicono le nostre informazioni:",
         "Grazie per il suo messaggio. In questo momento siamo chiusi; un membro del nostro team le risponderà qui "
         "appena riapriremo.",
     }},
    {"pt",
     {
         "Olá! Em que posso ajudar?",
         "Vou encaminhar a sua mensagem para um colega, que lhe responderá aqui em breve.",
         "Lamento, mas não tenho essa informação. Um colega responderá aqui em breve.",
         "Lamentamos muito. Se alguém estiver em perigo ou precisar de ajuda médica urgente, ligue já para os "
         "serviços de emergência: 112 na Europa, 911 na América do Norte, ou o número de emergência local. Um colega "
         "já foi avisado e responderá aqui o quanto antes.",
         "Obrigado pela sua mensagem. Um colega responderá aqui em breve.",
         "Lamento, mas aqui não consigo ver imagens. Pode descrever por escrito o que precisa?",
         "Lamento, mas aqui não consigo ouvir mensagens de voz ou áudio. Pode escrever a sua pergunta?",
         "Segundo as nossas informações:",
         "Obrigado pela sua mensagem. Neste momento estamos fechados; um colega responderá aqui assim que "
         "reabrirmos.",
     }},
    {"nl",
     {
         "Hallo! Waarmee kan ik u helpen?",
         "Ik geef uw vraag door aan een collega, die u hier zo snel mogelijk antwoordt.",
         "Helaas heb ik die informatie niet. Een collega neemt contact met u op.",
         "Wat erg om te horen. Is iemand in gevaar of is er dringend medische hulp nodig? Bel dan nu de "
         "hulpdiensten: 112 in Europa, 911 in Noord-Amerika, of het lokale alarmnummer. We hebben ons team "
         "gewaarschuwd, en iemand antwoordt u hier zo snel mogelijk.",
         "Bedankt voor uw bericht. Een collega antwoordt u hier zo snel mogelijk.",
         "Helaas kan ik hier geen afbeeldingen bekijken. Kunt u in een bericht schrijven wat u nodig heeft?",
         "Helaas kan ik hier geen spraak- of audioberichten beluisteren. Kunt u uw vraag typen?",
         "Volgens onze informatie:",
         "Bedankt voor uw bericht. We zijn op dit moment gesloten; een collega antwoordt u hier zodra we weer open "
         "zijn.",
     }},
}};

constexpr std::array<std::string_view, kBuiltin.size()> kBuiltinLanguages = [] {
  std::array<std::string_view, kBuiltin.size()> languages{};
  for (size_t i = 0; i < kBuiltin.size(); ++i) languages[i] = kBuiltin[i].language;
  return languages;
}();

constexpr std::array<std::string_view, kMessageCount> kKeys = {
    "greeting",     "handoff",      "fallback",     "safety",       "quota",
    "image_notice", "audio_notice", "answer_intro", "out_of_hours",
};

size_t IndexOf(BotMessage message) { return static_cast<size_t>(message); }

// The built-in text as this server has it: the operator's media notices replace the English ones.
std::optional<std::string_view> ServerText(const AiSettings& settings, BotMessage message, std::string_view language) {
  if (language == "en") {
    if (message == BotMessage::kImageNotice && !settings.operator_image_notice.empty()) {
      return settings.operator_image_notice;
    }
    if (message == BotMessage::kAudioNotice && !settings.operator_audio_notice.empty()) {
      return settings.operator_audio_notice;
    }
  }
  return BuiltinText(message, language);
}

// The older single-language settings. One left empty or holding the built-in English text (the value they had by
// default) is not the tenant's own text, so the built-in text of the default language applies instead.
std::optional<std::string_view> LegacyText(const AiSettings& settings, BotMessage message) {
  const std::string* text = nullptr;
  switch (message) {
    case BotMessage::kGreeting:
      text = &settings.greeting_message;
      break;
    case BotMessage::kHandoff:
      text = &settings.handoff_message;
      break;
    case BotMessage::kFallback:
      text = &settings.fallback_message;
      break;
    default:
      return std::nullopt;
  }
  if (text->empty() || *text == BuiltinText(message, "en")) return std::nullopt;
  return *text;
}

std::optional<std::string_view> TenantText(const AiSettings& settings, BotMessage message, std::string_view language) {
  if (auto texts = settings.messages.find(language); texts != settings.messages.end()) {
    if (auto text = texts->second.find(message); text != texts->second.end()) return text->second;
  }
  if (language == settings.language) return LegacyText(settings, message);
  return std::nullopt;
}

}  // namespace

std::string_view ToString(BotMessage message) { return kKeys[IndexOf(message)]; }

std::optional<BotMessage> ParseBotMessage(std::string_view key) {
  auto found = std::find(kKeys.begin(), kKeys.end(), key);
  if (found == kKeys.end()) return std::nullopt;
  return kAllBotMessages[found - kKeys.begin()];
}

std::span<const std::string_view> BuiltinMessageLanguages() { return kBuiltinLanguages; }

std::optional<std::string_view> BuiltinText(BotMessage message, std::string_view language) {
  for (const auto& builtin : kBuiltin) {
    if (builtin.language == language) return builtin.texts[IndexOf(message)];
  }
  return std::nullopt;
}

std::string BotText(const AiSettings& settings, BotMessage message, std::string_view language) {
  if (language.empty()) language = settings.language;
  if (auto text = TenantText(settings, message, language)) return std::string(*text);
  if (auto text = ServerText(settings, message, language)) return std::string(*text);
  if (auto text = TenantText(settings, message, settings.language)) return std::string(*text);
  return std::string(*ServerText(settings, message, "en"));
}

std::string ReplyLanguage(const AiSettings& settings, std::string_view customer_language) {
  if (settings.answer_language != "auto") return settings.answer_language;
  if (!customer_language.empty()) return std::string(customer_language);
  return settings.language;
}

}  // namespace parley::agent
