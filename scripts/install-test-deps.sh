#!/usr/bin/env bash
# Installs what the integration tests need on Debian 12 (bookworm), idempotently:
#   mosquitto, PostgreSQL 15 (+ server headers), and TimescaleDB (Apache edition) built from
#   Debian 13's source package, since bookworm does not package it.
# Fast (well under a second) when everything is present. Never starts, stops or reconfigures the
# system PostgreSQL / Mosquitto services: the tests run private instances (test/setup/services.ts).
# The Debian mirror is taken from this machine's own apt configuration; no host name is written here.
set -euo pipefail

PG_MAJOR=15
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
TSDB_CONTROL="/usr/share/postgresql/${PG_MAJOR}/extension/timescaledb.control"
SOURCE_SUITE=trixie
PACKAGES=(
  mosquitto
  "postgresql-${PG_MAJOR}"
  "postgresql-server-dev-${PG_MAJOR}"
  cmake gcc make libc6-dev libssl-dev dpkg-dev ca-certificates
)

log() { printf '[install-test-deps] %s\n' "$*"; }
die() { printf '[install-test-deps] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null || die "not root and sudo is not available"
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

[[ -r /etc/debian_version ]] || die "this script supports Debian only"

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == "installed" ]]
}

# --- 1. Debian packages ---------------------------------------------------------------------------
install_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "packages present: ${PACKAGES[*]}"
    return
  fi
  log "installing: ${missing[*]}"
  # Package maintainer scripts would start the system services on a fresh machine; a temporary
  # policy-rc.d (the Debian mechanism for this) keeps them stopped. An existing one is left alone.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    added_policy=1
  fi
  local rc=0
  { "${SUDO[@]}" apt-get update -qq &&
    "${SUDO[@]}" apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"; } || rc=$?
  if [[ $added_policy -eq 1 ]]; then "${SUDO[@]}" rm -f "$policy"; fi
  [[ $rc -eq 0 ]] || die "apt-get install failed ($rc)"
  log "installed: ${missing[*]}"
}

# --- 2. TimescaleDB (Apache) from Debian 13's source package --------------------------------------
# Prints "<uri> <signed-by keyring or empty>" for this machine's main Debian archive (the entry whose
# suite is the bare release codename, i.e. not -security / -updates), read from deb822 *.sources files
# and from one-line *.list files.
debian_mirror() {
  local codename
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [[ -n "$codename" ]] || die "cannot read VERSION_CODENAME from /etc/os-release"
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    # deb822: stanzas separated by blank lines; fields URIs / Suites / Signed-By / Enabled.
    awk -v want="$codename" '
      function flush() {
        if (uris != "" && enabled != "no" && types ~ /(^| )deb( |$)/) {
          n = split(suites, s, " ")
          for (i = 1; i <= n; i++) if (s[i] == want) { split(uris, u, " "); print u[1], signed; found = 1; exit }
        }
        uris = ""; suites = ""; signed = ""; types = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      { line = $0; key = tolower(line); sub(/:.*/, "", key); val = line; sub(/^[^:]*:[ \t]*/, "", val) }
      key == "uris" { uris = val } key == "suites" { suites = val } key == "types" { types = val }
      key == "signed-by" { signed = val } key == "enabled" { enabled = tolower(val) }
      END { if (!found) flush() }
    ' "$f" | head -n1
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    # one-line format: deb [opts] uri suite components...
    awk -v want="$codename" '
      $1 != "deb" { next }
      {
        i = 2; signed = ""
        if ($2 ~ /^\[/) {
          while (i <= NF) {
            if ($i ~ /^\[?signed-by=/) { signed = $i; sub(/^\[?signed-by=/, "", signed); sub(/\]$/, "", signed) }
            if ($i ~ /\]$/) { i++; break }
            i++
          }
        }
        if ($(i + 1) == want) { print $i, signed; exit }
      }
    ' "$f"
  done
}

install_timescaledb() {
  if [[ -f "$TSDB_CONTROL" ]]; then
    log "timescaledb present: $(grep -m1 default_version "$TSDB_CONTROL" | tr -d "'")"
    return
  fi
  [[ -x "$PG_CONFIG" ]] || die "$PG_CONFIG missing (postgresql-server-dev-${PG_MAJOR})"

  local mirror uri keyring
  mirror="$(debian_mirror | head -n1)"
  [[ -n "$mirror" ]] || die "no Debian archive URI found in /etc/apt/sources.list{,.d/*}"
  uri="${mirror%% *}"
  keyring="${mirror#* }"
  [[ "$keyring" != "$mirror" && -f "$keyring" ]] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  log "building timescaledb from ${SOURCE_SUITE} sources (archive from apt config: ${uri})"

  # A private apt state (own source list, lists and cache dirs) fetches the trixie source package
  # without adding trixie to the machine's sources or touching its package lists: nothing to undo.
  local work
  work="$(mktemp -d /tmp/gt-timescaledb.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  chmod 755 "$work"
  mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
  printf 'deb-src [signed-by=%s] %s %s main\n' "$keyring" "$uri" "$SOURCE_SUITE" >"$work/sources.list"
  if id _apt >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]]; then
    chown _apt "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
  fi
  local apt_opts=(
    -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/parts"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  )
  apt-get "${apt_opts[@]}" -qq update
  (cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only timescaledb)
  local dsc
  dsc="$(ls "$work"/src/timescaledb_*.dsc)"
  log "fetched $(basename "$dsc")"
  # apt already checked every file against the signed Sources index, hence --no-check.
  dpkg-source --no-check -x "$dsc" "$work/timescaledb" >/dev/null

  cmake -S "$work/timescaledb" -B "$work/build" \
    -DPG_CONFIG="$PG_CONFIG" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
    -DSEND_TELEMETRY_DEFAULT=OFF >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log" >&2; die "cmake failed"; }
  make -C "$work/build" -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -50 "$work/make.log" >&2; die "build failed"; }
  "${SUDO[@]}" make -C "$work/build" install >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; die "install failed"; }
  [[ -f "$TSDB_CONTROL" ]] || die "install finished but $TSDB_CONTROL is missing"
  log "installed timescaledb $(grep -m1 default_version "$TSDB_CONTROL" | tr -d "'") into $("$PG_CONFIG" --pkglibdir)"
}

start=$SECONDS
install_packages
install_timescaledb
log "done in $((SECONDS - start))s"
