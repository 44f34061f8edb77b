/**
 * A log-template miner of the Drain family (He et al., "Drain: An Online Log Parsing Approach with Fixed
 * Depth Tree", ICWS 2017): masked lines are routed by token count and first token to a small list of
 * clusters; a line joins the most similar cluster (share of equal tokens at equal positions ≥ threshold),
 * whose template keeps the tokens they agree on and turns the others into `<*>`; else it starts a new one.
 * No maintained pure-JS Drain exists on npm; this keeps only Drain's routing and similarity steps.
 */

export interface DrainCluster {
  /** Stable for the cluster's life: the template it started with may widen later. */
  id: string;
  tokens: string[];
}

export interface DrainOptions {
  /** Share of equal tokens needed to join a cluster (Drain's `st`). Default 0.5. */
  similarity?: number;
  /** Makes the id of a new cluster from its first template. */
  makeId: (template: string) => string;
}

const WILDCARD = "<*>";

export class DrainTree {
  private readonly groups = new Map<string, DrainCluster[]>();
  private readonly similarity: number;
  private readonly makeId: (template: string) => string;

  constructor(options: DrainOptions) {
    this.similarity = options.similarity ?? 0.5;
    this.makeId = options.makeId;
  }

  /** Puts back a cluster known from before (reloaded from disk). */
  restore(cluster: DrainCluster): void {
    this.groupOf(cluster.tokens).push({ id: cluster.id, tokens: [...cluster.tokens] });
  }

  /** Forgets a cluster (the store evicted its template). */
  remove(id: string): void {
    for (const list of this.groups.values()) {
      const i = list.findIndex((c) => c.id === id);
      if (i >= 0) list.splice(i, 1);
    }
  }

  /** Adds one masked line; returns its cluster (new or widened). */
  add(masked: string): DrainCluster {
    const tokens = masked.split(" ");
    const list = this.groupOf(tokens);
    let best: DrainCluster | null = null;
    let bestScore = -1;
    for (const c of list) {
      const score = scoreSimilarity(c.tokens, tokens);
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    if (best && bestScore >= this.similarity) {
      best.tokens = best.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
      return best;
    }
    const cluster = { id: this.makeId(tokens.join(" ")), tokens };
    list.push(cluster);
    return cluster;
  }

  /** Drain's first levels: token count, then the first token (a token with digits routes as a wildcard). */
  private groupOf(tokens: readonly string[]): DrainCluster[] {
    const first = tokens[0] ?? "";
    const key = `${tokens.length} ${/\d/.test(first) ? WILDCARD : first}`;
    let list = this.groups.get(key);
    if (!list) this.groups.set(key, (list = []));
    return list;
  }
}

function scoreSimilarity(template: readonly string[], tokens: readonly string[]): number {
  let same = 0;
  for (let i = 0; i < template.length; i++) if (template[i] === tokens[i] || template[i] === WILDCARD) same++;
  return template.length === 0 ? 1 : same / template.length;
}
