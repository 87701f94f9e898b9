#!/bin/sh
# Installs the sortie binary for this machine from a release.
#
#   curl -fsSL https://raw.githubusercontent.com/sortie-ai/sortie/main/install.sh | sh
#
# Environment:
#   SORTIE_VERSION       version to install, with or without a leading "v" (default: the latest release)
#   SORTIE_INSTALL_DIR   where to put the binary (default: /usr/local/bin as root, else ~/.local/bin)
#   SORTIE_DOWNLOAD_URL  where the release files are: a URL, a file:// URL or a local directory
#                        holding sortie_<version>_<os>_<arch>.tar.gz and checksums.txt
#                        (default: the GitHub release of SORTIE_VERSION, or the latest one)
#   SORTIE_NO_VERIFY=1   skip the SHA-256 check against checksums.txt (not recommended)
set -eu

REPO_URL="https://github.com/sortie-ai/sortie"

if [ -t 2 ] && [ "${TERM:-dumb}" != "dumb" ]; then
  RED=$(printf '\033[31m') GREEN=$(printf '\033[32m') BOLD=$(printf '\033[1m') RESET=$(printf '\033[0m')
else
  RED="" GREEN="" BOLD="" RESET=""
fi

info() { printf '%s\n' "sortie-install: $*" >&2; }
fail() {
  printf '%s\n' "${RED}sortie-install: error:${RESET} $*" >&2
  exit 1
}

detect_os() {
  case "$(uname -s)" in
    Linux*) echo linux ;;
    Darwin*) echo darwin ;;
    *) fail "unsupported operating system \"$(uname -s)\": release builds exist for Linux and macOS" ;;
  esac
}

detect_arch() {
  arch=$(uname -m)
  # An x86_64 shell under Rosetta on Apple Silicon still gets the native arm64 build.
  if [ "$1" = darwin ] && [ "$arch" = x86_64 ] &&
    [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
    arch=arm64
  fi
  case "$arch" in
    x86_64 | amd64) echo amd64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) fail "unsupported CPU architecture \"$arch\": release builds exist for amd64 (x86_64) and arm64" ;;
  esac
}

# The Linux builds link glibc; on a musl system (Alpine) the binary could not even start.
check_libc() {
  [ "$1" = linux ] || return 0
  for loader in /lib/ld-musl-*.so.1; do
    [ -e "$loader" ] || continue
    if ! ls /lib64/ld-linux-*.so.* /lib/ld-linux-*.so.* >/dev/null 2>&1; then
      fail "this system uses musl libc ($loader); sortie's Linux builds need glibc: use a glibc-based distribution or the container image"
    fi
  done
}

# fetch <source> <destination>: downloads an http(s) URL, copies a file:// URL or a local path.
fetch() {
  case "$1" in
    http://* | https://*)
      if command -v curl >/dev/null 2>&1; then
        curl -fsSL --retry 3 -o "$2" "$1"
      elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
      else
        fail "neither curl nor wget is installed"
      fi
      ;;
    file://*) cp "${1#file://}" "$2" ;;
    *) cp "$1" "$2" ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is installed (set SORTIE_NO_VERIFY=1 to skip the check)"
  fi
}

path_hint() {
  case ":${PATH}:" in
    *":$1:"*) return 0 ;;
  esac
  case "${SHELL:-}" in
    */zsh) rc="~/.zshrc" line="export PATH=\"$1:\$PATH\"" ;;
    */bash) rc="~/.bashrc" line="export PATH=\"$1:\$PATH\"" ;;
    */fish) rc="~/.config/fish/config.fish" line="fish_add_path $1" ;;
    *) rc="~/.profile" line="export PATH=\"$1:\$PATH\"" ;;
  esac
  info "$1 is not on your PATH; add this line to $rc:"
  printf '  %s\n' "$line" >&2
}

