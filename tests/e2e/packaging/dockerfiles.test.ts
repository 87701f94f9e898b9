// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${ARG} is Dockerfile syntax under test, not a template mistake.
// Static checks of the container recipes and the systemd unit: the distroless image adds exactly
// one file on a glibc base, every COPY source exists and survives the .dockerignore, the agent
// images install what their HEALTHCHECK and ENTRYPOINT use, run as uid 1000 with tini as PID 1,
// and pin the agent CLI versions the real-CLI tests run.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, requireBinary } from "../../helpers/sortie-process.ts";
import {
  copyParts,
  execForm,
  find,
  readDockerfile,
  type Stage,
  stageArgs,
  substitute,
} from "./dockerfile.ts";

const DISTROLESS = join(REPO, "Dockerfile.distroless");
const AGENTS = {
  "claude-code": { pkg: "@anthropic-ai/claude-code", pin: "claude" },
  copilot: { pkg: "@github/copilot", pin: "copilot" },
  codex: { pkg: "@openai/codex", pin: "codex" },
  opencode: { pkg: "opencode-ai", pin: "opencode" },
} as const;

/** Patterns of a .dockerignore (no negations in ours except where noted). */
function ignored(ignoreFile: string, path: string): boolean {
  let out = false;
  for (const raw of readFileSync(ignoreFile, "utf8").split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    const pattern = (negate ? line.slice(1) : line).replace(/\/$/, "");
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*\*\//g, "(.*/)?")
        .replace(/\*/g, "[^/]*")}(/.*)?$`,
    );
    if (re.test(path)) out = !negate;
  }
  return out;
}

function pinnedVersion(cli: string): string {
  const script = readFileSync(join(REPO, "scripts/install-agent-clis.sh"), "utf8");
  const m = new RegExp(`${cli}\\) echo "[^|]+\\|([^|]+)\\|`).exec(script);
  if (!m) throw new Error(`no pin for ${cli} in scripts/install-agent-clis.sh`);
  return m[1]!;
}

describe("Dockerfile.distroless", () => {
  const df = readDockerfile(DISTROLESS);
  const final = df.stages.at(-1)!;

  test("the runtime base is a glibc distroless image (static cannot run the Bun binary)", () => {
    const base = substitute(final.from, df.globalArgs);
    expect(base).toMatch(/^gcr\.io\/distroless\/(base|cc)-debian1\d(:[\w.-]+)?$/);
    expect(base).not.toContain("static");
  });

  test("the final stage adds exactly one file, /usr/bin/sortie, and runs nothing", () => {
    const adds = final.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD");
    expect(adds).toHaveLength(1);
    const copy = copyParts(adds[0]!);
    expect(copy.dest).toBe("/usr/bin/sortie");
    expect(copy.sources).toHaveLength(1);
    expect(find(final, "RUN")).toEqual([]);
    expect(execForm(find(final, "ENTRYPOINT")[0])).toEqual(["/usr/bin/sortie"]);
    expect(execForm(find(final, "CMD")[0])).toEqual(["--version"]);
  });

  test("carries the OCI labels, with version and revision from build args", () => {
    const labels = find(final, "LABEL")
      .map((l) => l.args)
      .join(" ");
    for (const key of [
      "title",
      "description",
      "source",
      "url",
      "documentation",
      "vendor",
      "licenses",
      "version",
      "revision",
    ]) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
    expect(labels).toContain('org.opencontainers.image.version="${VERSION}"');
    expect(labels).toContain('org.opencontainers.image.revision="${REVISION}"');
    expect(Object.keys(stageArgs(final))).toEqual(["VERSION", "REVISION"]);
  });

  test("the build stage pins the Bun image to the Bun version this project uses", () => {
    expect(df.globalArgs.BUN_IMAGE).toBe(`oven/bun:${Bun.version}`);
    const source = df.stages.find((s) => s.name === "source")!;
    expect(source.from).toBe("${BUN_IMAGE}");
    const run = find(source, "RUN")
      .map((r) => r.args)
      .join(" ");
    expect(run).toContain("bun install --frozen-lockfile");
    expect(run).toContain("bun-linux-x64");
    expect(run).toContain("bun-linux-arm64");
  });

  test("the binary comes from the source stage by default, or a prebuilt file without any Bun image", () => {
    expect(df.globalArgs.BINARY_FROM).toBe("source");
    const names = df.stages.map((s) => s.name);
    expect(names).toContain("prebuilt");
    const binary = df.stages.find((s) => s.name === "binary")!;
    expect(binary.from).toBe("${BINARY_FROM}");
    const prebuilt = df.stages.find((s) => s.name === "prebuilt")!;
    expect(prebuilt.from).toBe("scratch");
    expect(copyParts(find(final, "COPY")[0]!).flags.from).toBe("binary");
  });

  test("every file the stages copy from the context exists and is not excluded by the .dockerignore", () => {
    requireBinary(); // dist/sortie, the prebuilt stage's default
    const ignoreFile = `${DISTROLESS}.dockerignore`;
    const sources: string[] = [];
    for (const stage of df.stages) {
      const args = { ...df.globalArgs, ...stageArgs(stage) };
      for (const ins of find(stage, "COPY")) {
        const copy = copyParts(ins);
        if (copy.flags.from) continue;
        sources.push(...copy.sources.map((s) => substitute(s, args)));
      }
    }
    expect(sources.sort()).toEqual(
      ["bun.lock", "dist/sortie", "package.json", "scripts/build.ts", "src", "tsconfig.json"].sort(),
    );
    for (const s of sources) {
      expect(existsSync(join(REPO, s))).toBeTrue();
      expect(ignored(ignoreFile, s)).toBeFalse();
    }
    expect(ignored(ignoreFile, "node_modules/yaml/package.json")).toBeTrue();
    expect(ignored(ignoreFile, ".git/HEAD")).toBeTrue();
  });
});

