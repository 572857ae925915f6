#!/bin/bash
# Runs before a broker's Kafka starts (ExecStartPre of kafka.service): waits until the KRaft
# controller quorum answers, so the broker never starts against a quorum that is not there.
#
# Ready means a majority of the voters in controller.quorum.voters accept TCP connections and,
# when Kafka's own kafka-metadata-quorum.sh is installed, that it reports a quorum leader.
# Progress goes to stdout, which systemd keeps in the journal (journalctl -u kafka). After
# CONTROLLER_WAIT_TIMEOUT_SECONDS it gives up with exit 1; the unit fails and systemd retries.
set -euo pipefail

config=${1:-/etc/kafka/server.properties}
node_env=${KRAFT_NODE_ENV:-/etc/kraft-infra/node.env}
kafka_home=${KAFKA_HOME:-/opt/kafka}
interval=${KRAFT_WAIT_INTERVAL_SECONDS:-5}
# shellcheck source=/dev/null
. "$node_env"
timeout_seconds=${CONTROLLER_WAIT_TIMEOUT_SECONDS:-300}

log() { echo "wait-for-controllers: $*"; }

voters=$(sed -n 's/^controller\.quorum\.voters=//p' "$config" | tail -n 1)
if [ -z "$voters" ]; then
  log "ERROR: ${config} names no controller.quorum.voters"
  exit 2
fi
IFS=',' read -r -a voter_list <<< "$voters"
majority=$(( ${#voter_list[@]} / 2 + 1 ))
quorum_tool="${kafka_home}/bin/kafka-metadata-quorum.sh"

# reachable HOST PORT: does anything accept a TCP connection there within 2 seconds?
reachable() {
  # The inner shell expands $1 and $2 itself: they are its arguments, not ours.
  # shellcheck disable=SC2016
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' reachable "$1" "$2" 2>/dev/null
}

# The tool's admin client waits default.api.timeout.ms (60 s by default) for the quorum's leader;
# it gets 45 s so that Kafka's own reason, not this script's 60 s timeout, reaches the journal.
admin_config=$(mktemp)
trap 'rm -f "$admin_config"' EXIT
printf 'default.api.timeout.ms=45000\nrequest.timeout.ms=30000\n' > "$admin_config"
# A SASL_SSL controller listener (security = scram-tls) takes the admin's PLAIN credentials and
# the CA, from the file the boot wrote: read here, never passed on a command line.
secrets=${KRAFT_SECRETS_DIR:-/etc/kafka/secrets}
if sed -n 's/^listener\.security\.protocol\.map=//p' "$config" | grep -q SASL_SSL; then
  if [ ! -r "$secrets/admin-controller.properties" ]; then
    log "ERROR: ${secrets}/admin-controller.properties is missing: the controller listener is SASL_SSL and the admin's credentials were not written at boot"
    exit 2
  fi
  cat "$secrets/admin-controller.properties" >> "$admin_config"
fi

# quorum_leader ENDPOINTS: prints the leader id the controllers report, fails when there is none.
# Its own messages go to stderr (the journal too), as stdout is the answer. Without a leader the
# tool fails (DescribeQuorum is answered only by the leader): it prints the reason first on
# stderr, then a stack trace, so the reason is the first line that is no log line or frame.
quorum_leader() {
  local output leader reason
  # A small heap for the tool: the broker's own heap settings are not meant for it.
  output=$(KAFKA_HEAP_OPTS="-Xmx256m" timeout 60 "$quorum_tool" --bootstrap-controller "$1" --command-config "$admin_config" describe --status 2>&1) || {
    reason=$(printf '%s\n' "$output" | grep -v -e '^[[:space:]]' -e '^$' -e '^\[' -e '^Caused by: ' | head -n 1 || true)
    log "no quorum leader yet: ${reason:-no answer within 60s}" >&2
    return 1
  }
  leader=$(printf '%s\n' "$output" | sed -n 's/^LeaderId:[[:space:]]*//p' | head -n 1)
  if [[ $leader =~ ^[0-9]+$ ]]; then
    printf '%s' "$leader"
    return 0
  fi
  log "no quorum leader yet (LeaderId: ${leader:-missing})" >&2
  return 1
}

log "waiting up to ${timeout_seconds}s for ${majority} of ${#voter_list[@]} controllers (${voters})"
start=$SECONDS
while :; do
  up=()
  for voter in "${voter_list[@]}"; do
    endpoint=${voter#*@}
    if reachable "${endpoint%:*}" "${endpoint##*:}"; then
      up+=("$endpoint")
    fi
  done
  elapsed=$(( SECONDS - start ))
  if (( ${#up[@]} >= majority )); then
    if [ ! -x "$quorum_tool" ]; then
      log "${#up[@]} of ${#voter_list[@]} controllers answer (${up[*]}) after ${elapsed}s; ${quorum_tool} is not installed, so the leader is not checked"
      exit 0
    fi
    endpoints=$(IFS=','; printf '%s' "${up[*]}")
    if leader=$(quorum_leader "$endpoints"); then
      log "${#up[@]} of ${#voter_list[@]} controllers answer and node ${leader} leads the quorum after ${elapsed}s"
      exit 0
    fi
  else
    log "${#up[@]} of ${#voter_list[@]} controllers answer (need ${majority}) after ${elapsed}s"
  fi
  if (( elapsed >= timeout_seconds )); then
    log "ERROR: gave up after ${elapsed}s: ${#up[@]} of ${#voter_list[@]} controllers answer, ${majority} and a leader are needed; systemd will retry"
    exit 1
  fi
  sleep "$interval"
done