main() {
  os=$(detect_os)
  arch=$(detect_arch "$os")
  check_libc "$os"

  version="${SORTIE_VERSION:-}"
  version="${version#v}"
  if [ -n "${SORTIE_DOWNLOAD_URL:-}" ]; then
    base="${SORTIE_DOWNLOAD_URL%/}"
  elif [ -n "$version" ]; then
    base="$REPO_URL/releases/download/v$version"
  else
    # GitHub redirects this to the newest release's files, without an API call or token.
    base="$REPO_URL/releases/latest/download"
  fi

  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t sortie-install)
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 1' INT TERM

  verify=1
  [ "${SORTIE_NO_VERIFY:-}" = 1 ] && verify=0
  have_sums=0
  if fetch "$base/checksums.txt" "$tmp/checksums.txt" 2>/dev/null; then
    have_sums=1
  elif [ "$verify" = 1 ]; then
    fail "could not download $base/checksums.txt (set SORTIE_VERSION to a released version, or SORTIE_NO_VERIFY=1 to skip the check)"
  fi

  if [ -n "$version" ]; then
    asset="sortie_${version}_${os}_${arch}.tar.gz"
  elif [ "$have_sums" = 1 ]; then
    # The latest release: its checksums list names the archive, and with it the version.
    asset=$(sed -n "s/^[0-9a-f]\{64\}  \(sortie_[^ ]*_${os}_${arch}\.tar\.gz\)\$/\1/p" "$tmp/checksums.txt" | head -n 1)
    [ -n "$asset" ] || fail "the release has no build for ${os}/${arch}"
    version=${asset#sortie_}
    version=${version%_"${os}"_"${arch}".tar.gz}
  else
    fail "cannot tell the latest version without checksums.txt: set SORTIE_VERSION"
  fi

  info "installing sortie $version for ${os}/${arch} from $base"
  fetch "$base/$asset" "$tmp/$asset" || fail "could not download $base/$asset (is $version released for ${os}/${arch}?)"

  if [ "$verify" = 1 ]; then
    expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/checksums.txt")
    [ -n "$expected" ] || fail "checksums.txt has no entry for $asset"
    actual=$(sha256_of "$tmp/$asset")
    [ "$actual" = "$expected" ] || fail "checksum mismatch for $asset: expected $expected, got $actual"
    info "checksum verified ($actual)"
  else
    info "SORTIE_NO_VERIFY=1: skipping the checksum check"
  fi

  mkdir "$tmp/unpacked"
  tar -xzf "$tmp/$asset" -C "$tmp/unpacked" || fail "$asset is not a valid archive"
  [ -f "$tmp/unpacked/sortie" ] || fail "$asset does not contain the sortie binary"

  if [ -n "${SORTIE_INSTALL_DIR:-}" ]; then
    dir="$SORTIE_INSTALL_DIR"
  elif [ "$(id -u)" = 0 ]; then
    dir=/usr/local/bin
  else
    dir="${HOME:?HOME is not set; set SORTIE_INSTALL_DIR}/.local/bin"
  fi
  mkdir -p "$dir" 2>/dev/null || fail "cannot create $dir (run as root, or set SORTIE_INSTALL_DIR)"
  [ -w "$dir" ] || fail "$dir is not writable (run as root, or set SORTIE_INSTALL_DIR)"
  # Install under a temporary name and rename, so a running sortie is never overwritten in place.
  cp "$tmp/unpacked/sortie" "$dir/.sortie.new.$$"
  chmod 755 "$dir/.sortie.new.$$"
  mv -f "$dir/.sortie.new.$$" "$dir/sortie"

  info "${GREEN}installed${RESET} $dir/sortie"
  "$dir/sortie" --version >&2 || info "warning: $dir/sortie --version failed on this machine"
  path_hint "$dir"
  if [ -t 1 ] && [ -z "${CI:-}" ]; then
    printf '\n%sNext:%s sortie validate WORKFLOW.md, then sortie WORKFLOW.md\n' "$BOLD" "$RESET"
    printf 'Docs: %s/tree/main/docs\n' "$REPO_URL"
  fi
}

main "$@"