describe.each(Object.entries(AGENTS))("examples/docker/%s.Dockerfile", (name, agent) => {
  const path = join(REPO, "examples/docker", `${name}.Dockerfile`);
  const df = readDockerfile(path);
  const final = df.stages.at(-1)!;
  const runs = find(final, "RUN")
    .map((r) => r.args)
    .join(" && ");
  const aptPackages = (/apt-get install[^&]*/.exec(runs)?.[0] ?? "")
    .split(" ")
    .filter((w) => /^[a-z]/.test(w));

  test("extends the sortie image: copies /usr/bin/sortie from it onto a Debian (glibc) Node base", () => {
    const sortie = df.stages.find((s: Stage) => s.name === "sortie")!;
    expect(substitute(sortie.from, df.globalArgs)).toMatch(/^ghcr\.io\/sortie-ai\/sortie:/);
    const base = substitute(final.from, df.globalArgs);
    expect(base).toMatch(/^node:\d+-(bookworm|trixie)-slim$/);
    const copies = find(final, "COPY").map(copyParts);
    expect(copies).toEqual([
      { flags: { from: "sortie" }, sources: ["/usr/bin/sortie"], dest: "/usr/bin/sortie" },
    ]);
  });

  test("installs the agent CLI with npm at the version the real-CLI tests pin", () => {
    const args = stageArgs(final);
    const m = new RegExp(`npm install -g ${agent.pkg.replace("/", "\\/")}@\\$\\{(\\w+)\\}`).exec(runs);
    expect(m).not.toBeNull();
    const version = args[m![1]!];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(version).toBe(pinnedVersion(agent.pin));
  });

  test("the HEALTHCHECK's wget and the ENTRYPOINT's tini are installed", () => {
    const health = find(final, "HEALTHCHECK")[0]!.args;
    expect(health).toContain("CMD wget -qO /dev/null http://127.0.0.1:7678/readyz || exit 1");
    expect(aptPackages).toContain("wget");
    expect(aptPackages).toContain("tini");
    expect(aptPackages).toContain("git");
    expect(runs).toContain("--no-install-recommends");
    expect(execForm(find(final, "ENTRYPOINT")[0])).toEqual([
      "tini",
      "--",
      "/usr/bin/sortie",
      "--host",
      "0.0.0.0",
      "--log-format",
      "json",
    ]);
    expect(execForm(find(final, "CMD")[0])).toEqual(["/home/sortie/config/WORKFLOW.md"]);
  });

  test("runs as user sortie, uid/gid 1000, home /home/sortie (the uid the manifests use)", () => {
    expect(runs).toContain("userdel --remove node");
    expect(runs).toContain("groupadd --gid 1000 sortie");
    expect(runs).toMatch(/useradd --create-home --home-dir \/home\/sortie .*--uid 1000 --gid 1000 sortie/);
    expect(find(final, "USER").map((u) => u.args)).toEqual(["sortie"]);
    expect(find(final, "WORKDIR").map((u) => u.args)).toEqual(["/home/sortie"]);
    expect(find(final, "EXPOSE").map((u) => u.args)).toEqual(["7678"]);
    // USER comes after every RUN: nothing runs as root once the user is switched.
    const order = final.instructions.map((i) => i.keyword);
    expect(order.lastIndexOf("RUN")).toBeLessThan(order.indexOf("USER"));
  });

  test("needs nothing from the build context", () => {
    for (const c of find(final, "COPY").map(copyParts)) expect(c.flags.from).toBeDefined();
    expect(find(final, "ADD")).toEqual([]);
    expect(ignored(`${path}.dockerignore`, "src/main.ts")).toBeTrue();
  });
});

