/**
 * Inside a plain transaction the store's facade (`deps.store.users...`) is not the transaction's:
 * since c5e04ec no AsyncLocalStorage names the transaction, so a facade read there sees committed
 * data only, and a facade write waits for the transaction itself to end, for ever (the port's doc,
 * src/domain/ports/store.ts). So no code in a `store.transaction(...)` callback names the store at
 * all: it works through the `tx` it is handed. This reads every src file outside the stores with
 * TypeScript's parser and finds each callback; test/security/transaction-facade.test.ts checks the
 * same at runtime at 30 write doors, this for every transaction written, now and later.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const SRC = join(__dirname, "..", "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Each use of a store inside a `<...store>.transaction(callback)` callback: "file:line text". */
export function facadeUsesInTransactions(name: string, source: string): string[] {
  const sf = ts.createSourceFile(name, source, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const isStore = (e: ts.Expression): boolean =>
    (ts.isIdentifier(e) && /store$/i.test(e.text)) || (ts.isPropertyAccessExpression(e) && /store$/i.test(e.name.text));
  const scan = (node: ts.Node, inside: boolean): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "transaction" && isStore(node.expression.expression)) {
      scan(node.expression, inside);
      for (const arg of node.arguments) scan(arg, true);
      return;
    }
    if (inside && (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) && isStore(node as ts.Expression)) {
      const parent = node.parent;
      // `x.store` inside `x.store.y` is reported once, at the outer access; a property or a
      // binding named store (`{ store: tx }`, a parameter) is no use of the facade.
      const named = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node)
        || ((ts.isParameter(parent) || ts.isVariableDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === node);
      if (!named) {
        const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        found.push(`${name}:${line + 1} ${parent.getText(sf).slice(0, 100)}`);
        return;
      }
    }
    ts.forEachChild(node, (child) => scan(child, inside));
  };
  scan(sf, false);
  return found;
}

describe("a transaction's callback", () => {
  it("never names the store's facade, in any src file outside the stores", () => {
    const uses = files(SRC)
      .filter((f) => !relative(SRC, f).startsWith("store"))
      .flatMap((f) => facadeUsesInTransactions(relative(SRC, f), readFileSync(f, "utf8")));
    expect(uses).toEqual([]);
  });

  it("is caught naming it: a facade read, a facade write, the store handed on", () => {
    const source = `
      async function f(deps, store) {
        await deps.store.transaction(async (tx) => {
          await tx.users.insert(1);
          await deps.store.users.get(2);
        });
        await store.transaction(async (tx) => { await store.groups.update(3); });
        await deps.store.transaction((tx) => helper(deps.store, tx));
        await deps.store.transaction((tx) => helper({ store: tx }, (store) => store.users.get(5)));
        await deps.store.transaction((tx) => helper({ store }));
        await deps.store.users.get(4); // outside: fine
      }`;
    expect(facadeUsesInTransactions("x.ts", source).map((u) => u.split(" ")[0])).toEqual(["x.ts:5", "x.ts:7", "x.ts:8", "x.ts:9", "x.ts:10"]);
  });
});
