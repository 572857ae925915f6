#!/bin/bash
# Run on one broker through SSM Run Command after a Kafka upgrade has reached every node:
# finalizes metadata.version, and only it (kafka-features.sh upgrade --feature; never
# --release-version, which also raises kraft.version and turns a static quorum dynamic,
# KAFKA-21426). It is never lowered.
#
# Usage: kafka-finalize.sh LEVEL:VERSION   e.g. 27:4.1-IV1 (kafka-features.sh --feature takes the level)
#
# Answers with one line on stdout:
#   metadata.version 3.9-IV0 -> 4.1-IV1                                          (exit 0)
#   metadata.version is 4.1-IV1 already                                           (exit 0)
#   refused: metadata.version is 4.1-IV1, newer than 4.0-IV3: it is never lowered (exit 1)
# A usage or configuration error is one line on stderr (exit 2).
set -euo pipefail

usage() {
  echo "usage: kafka-finalize.sh LEVEL:VERSION (e.g. 27:4.1-IV1)" >&2
  exit 2
}
fail() { echo "kafka-finalize: ERROR: $*" >&2; exit 2; }
# shellcheck source=/dev/null # kafka-tools.sh, checked on its own
. "${KRAFT_LIB_DIR:-$(dirname "$0")}/kafka-tools.sh"

[ $# -eq 1 ] || usage
[[ $1 =~ ^([0-9]+):([0-9]+\.[0-9]+-IV[0-9]+)$ ]] || usage
level=${BASH_REMATCH[1]}
target=${BASH_REMATCH[2]}

config=${KRAFT_KAFKA_CONFIG:-/etc/kafka/server.properties}
tool_timeout=${KRAFT_TOOL_TIMEOUT_SECONDS:-60}
[[ $tool_timeout =~ ^[1-9][0-9]*$ ]] || fail "KRAFT_TOOL_TIMEOUT_SECONDS must be a whole number of seconds, not '${tool_timeout}'"
[ -r "$config" ] || fail "cannot read ${config}"
bootstrap=$(broker_endpoint)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_admin_config

# older A B: is metadata version A older than B? (X.Y-IVn sorts as versions do.)
older() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }

# describe: "Feature: metadata.version<TAB>SupportedMinVersion: 3.3-IV3<TAB>SupportedMaxVersion: 4.1-IV1<TAB>FinalizedVersionLevel: 4.0-IV3<TAB>Epoch: 42"
status=0
run_tool kafka-features.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" describe || status=$?
(( status == 0 )) || { echo "failed: kafka-features.sh describe: $(tool_error "$status")"; exit 1; }
pattern=$'^Feature: metadata\\.version\tSupportedMinVersion: [^\t]*\tSupportedMaxVersion: ([^\t]+)\tFinalizedVersionLevel: ([^\t]+)\t'
supported="" finalized=""
while IFS= read -r line; do
  if [[ $line =~ $pattern ]]; then
    supported=${BASH_REMATCH[1]}
    finalized=${BASH_REMATCH[2]}
  fi
done < "$work/out"
[ -n "$finalized" ] || { echo "failed: kafka-features.sh describe printed no metadata.version line"; exit 1; }

if [ "$finalized" = "$target" ]; then
  echo "metadata.version is ${target} already"
  exit 0
fi
if older "$target" "$finalized"; then
  echo "refused: metadata.version is ${finalized}, newer than ${target}: it is never lowered"
  exit 1
fi
if older "$supported" "$target"; then
  echo "refused: this broker supports metadata.version up to ${supported}, not ${target}: roll every node onto the new release first"
  exit 1
fi

status=0
run_tool kafka-features.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" upgrade --feature "metadata.version=${level}" || status=$?
if (( status != 0 )); then
  # kafka-features.sh says why on stdout ("Could not upgrade metadata.version to 27. <reason>").
  reason=$(grep '^Could not upgrade' "$work/out" | head -n 1 || true)
  echo "failed: ${reason:-$(tool_error "$status")}"
  exit 1
fi
echo "metadata.version ${finalized} -> ${target}"
