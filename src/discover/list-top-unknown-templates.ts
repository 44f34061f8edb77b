import type { UnknownTemplate } from "./unknown-error-store.js";

/** One unclaimed template as the report and the dashboard show it: the stored fields and its latest sample. */
type UnknownTemplateSummary = Pick<UnknownTemplate, "id" | "plantilla" | "total" | "primera_vez" | "ultima_vez" | "fuentes"> & {
  ejemplo: string;
};

/** What the admin surfaces list: how many templates and events, and the most frequent templates. */
export interface UnknownErrorsOverview {
  plantillas: number;
  eventos: number;
  top: UnknownTemplateSummary[];
}

/** Templates listed by `vigia report`, the dashboard and `/desconocidos`. */
export const TOP_UNKNOWN_TEMPLATES = 10;

/** The most frequent templates first (the most recent first among equals), each with one sample. */
export function listTopUnknownTemplates(templates: readonly UnknownTemplate[], limit = TOP_UNKNOWN_TEMPLATES): UnknownErrorsOverview {
  const sorted = [...templates].sort((a, b) => b.total - a.total || b.ultima_vez.localeCompare(a.ultima_vez));
  return {
    plantillas: templates.length,
    eventos: templates.reduce((sum, t) => sum + t.total, 0),
    top: sorted.slice(0, limit).map((t) => ({
      id: t.id,
      plantilla: t.plantilla,
      total: t.total,
      primera_vez: t.primera_vez,
      ultima_vez: t.ultima_vez,
      fuentes: [...t.fuentes],
      ejemplo: t.ejemplos.at(-1) ?? t.plantilla,
    })),
  };
}
