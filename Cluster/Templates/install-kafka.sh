#!/bin/bash
# Installs Java and Apache Kafka on a kraft-infra node. Run by boot.sh on the instance's first
# boot, and safe to run again: a release already unpacked is left alone.
#
# The tarball is verified before anything is unpacked: against the SHA-512 pinned in the stack
# config when there is one, otherwise against the .sha512 file Apache publishes beside it.
# Settings come from the node's environment file (see node.env); tests point the paths elsewhere.
set -euo pipefail

node_env=${KRAFT_NODE_ENV:-/etc/kraft-infra/node.env}
install_root=${KRAFT_INSTALL_ROOT:-/opt}
# shellcheck source=/dev/null
. "$node_env"

log() { echo "install-kafka: $*"; }
fail() { echo "install-kafka: ERROR: $*" >&2; exit 1; }

: "${KAFKA_VERSION:?not set in $node_env}" "${SCALA_VERSION:?not set in $node_env}"
: "${KAFKA_DOWNLOAD_URL:?not set in $node_env}" "${KAFKA_ARCHIVE_URL:?not set in $node_env}"
: "${JAVA_PACKAGE:?not set in $node_env}"

release="kafka_${SCALA_VERSION}-${KAFKA_VERSION}"
tarball="${release}.tgz"
target="${install_root}/${release}"

install_java() {
  if dpkg-query -W -f='${Status}' "$JAVA_PACKAGE" 2>/dev/null | grep -q 'install ok installed'; then
    log "$JAVA_PACKAGE is already installed"
    return
  fi
  log "installing $JAVA_PACKAGE"
  # Ubuntu's unattended upgrades may hold the dpkg lock on first boot: wait for it.
  apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$JAVA_PACKAGE"
}

# Prints the lower-case hex digest from an Apache .sha512 file. Apache writes them with
# `gpg --print-md SHA512`: "name: 3A4E 5F...", upper-case groups of 8 digits over several lines;
# a `sha512sum` line ("digest  name") is accepted too.
digest_from_sha512_file() {
  local text
  text=$(tr -d '\r' < "$1")
  case "$text" in
    *:*) text=${text#*:} ;;
    *) text=${text%% *} ;;
  esac
  printf '%s' "$text" | tr -d ' \t\n' | tr 'A-F' 'a-f'
}

# download URL FILE: succeeds only for an HTTP 2xx answer; a 404 is not retried.
download() {
  curl --fail --silent --show-error --location --retry 5 --retry-delay 3 --connect-timeout 20 \
    --output "$2" "$1"
}

fetch_release() {
  local dir=$1 base
  for base in "$KAFKA_DOWNLOAD_URL" "$KAFKA_ARCHIVE_URL"; do
    log "downloading ${base}/${KAFKA_VERSION}/${tarball}"
    if download "${base}/${KAFKA_VERSION}/${tarball}" "${dir}/${tarball}"; then
      if [ -z "${KAFKA_SHA512:-}" ]; then
        download "${base}/${KAFKA_VERSION}/${tarball}.sha512" "${dir}/${tarball}.sha512" \
          || fail "${base} has ${tarball} but not its .sha512; pin kafkaSha512 in the stack config or use another mirror"
      fi
      return 0
    fi
    log "${tarball} is not at ${base} (a release leaves the main site once superseded)"
  done
  fail "${tarball} was found neither at ${KAFKA_DOWNLOAD_URL} nor at ${KAFKA_ARCHIVE_URL}; is kafkaVersion=${KAFKA_VERSION} a real release?"
}

verify_release() {
  local dir=$1 expected actual source
  if [ -n "${KAFKA_SHA512:-}" ]; then
    expected=$(printf '%s' "$KAFKA_SHA512" | tr 'A-F' 'a-f')
    source="the kafkaSha512 pinned in the stack config"
  else
    expected=$(digest_from_sha512_file "${dir}/${tarball}.sha512")
    source="Apache's ${tarball}.sha512"
  fi
  [[ $expected =~ ^[0-9a-f]{128}$ ]] || fail "no SHA-512 digest could be read from ${source}"
  actual=$(sha512sum "${dir}/${tarball}" | cut -d' ' -f1)
  [ "$actual" = "$expected" ] || fail "${tarball} does not match ${source}: expected ${expected}, got ${actual}"
  log "${tarball} matches ${source}"
}

install_java

if [ -x "${target}/bin/kafka-server-start.sh" ]; then
  log "${release} is already unpacked in ${target}"
else
  work=$(mktemp -d "${install_root}/.${release}.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  fetch_release "$work"
  verify_release "$work"
  mkdir "${work}/unpacked"
  tar -xzf "${work}/${tarball}" -C "${work}/unpacked" --no-same-owner
  [ -x "${work}/unpacked/${release}/bin/kafka-server-start.sh" ] || fail "${tarball} has no ${release}/bin/kafka-server-start.sh"
  # Move into place only when complete, so a half-unpacked release is never taken for done.
  mv "${work}/unpacked/${release}" "$target"
fi

# The node's configuration lives in /etc/kafka, outside the release, so no unpack can overwrite it.
ln -sfn "$target" "${install_root}/kafka"
log "${install_root}/kafka -> ${target}"
