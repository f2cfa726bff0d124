#include "agent/triage.h"

#include "agent/triage_model.h"
#include "knowledge/text.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <regex>
#include <unordered_set>

namespace parley::agent {
namespace {

// A phrase matched on the word boundaries of the folded burst ("can't log in" matches "I CAN'T log in!"); a final
// '*' lets its last word be a prefix ("bleed*" matches "bleeding", "bleeds").
struct Phrase {
  std::string padded;  //!< " word word " (no final space with a prefix).
};

// Folded and padded once, so the lists below are written as people write ("Grüß Gott", "can't").
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

using WordSet = std::unordered_set<std::string>;

// The folded words of `entries` ("d'accord" gives "d" and "accord").
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

// Injury, medical emergencies, self-harm, threats of violence, fire and gas: a person must see these at once,
// whatever else the burst says. Words that are also everyday words in a shop ("sangria", "brand", "bomba" as a
// pump, "gevallen" as cases) are only taken in phrases.
const std::vector<Phrase>& UrgentSafety() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      // en
      "bleed*",
      "unconscious",
      "not breathing",
      "isn't breathing",
      "stopped breathing",
      "can't breathe",
      "cannot breathe",
      "heart attack",
      "seizure",
      "swallowed",
      "overdos*",
      "poisoned",
      "poisoning",
      "allergic reaction",
      "anaphyla*",
      "ambulance",
      "kill myself",
      "killing myself",
      "end my life",
      "take my life",
      "suicid*",
      "want to die",
      "hurt myself",
      "harm myself",
      "self harm",
      "kill you",
      "kill him",
      "kill her",
      "kill your",
      "with a knife",
      "a gun",
      "bomb threat",
      "plant a bomb",
      "passed out",
      "collapsed",
      "fainted",
      "choking",
      "drowning",
      "electrocuted",
      "on fire",
      "caught fire",
      "smell of gas",
      "smells of gas",
      "gas leak",
      "injured",
      "badly hurt",
      "took all my pills",
      "all my pills",
      "pills ready",
      "nobody will miss me",
      "nobody would miss me",
      "nobody would care if i",
      "knows where i live",
      "threatened me",
      "threatening me",
      "vomiting",
      "call 911",
      "call 999",
      "want to be alive",
      "want to live anymore",
      "no reason to live",
      "fell down the",
      "has fallen and",
      "fell and can't",
      "fell and cannot",
      // Falls and threats in the other languages, as phrases ("caduta" alone is a price drop).
      "en finir",
      "menace de tuer",
      "menace de mort",
      "est tombe et",
      "est tombee et",
      "e caduta dalle",
      "e caduto dalle",
      "e caduta e",
      "e caduto e",
      "non riesce ad alzarsi",
      "ist gesturzt",
      "se ha caido",
      "no se puede levantar",
      "caiu e",
      "nao consegue levantar",
      "is gevallen en",
      // fr
      "saign*",
      "inconscient*",
      "ne respire plus",
      "respire plus",
      "respire pas",
      "crise cardiaque",
      "avale",
      "avalee",
      "empoisonn*",
      "intoxiqu*",
      "intoxication",
      "reaction allergique",
      "choc anaphylactique",
      "samu",
      "pompiers",
      "me suicider",
      "mettre fin a mes jours",
      "mettre fin a ma vie",
      "envie de mourir",
      "veux mourir",
      "me faire du mal",
      "vous tuer",
      "te tuer",
      "je le tue",
      "je la tue",
      "je vais tuer",
      "avec un couteau",
      "avec une arme",
      "alerte a la bombe",
      "evanoui*",
      "un malaise",
      "s etouffe",
      "incendie",
      "pris feu",
      "odeur de gaz",
      "fuite de gaz",
      "blesse",
      "tous mes cachets",
      "tous mes medicaments",
      "prepare les medicaments",
      "personne ne me regrettera",
      "plus envie de vivre",
      "blessee",
      "blessure",
      "m a menace",
      "sait ou j habite",
      "vomit",
      // de
      "blutet",
      "blutung",
      "bewusstlos",
      "atmet nicht",
      "keine luft",
      "herzinfarkt",
      "verschluckt",
      "uberdosis",
      "vergiftet",
      "vergiftung",
      "allergische reaktion",
      "allergischen schock",
      "krankenwagen",
      "notarzt",
      "rettungswagen",
      "umzubringen",
      "bringe mich um",
      "umbringen",
      "bringe ihn um",
      "bring dich um",
      "bringe euch um",
      "selbstmord",
      "suizid*",
      "mein leben beenden",
      "nicht mehr leben",
      "will sterben",
      "mir etwas antun",
      "mit einem messer",
      "mit einer waffe",
      "bombendrohung",
      "ohnmachtig",
      "zusammengebrochen",
      "bedroht",
      "gedroht",
      "weiss wo ich wohne",
      "feuer gefangen",
      "es brennt",
      "alle meine tabletten",
      "tabletten schon bereit",
      "niemand wurde mich vermissen",
      "riecht nach gas",
      "gasgeruch",
      "ist verletzt",
      "bin verletzt",
      "schwer verletzt",
      "hat sich verletzt",
      "erbricht",
      "gesturzt",
      "hingefallen",
      // es
      "sangrando",
      "sangra",
      "sangrado",
      "mucha sangre",
      "inconsciente",
      "no respira",
      "infarto",
      "ataque al corazon",
      "se trago",
      "se ha tragado",
      "sobredosis",
      "envenen*",
      "intoxicacion",
      "reaccion alergica",
      "anafila*",
      "ambulancia",
      "suicid*",
      "quitarme la vida",
      "quiero morir",
      "hacerme dano",
      "voy a matar",
      "lo mato",
      "la mato",
      "matarme",
      "con un cuchillo",
      "con una pistola",
      "con un arma",
      "amenaza de bomba",
      "desmay*",
      "se ahoga",
      "se incendio",
      "incendio",
      "olor a gas",
      "huele a gas",
      "fuga de gas",
      "herido",
      "herida",
      "todas las pastillas",
      "todas mis pastillas",
      "pastillas preparadas",
      "nadie me echara de menos",
      "me ha amenazado",
      "me amenazo",
      "sabe donde vivo",
      "vomitando",
      // it
      "sanguina",
      "perdendo sangue",
      "perde sangue",
      "svenut*",
      "non respira",
      "ingoiato",
      "avvelenat*",
      "intossicazione",
      "reazione allergica",
      "shock anafilattico",
      "ambulanza",
      "togliermi la vita",
      "farla finita",
      "voglio morire",
      "farmi del male",
      "ammazz*",
      "uccid*",
      "con un coltello",
      "con una pistola",
      "allarme bomba",
      "soffoca",
      "tutte le mie pillole",
      "tutte le pillole",
      "pastiglie",
      "nessuno sentira la mia mancanza",
      "preso fuoco",
      "odore di gas",
      "fuga di gas",
      "ferito",
      "ferita",
      "minacciat*",
      "sa dove abito",
      "vomitando",
      // pt
      "a sangrar",
      "nao respira",
      "nao esta respirando",
      "ataque cardiaco",
      "engoliu",
      "intoxicacao",
      "reacao alergica",
      "me matar",
      "matar me",
      "tirar a minha vida",
      "acabar com a minha vida",
      "quero morrer",
      "vou te matar",
      "mato ele",
      "com uma faca",
      "com uma arma",
      "ameaca de bomba",
      "desmaiou",
      "engasgad*",
      "pegou fogo",
      "cheiro a gas",
      "cheiro de gas",
      "todos os meus remedios",
      "separei os comprimidos",
      "ninguem vai sentir a minha falta",
      "vazamento de gas",
      "ferido",
      "ameacou*",
      "ameacado",
      "sabe onde eu moro",
      "a vomitar",
      // nl
      "bloedt",
      "bloeding",
      "bewusteloos",
      "ademt niet",
      "hartaanval",
      "ingeslikt",
      "overdosis",
      "vergiftig*",
      "allergische reactie",
      "zelfmoord",
      "einde aan mijn leven",
      "wil dood",
      "niet meer leven",
      "mezelf iets aandoen",
      "maak je af",
      "maak hem af",
      "vermoord*",
      "met een mes",
      "met een wapen",
      "bommelding",
      "flauwgevallen",
      "al mijn pillen",
      "pillen al klaarliggen",
      "niemand zal me missen",
      "in elkaar gezakt",
      "vloog in brand",
      "staat in brand",
      "ruikt naar gas",
      "gaslek",
      "gewond",
      "bedreigd",
      "weet waar ik woon",
      "moet overgeven",
  }));
  return *phrases;
}

