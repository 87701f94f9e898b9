import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createPrometheusMetrics } from "../../../src/server/metrics.ts";

interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

const DASHBOARD_PATH = join(import.meta.dir, "../../../examples/grafana/sortie-dashboard.json");

async function loadDashboard(): Promise<
  { title: string; uid: string; refresh: string; panels: Panel[] } & Record<string, unknown>
> {
  return JSON.parse(await Bun.file(DASHBOARD_PATH).text());
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

describe("reference Grafana dashboard", () => {
  test("references every registered sortie family and only registered ones", async () => {
    const dashboard = await loadDashboard();
    const referenced = new Set<string>();
    for (const panel of allPanels(dashboard.panels)) {
      for (const target of panel.targets ?? []) {
        for (const match of (target.expr ?? "").matchAll(/sortie_[a-z_]+/g)) {
          referenced.add(match[0].replace(/_(bucket|sum|count)$/, ""));
        }
      }
    }
    const { registry } = createPrometheusMetrics({ version: "1", defaultMetrics: false });
    const registered = new Set(
      registry
        .getMetricsAsArray()
        .map((m) => m.name)
        .filter((name) => name.startsWith("sortie_")),
    );
    expect([...referenced].filter((name) => !registered.has(name))).toEqual([]);
    expect([...registered].filter((name) => !referenced.has(name))).toEqual([]);
  });

  test("keeps the identity an import relies on", async () => {
    const dashboard = await loadDashboard();
    expect(dashboard.title).toBe("Sortie Overview");
    expect(dashboard.uid).toBe("sortie-overview");
    expect(dashboard.refresh).toBe("30s");
    expect(dashboard.time).toEqual({ from: "now-3h", to: "now" });
    expect((dashboard.__inputs as Array<{ name: string }>).map((i) => i.name)).toContain("DS_PROMETHEUS");
  });

  test("has unique panel ids and no overlapping panels", async () => {
    const dashboard = await loadDashboard();
    const panels = allPanels(dashboard.panels);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const taken = new Map<string, string>();
    const overlaps: string[] = [];
    for (const panel of panels) {
      const g = panel.gridPos!;
      for (let y = g.y; y < g.y + g.h; y++) {
        for (let x = g.x; x < g.x + g.w; x++) {
          const key = `${x},${y}`;
          const other = taken.get(key);
          if (other && !overlaps.includes(`${other} / ${panel.title}`))
            overlaps.push(`${other} / ${panel.title}`);
          taken.set(key, panel.title ?? "");
        }
      }
      expect(g.x + g.w).toBeLessThanOrEqual(24);
    }
    expect(overlaps).toEqual([]);
  });
});
