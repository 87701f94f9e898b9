// The Kubernetes Pod Security Standards, rule by rule, as a checker over a parsed pod spec: the
// "baseline" controls and the extra "restricted" ones (policy version 1.25+). It returns every
// violation as text, so a test failure says which control broke and where.

type Obj = Record<string, unknown>;

const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const RESTRICTED_VOLUME_TYPES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);
const SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);

export type PodSecurityLevel = "baseline" | "restricted";

interface Named {
  where: string;
  c: Obj;
}

function allContainers(pod: Obj): Named[] {
  const out: Named[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    for (const c of list(pod[field])) out.push({ where: `${field}[${String(c.name)}]`, c });
  }
  return out;
}

/** Violations of the given Pod Security Standard level by a pod spec (`spec.template.spec`). */
export function podSecurityViolations(pod: Obj, level: PodSecurityLevel): string[] {
  const v: string[] = [];
  const podSc = obj(pod.securityContext);
  const containers = allContainers(pod);

  // Baseline.
  if (obj(podSc.windowsOptions).hostProcess === true) v.push("pod: windowsOptions.hostProcess");
  for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[ns] === true) v.push(`pod: ${ns}`);
  for (const vol of list(pod.volumes)) if ("hostPath" in vol) v.push(`volume ${String(vol.name)}: hostPath`);
  for (const s of list(podSc.sysctls)) {
    if (!SAFE_SYSCTLS.has(String(s.name))) v.push(`pod: unsafe sysctl ${String(s.name)}`);
  }
  const seLinuxProblem = (se: Obj, where: string) => {
    if (!SELINUX_TYPES.has(String(se.type ?? ""))) v.push(`${where}: seLinuxOptions.type ${String(se.type)}`);
    if (se.user !== undefined || se.role !== undefined) v.push(`${where}: seLinuxOptions.user/role`);
  };
  seLinuxProblem(obj(podSc.seLinuxOptions), "pod");
  const seccompType = (sc: Obj) => obj(sc.seccompProfile).type as string | undefined;
  if (seccompType(podSc) === "Unconfined") v.push("pod: seccompProfile Unconfined");
  if (obj(podSc.appArmorProfile).type === "Unconfined") v.push("pod: appArmorProfile Unconfined");

  for (const { where, c } of containers) {
    const sc = obj(c.securityContext);
    if (sc.privileged === true) v.push(`${where}: privileged`);
    if (obj(sc.windowsOptions).hostProcess === true) v.push(`${where}: windowsOptions.hostProcess`);
    for (const p of list(c.ports)) {
      if (p.hostPort !== undefined && p.hostPort !== 0) v.push(`${where}: hostPort ${String(p.hostPort)}`);
    }
    for (const cap of (obj(sc.capabilities).add as unknown[] | undefined) ?? []) {
      if (!BASELINE_CAPABILITIES.has(String(cap))) v.push(`${where}: adds capability ${String(cap)}`);
    }
    seLinuxProblem(obj(sc.seLinuxOptions), where);
    if (sc.procMount !== undefined && sc.procMount !== "Default")
      v.push(`${where}: procMount ${String(sc.procMount)}`);
    if (seccompType(sc) === "Unconfined") v.push(`${where}: seccompProfile Unconfined`);
    if (obj(sc.appArmorProfile).type === "Unconfined") v.push(`${where}: appArmorProfile Unconfined`);
  }
  if (level === "baseline") return v;

  // Restricted.
  for (const vol of list(pod.volumes)) {
    const types = Object.keys(vol).filter((k) => k !== "name");
    for (const t of types)
      if (!RESTRICTED_VOLUME_TYPES.has(t)) v.push(`volume ${String(vol.name)}: type ${t}`);
  }
  if (podSc.runAsUser === 0) v.push("pod: runAsUser 0");
  const podSeccompOk = ["RuntimeDefault", "Localhost"].includes(seccompType(podSc) ?? "");
  for (const { where, c } of containers) {
    const sc = obj(c.securityContext);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${where}: allowPrivilegeEscalation is not false`);
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) v.push(`${where}: runAsNonRoot is not true`);
    if (sc.runAsUser === 0) v.push(`${where}: runAsUser 0`);
    const ownSeccomp = seccompType(sc);
    if (!(ownSeccomp ? ["RuntimeDefault", "Localhost"].includes(ownSeccomp) : podSeccompOk)) {
      v.push(`${where}: seccompProfile is neither RuntimeDefault nor Localhost`);
    }
    const caps = obj(sc.capabilities);
    if (!((caps.drop as unknown[] | undefined) ?? []).includes("ALL"))
      v.push(`${where}: capabilities do not drop ALL`);
    for (const cap of (caps.add as unknown[] | undefined) ?? []) {
      if (cap !== "NET_BIND_SERVICE") v.push(`${where}: adds capability ${String(cap)}`);
    }
  }
  return v;
}

/**
 * What the kubelet itself refuses whatever the namespace's policy: a container that (by its own
 * or the inherited pod setting) must run as non-root but is told to run as uid 0.
 */
export function kubeletRunAsNonRootConflicts(pod: Obj): string[] {
  const podSc = obj(pod.securityContext);
  const out: string[] = [];
  for (const { where, c } of allContainers(pod)) {
    const sc = obj(c.securityContext);
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    const uid = sc.runAsUser ?? podSc.runAsUser;
    if (nonRoot === true && uid === 0) out.push(`${where}: runAsUser 0 with runAsNonRoot true`);
  }
  return out;
}