// With a link, these are the marks of phishing: an account about to be closed, a prize, a fee to release a parcel.
const std::vector<Phrase>& PhishingWithLink() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      // en
      "verify your",
      "verify now",
      "verify here",
      "suspended",
      "unusual activity",
      "confirm your",
      "you have won",
      "you won",
      "claim your",
      "customs fee",
      "will be deleted",
      "will be banned",
      "copyright",
      "expires today",
      "update your card",
      "payment details",
      "bank details",
      "final notice",
      // fr
      "verifiez votre",
      "verifiez maintenant",
      "verifiez vos",
      "suspendu",
      "activite inhabituelle",
      "confirmez vos",
      "vous avez gagne",
      "reclamez",
      "frais de livraison",
      "sera supprimee",
      "droits d auteur",
      "expire aujourd hui",
      "coordonnees bancaires",
      "renseignez votre carte",
      "dernier avis",
      // de
      "bestatigen sie",
      "jetzt verifizieren",
      "verifizieren sie",
      "gesperrt",
      "ungewohnliche aktivitat",
      "gewonnen",
      "zollgebuhr",
      "wird geloscht",
      "urheberrecht*",
      "lauft heute ab",
      "bankdaten",
      "letzte warnung",
      // es
      "verifique su",
      "verifica tu",
      "verifique ahora",
      "suspendida",
      "actividad inusual",
      "confirme sus",
      "has ganado",
      "ha ganado",
      "reclama tu",
      "aduana",
      "sera eliminada",
      "derechos de autor",
      "caduca hoy",
      "datos bancarios",
      "ultimo aviso",
      // it
      "verifica la tua",
      "verifica ora",
      "verifica qui",
      "sospeso",
      "attivita sospette",
      "conferma i tuoi",
      "hai vinto",
      "riscatta",
      "doganal*",
      "sara eliminata",
      "scade oggi",
      "dati bancari",
      "ultimo avviso",
      "sblocca qui",
      // pt
      "verifique a sua",
      "verifique sua",
      "verifique agora",
      "suspensa",
      "atividade incomum",
      "confirme os seus",
      "voce ganhou",
      "resgate",
      "alfandegaria",
      "sera excluida",
      "direitos autorais",
      "expira hoje",
      "dados bancarios",
      "regularize aqui",
      // nl
      "verifieer uw",
      "verifieer nu",
      "opgeschort",
      "verdachte activiteit",
      "bevestig uw",
      "heeft gewonnen",
      "claim uw",
      "invoerrechten",
      "wordt verwijderd",
      "auteursrecht*",
      "verloopt vandaag",
      "bankgegevens",
      "laatste waarschuwing",
  }));
  return *phrases;
}

