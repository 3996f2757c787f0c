/**
 * A filter's values for the attributes that writes keep in Unicode NFC (src/domain/text.ts: a
 * user's userName, emails, displayName and name parts, a group's displayName, and the displays
 * copied from them) compare in NFC too: uniqueness treats `Zoe` + U+0308 and `Zoë` as one
 * userName, so a lookup must find by either spelling the user a create of it collides with
 * (docs/security.md case 70). A value not in NFC is compared in both forms (rows written before
 * the rule may hold it as sent): `eq`, `co`, `sw`, `ew` match either, `ne` neither. Values in NFC
 * (every ASCII value) leave the filter as it is.
 */
import type { AttrRef, Filter } from "../../domain/filter";

const NAME_PARTS = new Set(["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"]);

/** Whether writes keep this core attribute in NFC. */
function keptInNfc(a: AttrRef): boolean {
  if (a.schema !== undefined || a.type !== "string") return false;
  if (a.sub === undefined) return a.attr === "userName" || a.attr === "displayName";
  if (a.attr === "emails") return a.sub === "value";
  if (a.attr === "name") return NAME_PARTS.has(a.sub);
  return (a.attr === "groups" || a.attr === "members") && a.sub === "display";
}

// The ASCII range: such text is in NFC already.
const ASCII = /^[\x00-\x7f]*$/;

/** `f` with each value not in NFC also compared in NFC, where writes keep NFC; `f` itself when nothing changes. */
export function withNfcValues(f: Filter): Filter {
  switch (f.kind) {
    case "and":
    case "or": {
      const items = f.items.map(withNfcValues);
      return items.every((x, i) => x === f.items[i]) ? f : { kind: f.kind, items };
    }
    case "not": {
      const item = withNfcValues(f.item);
      return item === f.item ? f : { kind: "not", item };
    }
    case "has": {
      const where = withNfcValues(f.where);
      return where === f.where ? f : { kind: "has", attr: f.attr, where };
    }
    case "pr":
      return f;
    case "cmp": {
      if (typeof f.value !== "string" || ASCII.test(f.value) || !keptInNfc(f.attr)) return f;
      const nfc = f.value.normalize("NFC");
      if (nfc === f.value) return f;
      const other: Filter = { ...f, value: nfc };
      if (f.op === "ne") return { kind: "and", items: [f, other] };
      if (f.op === "eq" || f.op === "co" || f.op === "sw" || f.op === "ew") return { kind: "or", items: [f, other] };
      return f;
    }
  }
}
