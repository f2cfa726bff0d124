// How the triage rules match phrases, and the phrases of the reasons to hand a burst to a person (complaints,
// billing, account access, legal, abuse), of thanks and of greetings, in en, fr, de, es, it, pt and nl.

#include "agent/triage_phrases.h"

#include "knowledge/text.h"

#include <algorithm>
#include <initializer_list>

namespace parley::agent::triage_rules {

std::vector<Phrase> Compile(std::initializer_list<const char*> phrases) {
  std::vector<Phrase> compiled;
  for (std::string_view phrase : phrases) {
    bool prefix = !phrase.empty() && phrase.back() == '*';
    if (prefix) phrase.remove_suffix(1);
    std::string padded = " ";
    for (const auto& word : knowledge::Words(knowledge::Fold(phrase))) padded.append(word).push_back(' ');
    if (prefix) padded.pop_back();
    compiled.push_back({std::move(padded)});
  }
  return compiled;
}

WordSet CompileWords(std::initializer_list<const char*> entries) {
  WordSet words;
  for (std::string_view entry : entries) {
    for (auto& word : knowledge::Words(knowledge::Fold(entry))) words.insert(std::move(word));
  }
  return words;
}

bool ContainsAny(const std::string& padded_burst, const std::vector<Phrase>& phrases) {
  return std::any_of(phrases.begin(), phrases.end(),
                     [&](const Phrase& phrase) { return padded_burst.find(phrase.padded) != std::string::npos; });
}

// Billing disputes: money taken twice, taken after cancelling, or never authorised. Not "can I get a refund?",
// which the refund policy answers.
const std::vector<Phrase>& BillingDispute() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      // en
      "charged twice",
      "charged me twice",
      "double charged",
      "double charge",
      "billed twice",
      "paid twice",
      "charged two times",
      "two charges",
      "unauthorised charge",
      "unauthorized charge",
      "didn't authorise",
      "didn't authorize",
      "never authorised",
      "never authorized",
      "chargeback",
      "dispute this payment",
      "dispute the charge",
      "i was charged",
      "was i charged",
      "was i billed",
      "charged me",
      "charged my card",
      "refund never",
      "never got my refund",
      "refund you promised",
      "refund the charge",
      "overcharged",
      "still taking money",
      "still charging",
      // fr
      "debite deux fois",
      "debitee deux fois",
      "preleve deux fois",
      "prelevee deux fois",
      "double prelevement",
      "double debit",
      "facture deux fois",
      "paye deux fois",
      "payee deux fois",
      "prelevement non autorise",
      "je conteste ce paiement",
      "m a facture",
      "m avez facture",
      "m avez preleve",
      "m avez debite",
      "remboursement promis",
      "toujours pas ete rembourse",
      "rembourser le prelevement",
      "continuez a prelever",
      // de
      "doppelt abgebucht",
      "zweimal abgebucht",
      "doppelt belastet",
      "zweimal belastet",
      "doppelt berechnet",
      "zweimal berechnet",
      "doppelt bezahlt",
      "zweimal bezahlt",
      "unberechtigte abbuchung",
      "nicht autorisiert",
      "widerspreche dieser",
      "mir berechnet",
      "versprochene erstattung",
      "noch keine erstattung",
      "immer noch ab",
      // es
      "cobrado dos veces",
      "cobraron dos veces",
      "cobrasteis dos veces",
      "doble cobro",
      "cobro doble",
      "cargo duplicado",
      "cobro no autorizado",
      "cobro indebido",
      "pagado dos veces",
      "no lo he autorizado",
      "seguis cobrando*",
      "me cobrasteis",
      "me cobraron",
      "me habeis cobrado",
      "reembolso que me prometisteis",
      "no me ha llegado el reembolso",
      // it
      "addebitato due volte",
      "doppio addebito",
      "addebito non autorizzato",
      "pagato due volte",
      "addebitati due volte",
      "contesto questo addebito",
      "mi avete addebitato",
      "mi avete fatto pagare",
      "rimborso promesso",
      "non ho ancora ricevuto il rimborso",
      "continuate a prelevare",
      // pt
      "cobrado duas vezes",
      "cobrada duas vezes",
      "cobraram duas vezes",
      "cobranca duplicada",
      "cobrada em dobro",
      "cobrado em dobro",
      "cobranca em dobro",
      "cobranca indevida",
      "paguei duas vezes",
      "debitado duas vezes",
      "contestar esta cobranca",
      "me cobraram",
      "cobraram no meu",
      "reembolso prometido",
      "ainda nao recebi o reembolso",
      "continuam a debitar",
      // nl
      "dubbel afgeschreven",
      "twee keer afgeschreven",
      "dubbel betaald",
      "twee keer betaald",
      "onterecht afgeschreven",
      "dubbele afschrijving",
      "dubbel afgerekend",
      "beloofde terugbetaling",
      "nog steeds geen terugbetaling",
      "betwist deze betaling",
  }));
  return *phrases;
}