// Scams that need no link: a prize, a lottery, gift-card codes to send.
const std::vector<Phrase>& Scam() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "lucky winner",
      "lottery",
      "send me the codes",
      "claim your prize",
      "heureux gagnant",
      "tirage au sort",
      "envoyez moi les codes",
      "gluckliche gewinner",
      "lotterie",
      "schick mir die codes",
      "afortunado ganador",
      "loteria",
      "mandes los codigos",
      "fortunato vincitore",
      "lotteria",
      "mandami i codici",
      "feliz ganhador",
      "me mande os codigos",
      "gelukkige winnaar",
      "loterij",
      "stuur me de codes",
  }));
  return *phrases;
}

// Pitches that are spam on their own; the words after them are spam only next to a link ("do you accept
// bitcoin?" is a customer's question).
const std::vector<Phrase>& Spam() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "investment opportunity",
      "earn money",
      "click here",
      "free money",
      "work from home",
      "promote your",
      "seo services",
      "buy followers",
      "backlinks",
      "gagner de l argent",
      "gagnez",
      "referencement seo",
      "geld verdienen",
      "verdienen sie",
      "seo optimierung",
      "gana dinero",
      "posicionamiento seo",
      "guadagna",
      "servizi seo",
      "quick loan",
      "pret rapide",
      "kredit ohne",
      "prestamos rapidos",
      "prestiti veloci",
      "emprestimo rapido",
      "geld lenen",
      "ganhe",
      "servicos de seo",
      "verdien",
      "seo diensten",
  }));
  return *phrases;
}
const std::vector<Phrase>& SpamNextToLink() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "crypto*",
      "bitcoin",
      "forex",
      "followers",
      "casino",
      "loan",
      "krypto*",
      "cripto*",
      "likes",
      "trading",
  }));
  return *phrases;
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

