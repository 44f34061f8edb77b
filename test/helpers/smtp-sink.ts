/**
 * A real SMTP server on 127.0.0.1 (smtp-server, nodemailer's own) that keeps every mail it accepts, parsed
 * (mailparser): what a mailbox would show. It can require a login and refuse the next mails with a transient
 * 4xx answer, as a busy relay does.
 */
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface SinkOptions {
  /** Require this login (plain AUTH, allowed without TLS on loopback). */
  auth?: { user: string; password: string };
}

export class SmtpSink {
  readonly mails: ParsedMail[] = [];
  /** Logins tried, in order (user, password): what the client sent. */
  readonly logins: Array<{ user: string; password: string }> = [];
  private refuseNext = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: SinkOptions = {}): Promise<SmtpSink> {
    let sink: SmtpSink | null = null;
    const server = new SMTPServer({
      secure: false,
      disabledCommands: options.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
      authOptional: !options.auth,
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        sink!.logins.push({ user: auth.username ?? "", password: auth.password ?? "" });
        if (auth.username === options.auth?.user && auth.password === options.auth?.password) return callback(null, { user: auth.username });
        return callback(new Error("Invalid username or password"));
      },
      onMailFrom(_address, _session, callback) {
        if (sink!.refuseNext > 0) {
          sink!.refuseNext--;
          const busy = new Error("Mailbox busy, try again later") as Error & { responseCode: number };
          busy.responseCode = 451;
          return callback(busy);
        }
        return callback();
      },
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (mail) => {
            sink!.mails.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.on("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.server.address() as { port: number }).port));
    });
    sink = new SmtpSink(server, port);
    return sink;
  }

  /** The next `count` mails are refused with 451 (try again later). */
  refuse(count: number): void {
    this.refuseNext = count;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