// Account access: a customer who cannot get into their account. The wifi's password is a question.
const std::vector<Phrase>& AccountAccess() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      // en
      "locked out",
      "can't log in",
      "cannot log in",
      "can't login",
      "cannot login",
      "unable to log in",
      "can't sign in",
      "cannot sign in",
      "forgot my password",
      "forgotten my password",
      "reset my password",
      "password reset",
      "my password",
      "account is locked",
      "account locked",
      "account is blocked",
      "account was blocked",
      "two factor",
      "verification code",
      "invalid credentials",
      "lost access",
      // fr
      "mot de passe oublie",
      "mon mot de passe",
      "me connecter",
      "compte bloque",
      "compte verrouille",
      "compte a ete verrouille",
      "code de verification",
      "identifiants invalides",
      "double authentification",
      "plus acces a mon compte",
      // de
      "passwort vergessen",
      "mein passwort",
      "nicht einloggen",
      "nicht anmelden",
      "konto gesperrt",
      "account gesperrt",
      "bestatigungscode",
      "zwei faktor*",
      "zugangsdaten",
      "komme nicht mehr in",
      // es
      "olvide mi contrasena",
      "mi contrasena",
      "iniciar sesion",
      "no puedo entrar",
      "cuenta bloqueada",
      "codigo de verificacion",
      "bloqueado la cuenta",
      "doble verificacion",
      "credenciales no validas",
      "acceder a mi cuenta",
      // it
      "password dimenticata",
      "dimenticato la password",
      "la mia password",
      "riesco ad accedere",
      "riesco a entrare",
      "account bloccato",
      "codice di verifica",
      "bloccato l account",
      "due passaggi",
      "credenziali non valide",
      "fare il login",
      // pt
      "esqueci a senha",
      "esqueci minha senha",
      "minha senha",
      "a senha esta errada",
      "consigo entrar",
      "consigo fazer login",
      "conta bloqueada",
      "codigo de verificacao",
      "credenciais invalidas",
      "aceder a minha conta",
      "bloquearam a minha conta",
      "duas etapas",
      "acessar minha conta",
      // nl
      "wachtwoord vergeten",
      "mijn wachtwoord",
      "niet inloggen",
      "kan niet inloggen",
      "account is geblokkeerd",
      "account geblokkeerd",
      "verificatiecode",
      "ongeldige inloggegevens",
      "tweestaps*",
      "kom niet meer in",
  }));
  return *phrases;
}

// Asking for a person.
const std::vector<Phrase>& HumanRequested() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      // en
      "human",
      "real person",
      "speak to a person",
      "talk to a person",
      "speak to someone",
      "talk to someone",
      "speak with someone",
      "talk to somebody",
      "live agent",
      "real agent",
      "an agent",
      "representative",
      "a manager",
      "call me back",
      "call me",
      "anyone i can",
      "somebody i can",
      "the manager",
      "your manager",
      "not a bot",
      "stop the bot",
      "the owner",
      // fr
      "un humain",
      "une vraie personne",
      "parler a quelqu",
      "un conseiller",
      "une conseillere",
      "passez moi",
      "le responsable",
      "rappelez moi",
      "m appeler",
      "me rappeler",
      "le gerant",
      // de
      "einem menschen",
      "echte person",
      "echten menschen",
      "mit jemandem",
      "einen mitarbeiter",
      "einem mitarbeiter",
      "rufen sie mich",
      "zuruckrufen",
      "ansprechpartner",
      "den inhaber",
      "filialleiter",
      // es
      "una persona real",
      "hablar con alguien",
      "hablar con una persona",
      "un agente",
      "un humano",
      "el encargado",
      "llamadme",
      "me puede llamar",
      "llamarme",
      "el dueno",
      "pasame con",
      // it
      "un operatore",
      "una persona vera",
      "parlare con qualcuno",
      "parlare con una persona",
      "il responsabile",
      "il titolare",
      "richiamatemi",
      "mi puo chiamare",
      "chiamarmi",
      "operatore umano",
      // pt
      "um atendente",
      "atendente humano",
      "atendimento humano",
      "pessoa de verdade",
      "falar com alguem",
      "falar com uma pessoa",
      "me liguem",
      "me ligar",
      "o gerente",
      "o dono",
      // nl
      "een mens",
      "een medewerker",
      "echt persoon",
      "echte medewerker",
      "bel me",
      "terugbellen",
      "iemand spreken",
      "de bedrijfsleider",
      "de eigenaar",
  }));
  return *phrases;
}

