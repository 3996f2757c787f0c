/**
 * A one-member MongoDB replica set on loopback that loses its primary: it speaks just enough of the
 * wire protocol (OP_QUERY handshake, OP_MSG commands) to answer `hello` as the PRIMARY of "rs0"
 * until `stepDown()`, then as a SECONDARY (closing its connections, as a stepping-down primary
 * does), and refuses every other command with NotWritablePrimary (or, after `acceptWrites()`,
 * acknowledges an `update` as if applied). A driver connected before the
 * step-down stays connected and waits for a primary on every operation, as during an election:
 * what the store's timeouts bound. It is not a database: it stores nothing and answers no query.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import mongoose from "mongoose";

const { BSON } = mongoose.mongo;
const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

export interface FakeMongod {
  url: string;
  port: number;
  /** Commands received, by name. */
  commands: string[];
  /** From now on there is no primary. */
  stepDown(): void;
  /** From now on `update` commands are acknowledged (nothing is stored); until then refused with NotWritablePrimary. */
  acceptWrites(): void;
  close(): Promise<void>;
}

function cstringEnd(buf: Buffer, at: number): number {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Error("unterminated cstring");
  return end;
}

export async function startLosingPrimaryMongod(): Promise<FakeMongod> {
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let port = 0;
  let primary = true;
  let writable = false;
  const hello = () => ({
    ok: 1, helloOk: true, isWritablePrimary: primary, ismaster: primary, secondary: !primary, setName: "rs0", setVersion: 1,
    ...(primary ? { primary: `127.0.0.1:${port}`, electionId: new BSON.ObjectId("7fffffff0000000000000001") } : {}),
    hosts: [`127.0.0.1:${port}`], me: `127.0.0.1:${port}`, minWireVersion: 0, maxWireVersion: 21, maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000, maxWriteBatchSize: 100_000, localTime: new Date(), logicalSessionTimeoutMinutes: 30, connectionId: connections,
  });
  const answer = (command: Record<string, unknown>): Record<string, unknown> => {
    const name = Object.keys(command)[0] ?? "";
    commands.push(name);
    if (/^(hello|ismaster)$/i.test(name)) return hello();
    if (name === "ping" || name === "endSessions" || name === "buildInfo") return { ok: 1 };
    if (name === "update" && primary && writable) return { ok: 1, n: 1, nModified: 1 };
    return { ok: 0, errmsg: "not primary", code: 10107, codeName: "NotWritablePrimary" };
  };
  const reply = (socket: Socket, opCode: number, responseTo: number, doc: Record<string, unknown>) => {
    const body = Buffer.from(BSON.serialize(doc));
    let payload: Buffer;
    if (opCode === OP_REPLY) {
      payload = Buffer.alloc(20);
      payload.writeInt32LE(8, 0); // AwaitCapable
      payload.writeInt32LE(1, 16); // numberReturned
    } else {
      payload = Buffer.alloc(5); // flagBits 0, section kind 0
    }
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + payload.length + body.length, 0);
    header.writeInt32LE(Math.floor(Math.random() * 2 ** 31), 4);
    header.writeInt32LE(responseTo, 8);
    header.writeInt32LE(opCode, 12);
    socket.write(Buffer.concat([header, payload, body]));
  };
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 16 && pending.length >= pending.readInt32LE(0)) {
        const length = pending.readInt32LE(0);
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        const requestId = message.readInt32LE(4);
        const opCode = message.readInt32LE(12);
        if (opCode === OP_QUERY) {
          const nameEnd = cstringEnd(message, 20);
          const docAt = nameEnd + 1 + 8;
          const doc = BSON.deserialize(message.subarray(docAt, docAt + message.readInt32LE(docAt)));
          reply(socket, OP_REPLY, requestId, answer(doc));
        } else if (opCode === OP_MSG) {
          // flagBits, then the kind-0 section holding the command
          const docAt = 16 + 4 + 1;
          const doc = BSON.deserialize(message.subarray(docAt, docAt + message.readInt32LE(docAt)));
          reply(socket, OP_MSG, requestId, answer(doc));
        } else {
          socket.destroy();
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  return {
    url: `mongodb://127.0.0.1:${port}/orgscim_no_primary?replicaSet=rs0`,
    port,
    commands,
    stepDown: () => {
      primary = false;
      commands.length = 0;
      for (const s of sockets) s.destroy();
    },
    acceptWrites: () => { writable = true; },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