test("examples/docker holds exactly the four agent images, each with its .dockerignore and a README", () => {
  const files = readdirSync(join(REPO, "examples/docker")).sort();
  expect(files).toEqual(
    [
      "README.md",
      ...Object.keys(AGENTS).flatMap((n) => [`${n}.Dockerfile`, `${n}.Dockerfile.dockerignore`]),
    ].sort(),
  );
});

describe("examples/systemd/sortie.service", () => {
  const path = join(REPO, "examples/systemd/sortie.service");
  const unit = readFileSync(path, "utf8");
  const entries = (section: string) => {
    const body = unit.split(/^\[/m).find((s) => s.startsWith(`${section}]`)) ?? "";
    return body
      .split("\n")
      .slice(1)
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as [string, string]);
  };
  const service = Object.fromEntries(entries("Service"));

  test("runs the binary as the sortie user with the hardening a JIT runtime tolerates", () => {
    expect(service).toMatchObject({
      Type: "simple",
      User: "sortie",
      Group: "sortie",
      ExecStart: "/usr/local/bin/sortie /etc/sortie/WORKFLOW.md",
      EnvironmentFile: "/etc/sortie/env",
      Restart: "on-failure",
      NoNewPrivileges: "yes",
      ProtectSystem: "strict",
      ProtectHome: "yes",
      PrivateTmp: "yes",
      ReadWritePaths: "/var/lib/sortie",
      StandardError: "journal",
    });
    // The JavaScript JIT maps writable memory executable: this setting would crash it.
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
    expect(Number(service.TimeoutStopSec)).toBeGreaterThanOrEqual(25);
  });

  test("keeps the database and HOME in the one writable directory", () => {
    const env = entries("Service")
      .filter(([k]) => k === "Environment")
      .map(([, v]) => v);
    expect(env).toContain("SORTIE_DB_PATH=/var/lib/sortie/sortie.db");
    expect(env).toContain("HOME=/var/lib/sortie");
    expect(Object.fromEntries(entries("Install"))).toEqual({ WantedBy: "multi-user.target" });
    expect(Object.fromEntries(entries("Unit"))).toMatchObject({
      After: "network-online.target",
      Wants: "network-online.target",
    });
  });

  test.skipIf(!Bun.which("systemd-analyze"))(
    "systemd-analyze verify accepts it (needs systemd-analyze)",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "sortie-unit-"));
      try {
        const copy = join(dir, "sortie.service");
        writeFileSync(copy, unit.replaceAll("/usr/local/bin/sortie", requireBinary()));
        const r = Bun.spawnSync(["systemd-analyze", "verify", copy], { stdout: "pipe", stderr: "pipe" });
        const complaints = r.stderr
          .toString()
          .split("\n")
          .filter((l) => l.includes("sortie.service"));
        expect(complaints).toEqual([]);
        expect(r.exitCode).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
