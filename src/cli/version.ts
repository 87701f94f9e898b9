// Build metadata, injected by `bun build --define` (see scripts/build.ts); "dev"/"unknown" when
// running from source.

declare const __SORTIE_VERSION__: string | undefined;
declare const __SORTIE_COMMIT__: string | undefined;
declare const __SORTIE_BUILD_DATE__: string | undefined;

export const VERSION: string =
  typeof __SORTIE_VERSION__ === "string" && __SORTIE_VERSION__ ? __SORTIE_VERSION__ : "dev";
export const COMMIT: string =
  typeof __SORTIE_COMMIT__ === "string" && __SORTIE_COMMIT__ ? __SORTIE_COMMIT__ : "unknown";
export const BUILD_DATE: string =
  typeof __SORTIE_BUILD_DATE__ === "string" && __SORTIE_BUILD_DATE__ ? __SORTIE_BUILD_DATE__ : "unknown";

/** Runtime label used where the Go original prints its Go version. */
export const RUNTIME_VERSION = `bun${Bun.version}`;

const GO_OS: Record<string, string> = { linux: "linux", darwin: "darwin", win32: "windows" };
const GO_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };

/** `sortie <version> (commit: <sha7>, built: <date>, bun<ver>, <os>/<arch>)`. */
export function versionBanner(): string {
  const os = GO_OS[process.platform] ?? process.platform;
  const arch = GO_ARCH[process.arch] ?? process.arch;
  return `sortie ${VERSION} (commit: ${COMMIT.slice(0, 7)}, built: ${BUILD_DATE}, ${RUNTIME_VERSION}, ${os}/${arch})\n`;
}