const std::vector<Phrase>& Complaint() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "complaint",    "complain",      "unacceptable", "disgusting",   "worst",
      "furious",      "ripped off",    "never again",  "scam",         "very disappointed",
      "plainte",      "reclamation",   "inadmissible", "arnaque",      "scandale",
      "scandaleux",   "honteux",       "inacceptable", "furieux",      "furieuse",
      "degoute",      "plus jamais",   "beschwerde",   "beschweren",   "unverschamt",
      "inakzeptabel", "frechheit",     "betrug",       "abzocke",      "enttauscht",
      "nie wieder",   "queja",         "reclamacion",  "inaceptable",  "vergonzoso",
      "estafa",       "timo",          "indignad*",    "decepcionad*", "nunca mas",
      "reclamo",      "inaccettabile", "vergognoso",   "truffa",       "delusa",
      "deluso",       "mai piu",       "reclamacao",   "inaceitavel",  "vergonhoso",
      "golpe",        "pessimo",       "nunca mais",   "klacht",       "onacceptabel",
      "schandalig",   "rip off",       "not happy",    "unhappy",      "fed up",
      "mecontent*",   "j en ai marre", "unzufrieden",  "descontent*",  "harta",
      "harto",        "scontent*",     "stufa",        "stufo",        "insatisfeit*",
      "farta",        "farto",         "ontevreden",   "het zat",      "oplichting",
      "oplichters",   "teleurgesteld", "nooit meer",
  }));
  return *phrases;
}

const std::vector<Phrase>& Legal() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "lawyer",
      "attorney",
      "solicitor",
      "legal action",
      "sue you",
      "going to sue",
      "in court",
      "to court",
      "lawsuit",
      "gdpr",
      "small claims",
      "trading standards",
      "ombudsman",
      "mon avocat",
      "un avocat",
      "tribunal",
      "poursuites",
      "mise en demeure",
      "rgpd",
      "porter plainte",
      "en justice",
      "dgccrf",
      "cnil",
      "anwalt",
      "rechtsanwalt",
      "vor gericht",
      "ans gericht",
      "verklagen",
      "klage",
      "dsgvo",
      "abmahnung",
      "rechtliche schritte",
      "verbraucherzentrale",
      "erstatte anzeige",
      "anzeige erstatten",
      "anzeige gegen",
      "abogado",
      "demandar",
      "acciones legales",
      "tribunales",
      "denuncia",
      "denunciar*",
      "burofax",
      "avvocato",
      "vie legali",
      "tribunale",
      "diffida",
      "faccio causa",
      "advogado",
      "processar",
      "medidas legais",
      "procon",
      "na justica",
      "queixa na policia",
      "advocaat",
      "rechter",
      "juridische stappen",
      "aanklagen",
      "aangifte",
      "de avg",
      "aansprakelijkstelling",
  }));
  return *phrases;
}

