// Usage: node typescript.mjs DOCUMENT OUTDIR
// Proves the reference is usable from TypeScript, as the dashboard uses it: generates OUTDIR/schema.gen.ts with
// openapi-typescript (as web/'s `npm run gen:api` does), then type-checks a small client that reads typed answers
// and sends typed bodies (tsc --noEmit, strict). A route whose answer is untyped makes the client fail to compile.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [documentFile, outDir] = process.argv.slice(2).map((p) => resolve(p));
mkdirSync(outDir, { recursive: true });

function run(tool, args) {
  const result = spawnSync(join(here, "node_modules", ".bin", tool), args, { encoding: "utf8" });
  if (result.status !== 0) {
    console.error(`${tool} failed:\n${result.stdout}${result.stderr}`);
    process.exit(1);
  }
}

run("openapi-typescript", [documentFile, "-o", join(outDir, "schema.gen.ts")]);

// Each line reads a field the dashboard relies on, or builds a body it sends: if the document stops typing it, the
// field reads as unknown or the property does not exist, and this does not compile.
writeFileSync(
  join(outDir, "usage.ts"),
  `import type { components, paths } from "./schema.gen";

type Json<Op, Status extends number> = Op extends { responses: { [S in Status]: { content: { "application/json": infer T } } } }
  ? T
  : never;
type Body<Op> = Op extends { requestBody: { content: { "application/json": infer T } } } ? T : never;

declare const conversations: Json<paths["/api/conversations"]["get"], 200>;
const firstMode: "bot" | "human" | undefined = conversations.data[0]?.mode;
const cursor: string | null = conversations.next_cursor;

declare const thread: Json<paths["/api/conversations/{id}/messages"]["get"], 200>;
const status: components["schemas"]["MessageStatus"] | undefined = thread.data[0]?.status;
const errorCode: number | undefined = thread.data[0]?.error?.code;

const reply: Body<paths["/api/conversations/{id}/messages"]["post"]> = { text: "Hello" };
const mode: Body<paths["/api/conversations/{id}/mode"]["put"]> = { mode: "human" };
declare const support: Json<paths["/api/support"]["get"], 200>;
const reason: components["schemas"]["Reason"] | undefined = support.data[0]?.reason;
declare const answer: Json<paths["/api/playground/ask"]["post"], 200>;
const decision: "IGNORE" | "GREETING" | "AUTO_REPLY" | "ESCALATE" = answer.decision;
declare const refused: Json<paths["/api/conversations/{id}"]["get"], 404>;
const code: components["schemas"]["ErrorCode"] = refused.error.code;
type ListQuery = NonNullable<paths["/api/conversations"]["get"]["parameters"]["query"]>;
const query: ListQuery = { status: "open", limit: 50 };

export const used = [firstMode, cursor, status, errorCode, reply, mode, reason, decision, code, query];
`,
);
writeFileSync(
  join(outDir, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", skipLibCheck: true },
    files: ["schema.gen.ts", "usage.ts"],
  }),
);
run("tsc", ["-p", join(outDir, "tsconfig.json")]);
console.log(`TypeScript types generated and checked in ${outDir}`);