// True when every word of the burst is in `words`.
bool OnlyWordsOf(const std::vector<std::string>& burst_words, const WordSet& words) {
  return std::all_of(burst_words.begin(), burst_words.end(),
                     [&](const std::string& word) { return words.contains(word); });
}

// Links with a scheme: "https://…", "www.…".
size_t CountLinks(const std::string& folded) {
  size_t links = 0;
  for (std::string_view scheme : {"http://", "https://", "www."}) {
    for (size_t at = folded.find(scheme); at != std::string::npos; at = folded.find(scheme, at + scheme.size())) {
      // "https://www." is one link.
      if (scheme == "www." && at >= 3 && folded.compare(at - 3, 3, "://") == 0) continue;
      ++links;
    }
  }
  return links;
}

// Bare domains ("bit.ly/claim", "fb-verificacion.net"), which phishing uses because they look less like links. A
// known top-level domain is required, so "3.5" or "e.g." never count; e-mail addresses do not either.
size_t CountBareDomains(const std::string& folded) {
  static const std::regex kBareDomain(
      R"((^|[\s(])(?!www\.)[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.(com|net|org|info|biz|shop|store|online|site|xyz|top|)"
      R"(click|link|ly|io|co|me|app|nl|de|fr|es|it|pt|be|ch|at|uk|eu|us)(/\S*)?(?=$|[\s).,!?]))");
  return static_cast<size_t>(
      std::distance(std::sregex_iterator(folded.begin(), folded.end(), kBareDomain), std::sregex_iterator()));
}

// "Click the link" in a message that carries none (it came in another message, or the sender hopes it will be
// asked for): phishing's bait reads the same.
const std::vector<Phrase>& LinkMentions() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "click the link",
      "click on the link",
      "cliquez sur le lien",
      "klicken sie auf den link",
      "haz clic en el enlace",
      "haga clic en el enlace",
      "clicca sul link",
      "clique no link",
      "klik op de link",
  }));
  return *phrases;
}

size_t CountPhrases(const std::string& padded_burst, const std::vector<Phrase>& phrases) {
  return static_cast<size_t>(std::count_if(phrases.begin(), phrases.end(), [&](const Phrase& phrase) {
    return padded_burst.find(phrase.padded) != std::string::npos;
  }));
}

// A prize announced, and what the fraud asks for to pay it out: together they are a scam even without a link; either
// alone may be a customer's own words ("you won our raffle?", "what are your bank details for a transfer?").
const std::vector<Phrase>& PrizeClaims() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "you have won",
      "you won",
      "you ve been selected",
      "vous avez gagne",
      "vous avez ete selectionne",
      "sie haben gewonnen",
      "im lotto gewonnen",
      "has ganado",
      "ha ganado",
      "hai vinto",
      "ha vinto",
      "voce ganhou",
      "ganhou",
      "foi selecionado",
      "foi selecionada",
      "u heeft gewonnen",
      "je hebt gewonnen",
  }));
  return *phrases;
}

const std::vector<Phrase>& PayoutRequests() {
  static const auto* phrases = new std::vector<Phrase>(Compile({
      "bank details",
      "card details",
      "processing fee",
      "coordonnees bancaires",
      "frais de dossier",
      "bankdaten",
      "bearbeitungsgebuhr",
      "datos bancarios",
      "gastos de gestion",
      "coordinate bancarie",
      "spese di gestione",
      "dados bancarios",
      "taxa de processamento",
      "bankgegevens",
      "administratiekosten",
  }));
  return *phrases;
}

TriageResult Rule(::parley::Decision decision, Reason reason) {
  return {decision, reason, decision == ::parley::Decision::kEscalate ? DefaultPriority(reason) : Priority::kNormal,
          1.0, "rule"};
}

