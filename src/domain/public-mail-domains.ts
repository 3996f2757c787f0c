/**
 * Public mail and relay domains: anyone can get an address on them, so no organization can own
 * them and none may verify them (docs/tenancy.md). A name is refused when it is one of these or a
 * subdomain of one (mail.gmail.com belongs to Google as much as gmail.com does); src/domain/domain-rules.ts
 * also refuses every public suffix of the Public Suffix List (co.uk, github.io) through `tldts`,
 * which this list does not repeat.
 *
 * What belongs here: a registrable domain (or a name under one) where the public gets mailboxes
 * or addresses it did not register the domain for:
 * - free and ISP mail providers (gmail.com, web.de, ...);
 * - relay and alias services that hand out forwarding addresses (duck.com, mozmail.com,
 *   privaterelay.appleid.com, simplelogin.com, ...): an address there proves only a mailbox
 *   somewhere else;
 * - disposable-mail services (mailinator.com, yopmail.com, ...).
 * Families registered under many country endings (gmx.de, gmx.at, gmx.net, yahoo.co.uk, ...) are
 * listed by their first label in PUBLIC_MAIL_FAMILIES and match under any ending.
 * To extend the list, add the name under its heading here; tests read it from this file.
 */

export const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  // Google, Microsoft, Apple
  "gmail.com", "googlemail.com",
  "hotmail.com", "outlook.com", "live.com", "msn.com", "passport.com", "windowslive.com",
  "icloud.com", "me.com", "mac.com",
  // Yahoo, AOL, Verizon
  "yahoo.com", "ymail.com", "rocketmail.com", "aol.com", "aim.com", "verizon.net",
  // privacy-focused and independent providers
  "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com", "tutanota.de", "tuta.io", "tuta.com",
  "fastmail.com", "fastmail.fm", "hey.com", "zoho.com", "zohomail.com", "mailbox.org", "posteo.de", "posteo.net",
  "hushmail.com", "runbox.com", "disroot.org", "riseup.net",
  // Germany, Austria, Switzerland, France, Italy, Spain, Netherlands
  "web.de", "t-online.de", "freenet.de", "arcor.de", "bluewin.ch", "orange.fr", "wanadoo.fr", "free.fr",
  "laposte.net", "sfr.fr", "libero.it", "virgilio.it", "tiscali.it", "alice.it", "terra.es", "ziggo.nl", "kpnmail.nl",
  // United Kingdom, North America, Oceania
  "btinternet.com", "sky.com", "talktalk.net", "virginmedia.com", "comcast.net", "att.net", "sbcglobal.net",
  "bellsouth.net", "charter.net", "cox.net", "earthlink.net", "shaw.ca", "rogers.com", "sympatico.ca",
  "bigpond.com", "optusnet.com.au", "xtra.co.nz",
  // Russia and neighbours
  "mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru", "yandex.ru", "yandex.com", "ya.ru", "rambler.ru", "ukr.net",
  // China, Korea, Japan, India, Brazil
  "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "aliyun.com", "139.com",
  "naver.com", "daum.net", "hanmail.net", "yahoo.co.jp", "rediffmail.com", "uol.com.br", "bol.com.br",
  // other free services
  "mail.com", "email.com", "usa.com", "inbox.com", "lycos.com", "excite.com", "rediff.com", "seznam.cz", "wp.pl",
  "o2.pl", "interia.pl", "onet.pl", "abv.bg",
  // relay and alias services (forwarding addresses handed out to the public)
  "duck.com", "privaterelay.appleid.com", "mozmail.com", "relay.firefox.com", "simplelogin.com", "simplelogin.co",
  "simplelogin.fr", "slmail.me", "aleeas.com", "8alias.com", "8shield.net", "anonaddy.com", "anonaddy.me", "addy.io",
  "passmail.net", "passmail.com", "passinbox.com", "33mail.com", "erine.email", "spamgourmet.com", "burnermail.io",
  "fastmail.to", "relay.firefox.com",
  // disposable mail
  "yopmail.com", "guerrillamail.com", "sharklasers.com", "mailinator.com", "10minutemail.com", "temp-mail.org",
  "maildrop.cc", "dispostable.com", "getnada.com", "trashmail.com", "tempmail.com", "throwawaymail.com",
]);

/** First labels of providers present under many endings: gmx.* (gmx.de, gmx.net, ...), yahoo.* (yahoo.co.uk, ...). */
export const PUBLIC_MAIL_FAMILIES: ReadonlySet<string> = new Set(["gmx", "yahoo", "hotmail", "outlook", "live", "yandex", "aol"]);

/**
 * Public suffixes the families may sit under: a one-label ending (gmx.de), or a country's
 * second-level ending (yahoo.co.uk, hotmail.com.br).
 */
const familyEnding = (labels: string[]): boolean =>
  labels.length === 1 || (labels.length === 2 && /^(co|com|net|org|ne|or)$/.test(labels[0] as string) && (labels[1] as string).length === 2);

/** Whether `name` (lower case, validated) is a public mail domain or under one. */
export function isPublicMailDomain(name: string): boolean {
  const labels = name.split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    const suffix = labels.slice(i).join(".");
    if (PUBLIC_MAIL_DOMAINS.has(suffix)) return true;
    if (PUBLIC_MAIL_FAMILIES.has(labels[i] as string) && familyEnding(labels.slice(i + 1))) return true;
  }
  return false;
}
