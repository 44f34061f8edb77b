/**
 * A fake Telegram Bot API server on 127.0.0.1 for tests: answers `POST /bot<token>/<method>` with Bot API JSON,
 * records every call, and can be scripted to fail (429 with retry_after, 5xx, or "down" = connection refused for a
 * while). grammY is pointed at it through its `apiRoot` client option. It also plays the admin's side: messages
 * and button presses queued with `sendText` / `pressButton` are served to `getUpdates` (long polling, per bot token,
 * confirmed by offset as Telegram does). For a download bot it also serves videos: `sendVideo` queues a video
 * message, `getFile` names the file and `GET /file/bot<token>/<file_path>` sends its bytes (a download can be held
 * unanswered, as a stuck server does). Also a tiny webhook receiver.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One call received by the fake, in arrival order. */
export interface RecordedCall {
  method: string;
  token: string;
  /** Parsed body: JSON, urlencoded or query string; multipart is recorded as `{ multipart: true }`. */
  payload: Record<string, unknown>;
  atMs: number;
  /** HTTP status the fake answered with. */
  status: number;
}

/** A message as the fake chat currently shows it (edits applied). */
export interface FakeMessage {
  message_id: number;
  chat_id: number | string;
  text: string;
  parse_mode?: string;
  edits: number;
  /** The inline keyboard sent or last edited with the message; absent when it has none. */
  reply_markup?: unknown;
}

/** Someone writing to a bot: the admin, or a stranger. */
export interface FakeUser {
  id: number;
  first_name?: string;
  username?: string;
}

/** A `getUpdates` request waiting for an update (long polling). */
interface PendingPoll {
  token: string;
  offset: number;
  limit: number;
  answer: (updates: unknown[]) => void;
}

/** What a scripted failure answers. `method` limits it to calls of that method. */
export type ScriptedFailure =
  | { kind: "429"; retryAfterSeconds?: number; method?: string }
  | { kind: "5xx"; status?: number; method?: string }
  | { kind: "error"; status: number; description: string; method?: string };

export interface FakeTelegramOptions {
  /** When set, any other token answers 401 Unauthorized. */
  validToken?: string;
  /** Several bots (alerts and commands): any token not listed answers 401. Adds to `validToken`. */
  validTokens?: readonly string[];
}

const BOT_PATH = /^\/bot([^/]+)\/([A-Za-z]+)$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(.+)$/;

/** A video as `sendVideo` queues it: `fileName` and `caption` as the Bot API sends them. */
export interface FakeVideo {
  fileId: string;
  content: Buffer;
  fileName?: string;
  caption?: string;
}

/** A file the fake serves. */
interface ServedFile {
  fileId: string;
  filePath: string;
  content: Buffer;
  /** Downloads still to hold unanswered. */
  holds: number;
}

/** A fake Bot API server; create with `FakeTelegram.start()`, stop with `close()`. */
export class FakeTelegram {
  readonly calls: RecordedCall[] = [];
  private readonly chat = new Map<number, FakeMessage>();
  private readonly failures: ScriptedFailure[] = [];
  private readonly sockets = new Set<Socket>();
  private nextMessageId = 1;
  /** Bot token that sent each message of the chat. */
  private readonly senders = new Map<number, string>();
  /** Updates not yet confirmed by a `getUpdates` offset, per bot token, in order. */
  private readonly updates = new Map<string, Array<{ update_id: number } & Record<string, unknown>>>();
  private readonly polls = new Set<PendingPoll>();
  private nextUpdateId = 1;
  private nextCallbackId = 1;
  private readonly files = new Map<string, ServedFile>();
  private server: http.Server;
  private port = 0;
  private downUntilMs = 0;

  private constructor(private readonly options: FakeTelegramOptions) {
    this.server = this.createServer();
  }

