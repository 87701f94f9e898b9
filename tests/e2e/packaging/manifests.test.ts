// The Kubernetes manifests in examples/k8s, checked without a cluster: they parse, contain every
// field of the deployment guide's manifests, meet the Pod Security Standard "restricted" control by
// control, wire names together (Service → pod, volumes → PVC/ConfigMap, paths → mounts), work with
// both `kubectl apply -f examples/k8s/` and `kubectl apply -k examples/k8s`, and the ConfigMap's
// WORKFLOW.md is the Jira example that `sortie validate` accepts.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { REPO, runSortie } from "../../helpers/sortie-process.ts";
import { kubeletRunAsNonRootConflicts, podSecurityViolations } from "./pod-security.ts";

type Obj = Record<string, unknown>;

const K8S = join(REPO, "examples/k8s");
const GUIDE = join(REPO, "tests/fixtures/deployment-guide");
const MANIFESTS = ["pvc.yaml", "configmap.yaml", "deployment.yaml", "service.yaml"];
const LABELS = {
  "app.kubernetes.io/name": "sortie",
  "app.kubernetes.io/component": "orchestrator",
  "app.kubernetes.io/part-of": "sortie",
};
const JIRA_ENV = {
  SORTIE_JIRA_ENDPOINT: "https://example.atlassian.net",
  SORTIE_JIRA_API_KEY: "me@example.com:token",
  SORTIE_JIRA_PROJECT: "PROJ",
};

function load(path: string): Obj {
  const docs = parseAllDocuments(readFileSync(path, "utf8"));
  if (Array.isArray(docs)) {
    expect(docs).toHaveLength(1);
    for (const d of docs) expect(d.errors).toEqual([]);
    return docs[0]!.toJS() as Obj;
  }
  throw new Error(`${path}: not a YAML stream`);
}

const manifest = (name: string) => load(join(K8S, name));
const guide = (name: string) => load(join(GUIDE, name));
const at = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);

/** Paths present in `actual` but absent from `expected` (array items compared by index). */
function extraPaths(expected: unknown, actual: unknown, prefix = ""): string[] {
  if (actual === null || typeof actual !== "object") return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(actual as Obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const e = expected && typeof expected === "object" ? (expected as Obj)[k] : undefined;
    if (e === undefined) out.push(path);
    else out.push(...extraPaths(e, v, path));
  }
  return out;
}

function frontMatter(markdown: string): { front: unknown; prompt: string } {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(markdown);
  if (!m) throw new Error("no front matter");
  return { front: parseYaml(m[1]!), prompt: m[2]! };
}

