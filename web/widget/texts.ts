// The widget's words. The server's config (GET …/config) gives the business's texts per language; these built-ins
// fill what it leaves out (the states only the widget knows: sending, failed, unavailable, a refused file) and stand in when the
// config cannot be read at all (a refused origin), so the launcher and the error are still in the visitor's language.

export interface Texts {
  launcher: string;
  title: string;
  message_label: string;
  send: string;
  greeting: string;
  name_label: string;
  email_label: string;
  close: string;
  retry: string;
  sending: string;
  failed: string;
  unavailable: string;
  typing: string;
  you: string;
  file: string;
  open_image: string;
  download: string;
  audio: string;
  video: string;
  attach: string;
  too_large: string;
  file_type: string;
}

const en: Texts = {
  launcher: 'Chat with us',
  title: 'Chat',
  message_label: 'Message',
  send: 'Send',
  greeting: '',
  name_label: 'Name (optional)',
  email_label: 'E-mail (optional)',
  close: 'Close',
  retry: 'Retry',
  sending: 'Sending…',
  failed: 'Not sent.',
  unavailable: 'The chat is not available right now.',
  typing: 'Typing…',
  you: 'You',
  file: 'File',
  open_image: 'Open image',
  download: 'Download',
  audio: 'Audio',
  video: 'Video',
  attach: 'Attach a file',
  too_large: 'Not sent: this file is too large.',
  file_type: 'Not sent: this type of file cannot be sent.',
};

const fr: Texts = {
  launcher: 'Discuter avec nous',
  title: 'Discussion',
  message_label: 'Message',
  send: 'Envoyer',
  greeting: '',
  name_label: 'Nom (facultatif)',
  email_label: 'E-mail (facultatif)',
  close: 'Fermer',
  retry: 'Réessayer',
  sending: 'Envoi…',
  failed: 'Non envoyé.',
  unavailable: 'La discussion n’est pas disponible pour le moment.',
  typing: 'En train d’écrire…',
  you: 'Vous',
  file: 'Fichier',
  open_image: 'Ouvrir l’image',
  download: 'Télécharger',
  audio: 'Audio',
  video: 'Vidéo',
  attach: 'Joindre un fichier',
  too_large: 'Non envoyé : ce fichier est trop volumineux.',
  file_type: 'Non envoyé : ce type de fichier ne peut pas être envoyé.',
};

export const builtInTexts: Record<string, Texts> = { en, fr };

/**
 * The language to show: the primary subtag of the first of the visitor's languages that `available` holds
 * ("fr-CA" → "fr"), else "en".
 */
export function pickLanguage(visitorLanguages: readonly string[], available: readonly string[]): string {
  for (const tag of visitorLanguages) {
    const primary = tag.split('-')[0]!.toLowerCase();
    if (available.includes(primary)) return primary;
  }
  return 'en';
}

/** The built-ins of `language` (English for one the widget does not know) with the server's words over them. */
export function textsFor(language: string, server: Partial<Texts> = {}): Texts {
  const words = { ...(builtInTexts[language] ?? en) };
  for (const [key, value] of Object.entries(server)) {
    if (typeof value === 'string' && key in words) words[key as keyof Texts] = value;
  }
  return words;
}