// The classifier is trusted above this probability. Escalating or ignoring needs more: a question it takes for a
// complaint is handed to a person instead of answered, and an ignored customer hears nothing. An urgent-safety
// reading needs less than those, because missing one costs more than a person reading a false alarm; the rules
// catch the plain cases.
constexpr double kMinConfidence = 0.5;
constexpr double kMinEscalateConfidence = 0.7;
constexpr double kMinUrgentConfidence = 0.35;
constexpr double kMinIgnoreConfidence = 0.7;

}  // namespace

TriageResult TriageOffline(std::string_view burst_text) {
  using D = ::parley::Decision;
  std::string folded = knowledge::Fold(burst_text);
  std::vector<std::string> words = knowledge::Words(folded);
  if (words.empty()) {
    bool blank = burst_text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    return Rule(D::kIgnore, blank ? Reason::kEmpty : Reason::kEmojiOnly);
  }
  std::string padded = " ";
  for (const auto& word : words) padded.append(word).push_back(' ');

  if (ContainsAny(padded, UrgentSafety())) return Rule(D::kEscalate, Reason::kUrgentSafety);
  const size_t links = CountLinks(folded);
  // Bait next to any way of reaching the fraudster's page: a link, a bare domain, or "click the link".
  const bool reachable = links + CountBareDomains(folded) + CountPhrases(padded, LinkMentions()) > 0;
  const bool prize_payout = ContainsAny(padded, PrizeClaims()) && ContainsAny(padded, PayoutRequests());
  if ((reachable && ContainsAny(padded, PhishingWithLink())) || prize_payout || ContainsAny(padded, Scam())) {
    return Rule(D::kIgnore, Reason::kScam);
  }
  if (links >= 2 || (links > 0 && ContainsAny(padded, SpamNextToLink())) || ContainsAny(padded, Spam())) {
    return Rule(D::kIgnore, Reason::kSpam);
  }
  // The most specific reason first: a legal threat, then insults, then what the customer needs done.
  if (ContainsAny(padded, Legal())) return Rule(D::kEscalate, Reason::kLegal);
  if (ContainsAny(padded, Abuse())) return Rule(D::kEscalate, Reason::kAbuse);
  if (ContainsAny(padded, BillingDispute())) return Rule(D::kEscalate, Reason::kBillingDispute);
  // "What's the wifi password?" is a question for the knowledge, not a lock-out.
  const bool wifi = padded.find(" wifi ") != std::string::npos || padded.find(" wi fi ") != std::string::npos ||
                    padded.find(" wlan ") != std::string::npos;
  if (!wifi && ContainsAny(padded, AccountAccess())) return Rule(D::kEscalate, Reason::kAccountAccess);
  if (ContainsAny(padded, HumanRequested())) return Rule(D::kEscalate, Reason::kHumanRequested);
  if (ContainsAny(padded, Complaint())) return Rule(D::kEscalate, Reason::kComplaint);
  if (words.size() <= 6 && OnlyWordsOf(words, Acknowledgements())) return Rule(D::kIgnore, Reason::kAcknowledgement);
  if (words.size() <= 5 && OnlyWordsOf(words, Greetings())) return Rule(D::kGreeting, Reason::kGreeting);

  std::array<double, triage::kClassCount> probabilities =
      triage::Probabilities(triage::TrainedWeights(), triage::Features(burst_text));
  size_t best =
      static_cast<size_t>(std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
  const double urgent = probabilities[triage::ClassIndex(Reason::kUrgentSafety)];
  Reason reason = triage::kClasses[best];
  if (urgent >= kMinUrgentConfidence) {
    reason = Reason::kUrgentSafety;
  } else if (probabilities[best] < kMinConfidence ||
             (triage::DecisionOf(reason) == D::kIgnore && probabilities[best] < kMinIgnoreConfidence) ||
             (triage::DecisionOf(reason) == D::kEscalate && probabilities[best] < kMinEscalateConfidence)) {
    return {D::kAutoReply, Reason::kAnswered, Priority::kNormal, probabilities[best], "fallback"};
  }
  D decision = triage::DecisionOf(reason);
  return {decision, reason, decision == D::kEscalate ? DefaultPriority(reason) : Priority::kNormal,
          probabilities[triage::ClassIndex(reason)], "classifier"};
}

}  // namespace parley::agent