describe("the manifests as files", () => {
  test("every file in examples/k8s parses as exactly one YAML document", () => {
    const files = readdirSync(K8S, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== "README.md")
      .map((e) => join(e.parentPath, e.name));
    expect(files.length).toBeGreaterThanOrEqual(MANIFESTS.length + 1);
    for (const f of files) expect(load(f)).toBeObject();
  });

  test("`kubectl apply -f examples/k8s/` selects exactly the four guide manifests, all built-in kinds", () => {
    // kubectl reads the folder's *.json, *.yaml and *.yml files, not recursing without -R.
    const selected = readdirSync(K8S, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.(json|ya?ml)$/.test(e.name))
      .map((e) => e.name)
      .sort();
    expect(selected).toEqual([...MANIFESTS].sort());
    const kinds = selected.map((f) => [manifest(f).apiVersion, manifest(f).kind]);
    expect(kinds.sort()).toEqual([
      ["apps/v1", "Deployment"],
      ["v1", "ConfigMap"],
      ["v1", "PersistentVolumeClaim"],
      ["v1", "Service"],
    ]);
  });

  test("`kubectl apply -k examples/k8s` finds a Kustomization listing the same four files", () => {
    // kustomize accepts kustomization.yaml, kustomization.yml or Kustomization; only the last is
    // invisible to `kubectl apply -f`, which would fail on a Kustomization object.
    expect(existsSync(join(K8S, "kustomization.yaml"))).toBeFalse();
    expect(existsSync(join(K8S, "kustomization.yml"))).toBeFalse();
    const k = manifest("Kustomization");
    expect(k).toMatchObject({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" });
    expect([...(k.resources as string[])].sort()).toEqual([...MANIFESTS].sort());
  });

  test.skipIf(!Bun.which("kubectl"))("kubectl kustomize renders the four objects (needs kubectl)", () => {
    const out = Bun.spawnSync(["kubectl", "kustomize", K8S], { stdout: "pipe", stderr: "pipe" });
    expect(out.stderr.toString()).toBe("");
    const kinds = parseAllDocuments(out.stdout.toString()) as unknown as { toJS(): Obj }[];
    expect(kinds.map((d) => d.toJS().kind).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "PersistentVolumeClaim",
      "Service",
    ]);
  });

  test("the Secret example is neither applied by either command nor holding real-looking keys", () => {
    const secret = manifest("secret.yaml.example");
    expect(secret).toMatchObject({ kind: "Secret", metadata: { name: "sortie-secrets", labels: LABELS } });
    for (const value of Object.values(secret.stringData as Obj)) {
      expect(String(value)).not.toMatch(/^(sk-ant-|ghp_|github_pat_)\w{10,}/);
    }
  });
});

describe("the manifests against the deployment guide", () => {
  test.each(MANIFESTS)("%s contains every field of the guide's manifest", (name) => {
    expect(manifest(name)).toMatchObject(guide(name));
  });

  test("the only fields beyond the guide's are the documented hardening additions", () => {
    const extras = MANIFESTS.flatMap((name) =>
      extraPaths(guide(name), manifest(name)).map((p) => `${name}: ${p}`),
    );
    expect(extras.sort()).toEqual([
      "deployment.yaml: spec.template.spec.automountServiceAccountToken",
      "deployment.yaml: spec.template.spec.securityContext.fsGroupChangePolicy",
    ]);
    const dep = manifest("deployment.yaml");
    expect(at(dep, "spec", "template", "spec", "automountServiceAccountToken")).toBe(false);
    expect(at(dep, "spec", "template", "spec", "securityContext", "fsGroupChangePolicy")).toBe(
      "OnRootMismatch",
    );
  });

  test("every object carries the three app.kubernetes.io labels and sets no namespace", () => {
    for (const name of MANIFESTS) {
      const m = manifest(name);
      expect(at(m, "metadata", "labels")).toEqual(LABELS);
      expect(at(m, "metadata", "namespace")).toBeUndefined();
    }
    expect(at(manifest("deployment.yaml"), "spec", "template", "metadata", "labels")).toEqual(LABELS);
  });
});

describe("the Deployment", () => {
  const dep = manifest("deployment.yaml");
  const pod = at(dep, "spec", "template", "spec") as Obj;
  const container = (pod.containers as Obj[])[0]!;

  test("runs one replica with Recreate, so two pods never share the SQLite volume", () => {
    expect(at(dep, "spec", "replicas")).toBe(1);
    expect(at(dep, "spec", "strategy")).toEqual({ type: "Recreate" });
    expect(at(manifest("pvc.yaml"), "spec", "accessModes")).toEqual(["ReadWriteOnce"]);
  });

  test("meets every control of the Pod Security Standard restricted profile", () => {
    expect(podSecurityViolations(pod, "restricted")).toEqual([]);
    expect(kubeletRunAsNonRootConflicts(pod)).toEqual([]);
    // Spelled out, the controls the guide's Security section promises:
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
    expect(at(pod, "securityContext", "seccompProfile", "type")).toBe("RuntimeDefault");
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    for (const key of ["hostNetwork", "hostPID", "hostIPC"]) expect(pod[key]).toBeUndefined();
    expect((pod.volumes as Obj[]).map((v) => Object.keys(v).filter((k) => k !== "name")[0])).toEqual([
      "persistentVolumeClaim",
      "configMap",
      "emptyDir",
    ]);
  });

  test("the restricted checker rejects the guide's troubleshooting init container, which the kubelet also refuses", () => {
    const guideInit = {
      name: "fix-permissions",
      image: "busybox:1.36",
      command: ["sh", "-c", "chown -R 1000:1000 /home/sortie/data"],
      volumeMounts: [{ name: "data", mountPath: "/home/sortie/data" }],
      securityContext: { runAsUser: 0 },
    };
    const withGuideInit = { ...pod, initContainers: [guideInit] };
    expect(kubeletRunAsNonRootConflicts(withGuideInit)).toEqual([
      "initContainers[fix-permissions]: runAsUser 0 with runAsNonRoot true",
    ]);
    expect(podSecurityViolations(withGuideInit, "restricted")).toContain(
      "initContainers[fix-permissions]: runAsUser 0",
    );
  });

  test("the shipped fix-permissions patch starts under the kubelet and meets baseline (not restricted, by design)", () => {
    const patch = load(join(K8S, "patches/fix-permissions.yaml"));
    const init = at(patch, "spec", "template", "spec", "initContainers") as Obj[];
    expect(at(patch, "metadata", "name")).toBe(at(dep, "metadata", "name"));
    const patched = { ...pod, initContainers: init };
    expect(kubeletRunAsNonRootConflicts(patched)).toEqual([]);
    expect(podSecurityViolations(patched, "baseline")).toEqual([]);
    expect(podSecurityViolations(patched, "restricted").sort()).toEqual([
      "initContainers[fix-permissions]: adds capability CHOWN",
      "initContainers[fix-permissions]: adds capability DAC_OVERRIDE",
      "initContainers[fix-permissions]: runAsNonRoot is not true",
      "initContainers[fix-permissions]: runAsUser 0",
    ]);
    expect(at(init, 0, "volumeMounts")).toEqual([{ name: "data", mountPath: "/home/sortie/data" }]);
    expect(at(init, 0, "securityContext", "readOnlyRootFilesystem")).toBe(true);
    expect(at(init, 0, "securityContext", "allowPrivilegeEscalation")).toBe(false);
    const kustomization = readFileSync(join(K8S, "Kustomization"), "utf8");
    expect(kustomization).toContain("#   - path: patches/fix-permissions.yaml");
  });

  test("names line up: Service → pod labels and port, volumes → PVC and ConfigMap, paths → mounts", () => {
    const svc = manifest("service.yaml");
    const podLabels = at(dep, "spec", "template", "metadata", "labels") as Obj;
    for (const [k, v] of Object.entries(at(svc, "spec", "selector") as Obj)) expect(podLabels[k]).toBe(v);
    for (const [k, v] of Object.entries(at(dep, "spec", "selector", "matchLabels") as Obj)) {
      expect(podLabels[k]).toBe(v);
    }
    expect(at(svc, "spec", "ports", 0, "targetPort")).toBe(at(container, "ports", 0, "name"));

    const volumes: Record<string, Obj> = Object.fromEntries((pod.volumes as Obj[]).map((v) => [v.name, v]));
    expect(at(volumes.data, "persistentVolumeClaim", "claimName")).toBe(
      at(manifest("pvc.yaml"), "metadata", "name"),
    );
    expect(at(volumes.workflow, "configMap", "name")).toBe(
      at(manifest("configmap.yaml"), "metadata", "name"),
    );
    const mounts: Record<string, Obj> = Object.fromEntries(
      (container.volumeMounts as Obj[]).map((m) => [m.name, m]),
    );
    for (const m of Object.values(mounts)) expect(m.subPath).toBeUndefined();
    expect(Object.keys(mounts).sort()).toEqual(Object.keys(volumes).sort());

    const dataDir = String(mounts.data!.mountPath);
    const configDir = String(mounts.workflow!.mountPath);
    const env = Object.fromEntries((container.env as Obj[]).map((e) => [e.name, e.value]));
    expect(String(env.SORTIE_DB_PATH)).toStartWith(`${dataDir}/`);
    const args = container.args as string[];
    expect(args.at(-1)).toBe(`${configDir}/WORKFLOW.md`);
    const workflow = frontMatter(String(at(manifest("configmap.yaml"), "data", "WORKFLOW.md")));
    expect(String(at(workflow.front, "db_path"))).toStartWith(`${dataDir}/`);
    expect(String(at(workflow.front, "workspace", "root"))).toStartWith(`${dataDir}/`);
    expect(at(workflow.front, "server", "port")).toBe(at(container, "ports", 0, "containerPort"));
    expect(at(svc, "spec", "ports", 0, "port")).toBe(at(container, "ports", 0, "containerPort"));
  });

  test("probes use the HTTP port: startup allows 60 s to become ready, liveness on /livez", () => {
    expect(container.startupProbe).toEqual({
      httpGet: { path: "/readyz", port: "http" },
      failureThreshold: 30,
      periodSeconds: 2,
    });
    expect(at(container, "livenessProbe", "httpGet")).toEqual({ path: "/livez", port: "http" });
    expect(at(container, "readinessProbe", "httpGet")).toEqual({ path: "/readyz", port: "http" });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });
});

describe("the ConfigMap's WORKFLOW.md", () => {
  const text = String(at(manifest("configmap.yaml"), "data", "WORKFLOW.md"));

  test("is the guide's workflow and examples/WORKFLOW.jira.md's front matter and prompt", () => {
    expect(text).toBe(String(at(guide("configmap.yaml"), "data", "WORKFLOW.md")));
    const example = frontMatter(readFileSync(join(REPO, "examples/WORKFLOW.jira.md"), "utf8"));
    const ours = frontMatter(text);
    expect(ours.front).toEqual(example.front);
    expect(ours.prompt).toBe(example.prompt);
  });

  test("passes `sortie validate` with the Secret's SORTIE_JIRA_* variables set", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sortie-configmap-"));
    try {
      const path = join(dir, "WORKFLOW.md");
      writeFileSync(path, text);
      const r = await runSortie(["validate", "--format", "json", path], { env: { ...JIRA_ENV, HOME: dir } });
      expect(JSON.parse(r.stdout)).toEqual({ valid: true, errors: [], warnings: [] });
      expect(r.code).toBe(0);

      // Without the Secret the same file is rejected, naming the empty key.
      const bare = await runSortie(["validate", "--format", "json", path], {
        env: {
          SORTIE_JIRA_ENDPOINT: undefined,
          SORTIE_JIRA_API_KEY: undefined,
          SORTIE_JIRA_PROJECT: undefined,
          HOME: dir,
        },
      });
      expect(bare.code).toBe(1);
      expect(bare.stdout).toContain("tracker.api_key");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
