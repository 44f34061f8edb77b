import type { TelegramConfig } from "../../config/types.js";
import type { UnknownErrorStore } from "../../discover/unknown-error-store.js";
import type { IncidentManager } from "../../incidents/incident-manager.js";
import type { JournalWriter } from "../../incidents/journal-writer.js";
import type { HealthReport } from "../../observe/health-report.js";
import type { CompiledRule } from "../../types.js";
import type { NotifierOptions } from "../notifier-options.js";
import type { NotifyLogger } from "../notify-logger.js";
import type { AdminView } from "./admin-view.js";
import type { CommandBot } from "./command-bot.js";
import { listIncidentButtons } from "./incident-buttons.js";
import { SilenceStore } from "./silence-store.js";

/** The parts of a running vigia the commands read (the engine has them all). */
export interface CommandedEngine {
  readonly manager: Pick<IncidentManager, "listOpen" | "get" | "retry">;
  readonly journal: Pick<JournalWriter, "getElements" | "path">;
  readonly unknownErrors: Pick<UnknownErrorStore, "list">;
  readonly rules: readonly CompiledRule[];
  getHealth(): HealthReport;
}

export interface AdminCommandsOptions {
  /** `notify.telegram`; commands run when it has a `commands_token`. */
  telegram: TelegramConfig | null;
  /** Silences are kept beside it, in `silencios.json`. */
  silencesPath: string;
  dryRun: boolean;
  logger: NotifyLogger;
}

/**
 * What the admin controls from Telegram: the silences (always: they persist even while commands are off) and,
 * with `notify.telegram.commands_token`, the command bot and the buttons under alerts.
 */
export class AdminCommands {
  readonly silences: SilenceStore;
  /** For the notifier: silenced types get no message; alerts carry buttons when a command bot answers them. */
  readonly notifierHooks: Pick<NotifierOptions, "isSilenced" | "listIncidentButtons">;
  private bot: CommandBot | null = null;
  private stopped = false;

  constructor(private readonly options: AdminCommandsOptions) {
    this.silences = new SilenceStore({ path: options.silencesPath });
    this.notifierHooks = {
      isSilenced: (errorType) => this.silences.isSilenced(errorType),
      listIncidentButtons: options.telegram?.commandsToken ? listIncidentButtons : undefined,
    };
  }

  /** Loads the silences of an earlier run, then starts answering commands (in the background). */
  async start(engine: CommandedEngine): Promise<void> {
    try {
      await this.silences.load();
      for (const s of this.silences.list()) this.options.logger.info(`alerts of ${s.error_type} silenced until ${s.hasta}`);
    } catch (error) {
      this.options.logger.error(`silences: ${(error as Error).message}`);
    }
    const telegram = this.options.telegram;
    if (!telegram?.commandsToken) return;
    // grammY is imported only when commands are on.
    const { CommandBot } = await import("./command-bot.js");
    if (this.stopped) return;
    this.bot = new CommandBot({
      token: telegram.commandsToken,
      adminId: telegram.chatId,
      apiRoot: telegram.apiRoot,
      view: this.createView(engine),
      logger: this.options.logger,
    });
    this.bot.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.bot?.stop();
  }

  private createView(engine: CommandedEngine): AdminView {
    return {
      getHealth: () => engine.getHealth(),
      listOpenIncidents: () => engine.manager.listOpen(),
      getTrackedIncident: (id) => engine.manager.get(id) ?? null,
      listJournal: () => engine.journal.getElements(),
      journalPath: engine.journal.path,
      findRule: (id) => engine.rules.find((r) => r.id === id) ?? null,
      retryIncident: (incident, rule, detalle) => engine.manager.retry(incident, rule, detalle),
      listUnknownTemplates: () => engine.unknownErrors.list(),
      silences: this.silences,
      dryRun: this.options.dryRun,
    };
  }
}