  /** Starts the fake on 127.0.0.1 and a free port. */
  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(options);
    await fake.listen(0);
    return fake;
  }

  /** Root URL for grammY's `client.apiRoot` (no trailing slash). */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Calls of one method, in order. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages in the fake chat in send order, with edits applied. */
  messages(): FakeMessage[] {
    return [...this.chat.values()].sort((a, b) => a.message_id - b.message_id);
  }

  /** Texts of the messages in the fake chat, in send order, edits applied. */
  texts(): string[] {
    return this.messages().map((m) => m.text);
  }

  /** Messages in the fake chat sent with one bot's token. */
  messagesFrom(token: string): FakeMessage[] {
    return this.messages().filter((m) => this.senders.get(m.message_id) === token);
  }

  /**
   * `from` writes `text` to the bot of `token` in their private chat: an update for that bot's `getUpdates`
   * (a leading `/command` is marked as a bot_command entity, as Telegram does). Resolves to its update_id.
   */
  sendText(token: string, from: FakeUser, text: string): number {
    const command = /^\/\S+/.exec(text);
    return this.queueUpdate(token, {
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: from.id, type: "private", first_name: from.first_name ?? "user" },
        from: { id: from.id, is_bot: false, first_name: from.first_name ?? "user", ...(from.username ? { username: from.username } : {}) },
        text,
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      },
    });
  }

  /** `from` presses the inline button carrying `data` under message `messageId`: a callback_query update for `token`. */
  pressButton(token: string, from: FakeUser, messageId: number, data: string): number {
    const message = this.chat.get(messageId);
    return this.queueUpdate(token, {
      callback_query: {
        id: String(this.nextCallbackId++),
        from: { id: from.id, is_bot: false, first_name: from.first_name ?? "user" },
        chat_instance: "fake-chat",
        data,
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(message?.chat_id ?? from.id) || from.id, type: "private", first_name: from.first_name ?? "user" },
          from: { id: 777, is_bot: true, first_name: "fake" },
          text: message?.text ?? "",
        },
      },
    });
  }

  /**
   * `from` sends a video to the bot of `token`: a message update whose `video` names `fileId` (its caption, e.g. the
   * model's name, as `caption`). `getFile` then names the file, and its download sends `content`.
   */
  sendVideo(token: string, from: FakeUser, video: FakeVideo): number {
    const served = this.files.get(video.fileId);
    if (served) served.content = video.content;
    else this.files.set(video.fileId, { fileId: video.fileId, filePath: `videos/file_${this.files.size}.mp4`, content: video.content, holds: 0 });
    return this.queueUpdate(token, {
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: from.id, type: "private", first_name: from.first_name ?? "user" },
        from: { id: from.id, is_bot: false, first_name: from.first_name ?? "user" },
        video: {
          file_id: video.fileId,
          file_unique_id: `u-${video.fileId}`,
          width: 1280,
          height: 720,
          duration: 12,
          mime_type: "video/mp4",
          file_size: video.content.length,
          ...(video.fileName !== undefined ? { file_name: video.fileName } : {}),
        },
        ...(video.caption !== undefined ? { caption: video.caption } : {}),
      },
    });
  }

  /**
   * The next `count` downloads of `fileId` get no answer at all (headers included): the client waits until its own
   * read timeout gives up, as with a stuck server. Later downloads are served.
   */
  holdDownloads(fileId: string, count: number): void {
    const served = this.files.get(fileId);
    if (!served) throw new Error(`holdDownloads: no file ${fileId} (sendVideo first)`);
    served.holds += count;
  }

  /** Closes the port (open connections destroyed) until `resume()`: every request is refused, as a stopped server. */
  async pause(): Promise<void> {
    this.downUntilMs = Number.MAX_SAFE_INTEGER - 1;
    await this.stopListening();
  }

  /** Listens again on the same port after `pause()`. */
  async resume(): Promise<void> {
    this.downUntilMs = 0;
    await this.comeBack();
  }

  /** The next `count` calls (of `failure.method`, if set) answer with this failure. */
  failNext(count: number, failure: ScriptedFailure): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  /** Refuses connections for `durationMs` (server closed, open sockets destroyed), then listens again on the same port. */
  async goDown(durationMs: number): Promise<void> {
    this.downUntilMs = Date.now() + durationMs;
    await this.stopListening();
    const timer = setTimeout(() => {
      void this.comeBack();
    }, durationMs);
    timer.unref();
  }

  /** True while `goDown` is in effect. */
  get isDown(): boolean {
    return Date.now() < this.downUntilMs;
  }

  async close(): Promise<void> {
    this.downUntilMs = Number.MAX_SAFE_INTEGER; // a pending comeBack must not reopen
    for (const poll of [...this.polls]) poll.answer([]);
    await this.stopListening();
  }

  private queueUpdate(token: string, body: Record<string, unknown>): number {
    const update = { update_id: this.nextUpdateId++, ...body };
    let queue = this.updates.get(token);
    if (!queue) this.updates.set(token, (queue = []));
    queue.push(update);
    for (const poll of [...this.polls]) if (poll.token === token) this.answerPoll(poll);
    return update.update_id;
  }

  /** Answers a waiting poll with what is there for it now; false (still waiting) when nothing is. */
  private answerPoll(poll: PendingPoll): boolean {
    const ready = (this.updates.get(poll.token) ?? []).filter((u) => u.update_id >= poll.offset).slice(0, poll.limit);
    if (ready.length === 0) return false;
    poll.answer(ready);
    return true;
  }

  /**
   * `getUpdates`: an offset confirms (forgets) every earlier update; what is left is answered at once, else the
   * request waits up to `timeout` seconds for one (long polling), as the Bot API does.
   */
  private getUpdates(token: string, p: Record<string, unknown>): Promise<unknown[]> {
    const offset = Number(p.offset ?? 0);
    const queue = this.updates.get(token) ?? [];
    if (offset > 0) this.updates.set(token, queue.filter((u) => u.update_id >= offset));
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeoutS = Math.max(0, Number(p.timeout ?? 0));
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const poll: PendingPoll = {
        token,
        offset,
        limit,
        answer: (updates) => {
          clearTimeout(timer);
          this.polls.delete(poll);
          resolve(updates);
        },
      };
      if (this.answerPoll(poll)) return;
      if (timeoutS === 0) return resolve([]);
      this.polls.add(poll);
      timer = setTimeout(() => poll.answer([]), timeoutS * 1000);
      timer.unref();
    });
  }

  private createServer(): http.Server {
    const server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    });
  }

  private async comeBack(): Promise<void> {
    if (Date.now() < this.downUntilMs - 5) return; // closed for good, or down again
    this.server = this.createServer();
    // The port was ours a moment ago; retry briefly if the OS has not released it yet.
    for (let i = 0; i < 20; i++) {
      try {
        await this.listen(this.port);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const file = FILE_PATH.exec(url.pathname);
    if (file) return this.download(file[1]!, decodeURIComponent(file[2]!), res);
    const m = BOT_PATH.exec(url.pathname);
    const reply = (status: number, json: unknown): void => {
      const text = JSON.stringify(json);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    if (!m) return reply(404, { ok: false, error_code: 404, description: "Not Found" });
    const [, token, method] = m as unknown as [string, string, string];
    const payload = parsePayload(req.headers["content-type"] ?? "", body, url.searchParams);
    const record = (status: number): void => {
      this.calls.push({ method, token, payload, atMs: Date.now(), status });
    };
    if (!this.isValidToken(token)) {
      record(401);
      return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    }
    const failure = this.takeFailure(method);
    if (failure) {
      const [status, json] = describeFailure(failure);
      record(status);
      return reply(status, json);
    }
    if (method === "getUpdates") {
      const updates = await this.getUpdates(token, payload);
      record(200);
      if (!res.destroyed) reply(200, { ok: true, result: updates });
      return;
    }
    const [status, json] = this.answer(method, payload, token);
    record(status);
    reply(status, json);
  }

  /** `GET /file/bot<token>/<file_path>`: the file's bytes, recorded as a call of method `download`; or held. */
  private download(token: string, filePath: string, res: http.ServerResponse): void {
    const served = [...this.files.values()].find((f) => f.filePath === filePath);
    const status = !this.isValidToken(token) ? 401 : served ? 200 : 404;
    this.calls.push({ method: "download", token, payload: { file_path: filePath, held: status === 200 && served!.holds > 0 }, atMs: Date.now(), status });
    if (status !== 200) {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 401 ? "Unauthorized" : "Not Found");
      return;
    }
    if (served!.holds > 0) {
      served!.holds--;
      return; // no answer: the client's read timeout ends it, or close() destroys the socket
    }
    res.writeHead(200, { "content-type": "video/mp4", "content-length": served!.content.length });
    res.end(served!.content);
  }

  private isValidToken(token: string): boolean {
    const valid = [...(this.options.validToken !== undefined ? [this.options.validToken] : []), ...(this.options.validTokens ?? [])];
    return valid.length === 0 || valid.includes(token);
  }

  private takeFailure(method: string): ScriptedFailure | undefined {
    const i = this.failures.findIndex((f) => f.method === undefined || f.method === method);
    return i < 0 ? undefined : this.failures.splice(i, 1)[0];
  }

  private answer(method: string, p: Record<string, unknown>, token: string): [number, unknown] {
    const nowS = Math.floor(Date.now() / 1000);
    const ok = (result: unknown): [number, unknown] => [200, { ok: true, result }];
    const bad = (description: string): [number, unknown] => [400, { ok: false, error_code: 400, description }];
    switch (method) {
      case "getMe":
        return ok({ id: 777, is_bot: true, first_name: "fake", username: "fake_bot", can_join_groups: false });
      case "answerCallbackQuery":
        if (typeof p.callback_query_id !== "string" || p.callback_query_id === "") return bad("Bad Request: query is too old and response timeout expired or query ID is invalid");
        return ok(true);
      case "deleteWebhook":
      case "setWebhook":
      case "logOut":
      case "close":
        return ok(true);
      case "getWebhookInfo":
        return ok({ url: "", has_custom_certificate: false, pending_update_count: 0 });
      case "getFile": {
        const served = this.files.get(String(p.file_id ?? ""));
        if (!served) return bad("Bad Request: invalid file_id");
        return ok({ file_id: served.fileId, file_unique_id: `u-${served.fileId}`, file_size: served.content.length, file_path: served.filePath });
      }
      case "sendMessage": {
        if (p.chat_id === undefined || typeof p.text !== "string") return bad("Bad Request: chat_id and text required");
        if (p.text.length === 0) return bad("Bad Request: message text is empty");
        if (p.text.length > 4096) return bad("Bad Request: message is too long");
        const message: FakeMessage = {
          message_id: this.nextMessageId++,
          chat_id: p.chat_id as number | string,
          text: p.text,
          parse_mode: p.parse_mode as string | undefined,
          edits: 0,
          ...(p.reply_markup !== undefined ? { reply_markup: p.reply_markup } : {}),
        };
        this.chat.set(message.message_id, message);
        this.senders.set(message.message_id, token);
        return ok({
          message_id: message.message_id,
          date: nowS,
          chat: { id: Number(message.chat_id) || 0, type: "private", first_name: "admin" },
          from: { id: 777, is_bot: true, first_name: "fake" },
          text: message.text,
        });
      }
      case "editMessageText": {
        const message = this.chat.get(Number(p.message_id));
        if (!message || String(message.chat_id) !== String(p.chat_id)) return bad("Bad Request: message to edit not found");
        if (typeof p.text !== "string" || p.text.length > 4096) return bad("Bad Request: MESSAGE_TOO_LONG");
        if (message.text === p.text && JSON.stringify(message.reply_markup) === JSON.stringify(p.reply_markup)) {
          return bad(
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        }
        message.text = p.text;
        message.parse_mode = p.parse_mode as string | undefined;
        // Telegram drops the inline keyboard of an edit that does not send one again.
        if (p.reply_markup !== undefined) message.reply_markup = p.reply_markup;
        else delete message.reply_markup;
        message.edits++;
        return ok({
          message_id: message.message_id,
          date: nowS,
          edit_date: nowS,
          chat: { id: Number(message.chat_id) || 0, type: "private", first_name: "admin" },
          text: message.text,
        });
      }
      default:
        return [404, { ok: false, error_code: 404, description: "Not Found: method not found" }];
    }
  }
}

function describeFailure(f: ScriptedFailure): [number, unknown] {
  if (f.kind === "429") {
    const s = f.retryAfterSeconds ?? 1;
    return [429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${s}`, parameters: { retry_after: s } }];
  }
  if (f.kind === "5xx") {
    const status = f.status ?? 502;
    return [status, { ok: false, error_code: status, description: status === 502 ? "Bad Gateway" : "Internal Server Error" }];
  }
  return [f.status, { ok: false, error_code: f.status, description: f.description }];
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

function parsePayload(contentType: string, body: string, query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(query.entries());
  if (contentType.includes("application/json") && body) {
    try {
      Object.assign(out, JSON.parse(body) as Record<string, unknown>);
    } catch {
      out.invalidJson = body;
    }
  } else if (contentType.includes("application/x-www-form-urlencoded")) {
    Object.assign(out, Object.fromEntries(new URLSearchParams(body).entries()));
  } else if (contentType.includes("multipart/form-data")) {
    out.multipart = true;
  }
  return out;
}

/** One request received by the webhook receiver. */
export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
}

/** A webhook endpoint on 127.0.0.1 that records requests; `failNext(n, status)` answers errors first. */
export class FakeWebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  private readonly failures: number[] = [];
  private delayMs = 0;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeWebhookReceiver> {
    let receiver: FakeWebhookReceiver | undefined;
    const server = http.createServer((req, res) => {
      void receiver!.handle(req, res);
    });
    receiver = new FakeWebhookReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The next `count` requests answer `status` (e.g. 500). */
  failNext(count: number, status: number): void {
    for (let i = 0; i < count; i++) this.failures.push(status);
  }

  /** Every answer waits this long first (for timeout tests). */
  answerAfter(ms: number): void {
    this.delayMs = ms;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // keep the raw text
    }
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const status = this.failures.shift() ?? 200;
    this.requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, status });
    const text = JSON.stringify(status < 400 ? { ok: true } : { ok: false, error: `status ${status}` });
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(text);
  }
}