// Insults aimed at the staff or the bot.
const std::vector<Phrase>& Abuse() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "idiot",           "idiots",       "stupid bot",   "you stupid",  "stupid cow", "moron*",
      "fuck*",           "bitch",        "asshole",      "shut up",     "scumbag*",   "crook*",
      "connard*",        "connasse",     "conasse",      "encule*",     "abruti*",    "ta gueule",
      "cretin*",         "imbecile*",    "faire foutre", "arschloch",   "vollidiot*", "halt die klappe",
      "halt die fresse", "wichser",      "penner",       "trottel",     "verpisst",   "dumme kuh",
      "idiota*",         "imbecil*",     "gilipollas",   "cabron*",     "pendejo*",   "a la mierda",
      "stronz*",         "coglion*",     "vaffanculo",   "cretino",     "cretini",    "deficiente",
      "otario*",         "otaria",       "babaca",       "cala a boca", "a merda",    "idioot",
      "clowns",          "payasos",      "pagliacci",    "palhacos",    "guignols",   "witzfiguren",
      "muppets",         "t es bete",    "eres tonto",   "sei scemo",   "es burro",   "ben je dom",
      "bist du zu blod", "bist du blod", "idioten",      "klootzak",    "sukkel*",    "hou je bek",
      "rot toch op",     "trut",
  }));
  return *phrases;
}

const WordSet& Greetings() {
  static const auto* words = new WordSet(CompileWords({
      "hi",       "hello", "hey",         "hiya",        "good",        "morning",    "afternoon", "evening",
      "there",    "team",  "all",         "everyone",    "bonjour",     "salut",      "coucou",    "bonsoir",
      "re",       "a",     "tous",        "madame",      "monsieur",    "l",          "equipe",    "hallo",
      "guten",    "tag",   "morgen",      "abend",       "moin",        "servus",     "gruss",     "gott",
      "zusammen", "hola",  "holaa",       "buenos",      "buenas",      "dias",       "tardes",    "noches",
      "muy",      "ciao",  "buongiorno",  "buonasera",   "buon",        "pomeriggio", "salve",     "ehi",
      "ola",      "oi",    "oie",         "bom",         "dia",         "boa",        "tarde",     "noite",
      "pessoal",  "hoi",   "goedemorgen", "goedemiddag", "goedenavond", "dag",        "allemaal",  "yo",
  }));
  return *words;
}

const WordSet& Acknowledgements() {
  static const auto* words = new WordSet(CompileWords({
      "thanks",  "thank",     "thx",       "ty",          "you",        "ok",       "okay",       "k",
      "cool",    "great",     "nice",      "perfect",     "super",      "bye",      "goodbye",    "cheers",
      "noted",   "got",       "it",        "alright",     "good",       "awesome",  "brilliant",  "lovely",
      "so",      "much",      "very",      "lot",         "a",          "many",     "again",      "no",
      "worries", "sounds",    "see",       "merci",       "beaucoup",   "bien",     "parfait",    "top",
      "d",       "accord",    "recu",      "nickel",      "genial",     "entendu",  "infiniment", "bonne",
      "journee", "soiree",    "plus",      "c",           "est",        "note",     "ca",         "marche",
      "danke",   "schon",     "vielen",    "dank",        "alles",      "klar",     "perfekt",    "gut",
      "toll",    "prima",     "passt",     "tschuss",     "herzlichen", "lieben",   "mega",       "gracias",
      "muchas",  "mil",       "vale",      "perfecto",    "de",         "acuerdo",  "entendido",  "estupendo",
      "hasta",   "luego",     "adios",     "grazie",      "mille",      "va",       "bene",       "perfetto",
      "ottimo",  "capito",    "benissimo", "arrivederci", "presto",     "obrigado", "obrigada",   "valeu",
      "beleza",  "combinado", "certo",     "perfeito",    "otimo",      "tchau",    "ate",        "logo",
      "entendi", "bedankt",   "je",        "wel",         "dankjewel",  "dankuwel", "hartelijk",  "oke",
      "fijn",    "doei",      "tot",       "ziens",       "duidelijk",
  }));
  return *words;
}

bool OnlyWordsOf(const std::vector<std::string>& burst_words, const WordSet& words) {
  return std::all_of(burst_words.begin(), burst_words.end(),
                     [&](const std::string& word) { return words.contains(word); });
}

size_t CountPhrases(const std::string& padded_burst, const std::vector<Phrase>& phrases) {
  return static_cast<size_t>(std::count_if(phrases.begin(), phrases.end(), [&](const Phrase& phrase) {
    return padded_burst.find(phrase.padded) != std::string::npos;
  }));
}

}  // namespace parley::agent::triage_rules
