/**
 * V8's allocation-site pretenuring, off for the server process (imported first by ./main.ts, so it
 * is set before the request path's code exists). V8 watches each object or array literal's
 * allocations; when nearly all of them survive a scavenge, every later allocation from that literal
 * goes straight to the old generation, for the life of the process. A /Bulk request's thousand
 * operations each keep their records, authorization results and answers until the bulk answers, so
 * a large import teaches V8 that literals the request path shares with it (createUser's record,
 * authorize's result, the HTTP layer's own) live long. From then on every request's objects of those
 * literals were born old: dead, they still hold the young objects they point at (the scavenger
 * treats old-to-new pointers as roots until a mark-compact), so each request's request, response,
 * headers and body were copied twice and promoted: 5.6 KB a request instead of ~10, scavenges of
 * 8-16 ms instead of ~1, until the process restarted (issue 18: bench/gc-promoted.mjs --pre-bulk;
 * figures in the commit that added this file). Objects that do live long (caches, statements,
 * sockets) reach the old generation anyway after two scavenges.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--no-allocation-site-pretenuring");
