#!/bin/bash
# Run on one node through SSM Run Command between the steps of a rolling change: is the node
# healthy again, so that the next node may be touched? And, before a roll touches its first node,
# the pre-flight: is the cluster healthy enough to lose one node for a while?
#
# Usage: kafka-gate.sh controller:NODE_ID   on that controller: kafka.service active, the node a
#                                          voter (Leader or Follower) with a leader present, its
#                                          lag small and its LastCaughtUpTimestamp within
#                                          controller.quorum.fetch.timeout.ms of the leader's
#        kafka-gate.sh broker:NODE_ID       on that broker: kafka.service active, the broker
#                                          registered, and no under-replicated, under-min-ISR or
#                                          unavailable partition in the cluster
#        kafka-gate.sh preflight            on a broker: a quorum leader and no such partition
#
# Answers with exactly one line on stdout, written for a person:
#   healthy: controller 2 follows leader 1, 0 records and 12 ms behind          (exit 0)
#   not healthy: under-replicated partitions: orders-0, orders-3                (exit 1)
# The SSM driver asks again until the line says healthy or its deadline passes. A usage or
# configuration error is one line on stderr (exit 2).
set -euo pipefail

usage() {
  echo "usage: kafka-gate.sh controller:NODE_ID | broker:NODE_ID | preflight" >&2
  exit 2
}
fail() { echo "kafka-gate: ERROR: $*" >&2; exit 2; }
# shellcheck source=/dev/null # kafka-tools.sh, checked on its own
. "${KRAFT_LIB_DIR:-$(dirname "$0")}/kafka-tools.sh"

[ $# -eq 1 ] || usage
case $1 in
  controller:* | broker:*)
    role=${1%%:*}
    node_id=${1#*:}
    [[ $node_id =~ ^[0-9]+$ ]] || usage
    ;;
  preflight) role=preflight; node_id="" ;;
  *) usage ;;
esac

config=${KRAFT_KAFKA_CONFIG:-/etc/kafka/server.properties}
max_lag=${KRAFT_READY_MAX_LAG:-100}
tool_timeout=${KRAFT_TOOL_TIMEOUT_SECONDS:-60}
[[ $max_lag =~ ^[0-9]+$ ]] || fail "KRAFT_READY_MAX_LAG must be a whole number of records, not '${max_lag}'"
[[ $tool_timeout =~ ^[1-9][0-9]*$ ]] || fail "KRAFT_TOOL_TIMEOUT_SECONDS must be a whole number of seconds, not '${tool_timeout}'"
[ -r "$config" ] || fail "cannot read ${config}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_admin_config

problems=()
summary=""

# The node's own Kafka must run (not asked in the pre-flight, which is about the cluster).
service_active() {
  local state
  state=$(systemctl is-active kafka 2>/dev/null || true)
  [ "$state" = active ] || problems+=("kafka.service is ${state:-unknown}, not active")
}

# partitions_ok FLAG NAME: kafka-topics.sh --describe FLAG lists the partitions it matches (one
# line each, "\tTopic: T\tPartition: P\t...") and prints nothing when none does.
partitions_ok() {
  local bootstrap=$1 flag=$2 name=$3 status=0 line listed=()
  run_tool kafka-topics.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" --describe "$flag" || status=$?
  if (( status != 0 )); then
    problems+=("${name} not checked: kafka-topics.sh ${flag} failed: $(tool_error "$status")")
    return
  fi
  local pattern=$'Topic: ([^\t]+)\tPartition: ([0-9]+)'
  while IFS= read -r line; do
    [[ $line =~ $pattern ]] && listed+=("${BASH_REMATCH[1]}-${BASH_REMATCH[2]}")
  done < "$work/out"
  if (( ${#listed[@]} > 0 )); then
    local shown
    shown=$(printf '%s\n' "${listed[@]:0:10}" | paste -sd, - | sed 's/,/, /g')
    (( ${#listed[@]} <= 10 )) || shown+=" and $(( ${#listed[@]} - 10 )) more"
    problems+=("${name}: ${shown}")
  fi
}

cluster_partitions_ok() {
  partitions_ok "$1" --under-replicated-partitions "under-replicated partitions"
  partitions_ok "$1" --under-min-isr-partitions "partitions under min.insync.replicas"
  partitions_ok "$1" --unavailable-partitions "unavailable partitions"
}

voters=$(property controller.quorum.voters)
[ -n "$voters" ] || fail "${config} names no controller.quorum.voters"
controllers=$(printf '%s' "$voters" | tr ',' '\n' | sed 's/^[0-9]*@//' | paste -sd, -)

case $role in
  controller)
    service_active
    fetch_timeout=$(property controller.quorum.fetch.timeout.ms)
    fetch_timeout=${fetch_timeout:-2000}
    [[ $fetch_timeout =~ ^[0-9]+$ ]] || fail "controller.quorum.fetch.timeout.ms in ${config} is not a number: '${fetch_timeout}'"
    status=0
    run_tool kafka-metadata-quorum.sh --bootstrap-controller "$controllers" --command-config "$work/controller-admin.properties" describe --replication || status=$?
    if (( status != 0 )); then
      problems+=("no quorum leader: kafka-metadata-quorum.sh failed: $(tool_error "$status")")
    elif ! quorum_replication_rows "$work/out" > "$work/replicas"; then
      problems+=("describe --replication printed no NodeId, Lag, LastCaughtUpTimestamp and Status columns")
    else
      leader="" leader_caught_up="" own_status="" own_lag="" own_caught_up=""
      while read -r id lag caught_up replica; do
        if [ "$replica" = Leader ]; then leader=$id; leader_caught_up=$caught_up; fi
        if [ "$id" = "$node_id" ]; then own_status=$replica; own_lag=$lag; own_caught_up=$caught_up; fi
      done < "$work/replicas"
      if [ -z "$leader" ]; then
        problems+=("the quorum has no leader")
      elif [ -z "$own_status" ]; then
        problems+=("controller ${node_id} is missing from the quorum's replication state")
      elif [ "$own_status" != Leader ] && [ "$own_status" != Follower ]; then
        problems+=("controller ${node_id} is not voting (Status: ${own_status})")
      elif [ "$own_status" = Leader ]; then
        summary="controller ${node_id} leads the quorum"
      elif ! [[ $own_lag =~ ^[0-9]+$ && $own_caught_up =~ ^[0-9]+$ && $leader_caught_up =~ ^[0-9]+$ ]]; then
        problems+=("controller ${node_id} has not caught up with leader ${leader} yet")
      elif (( own_lag > max_lag )); then
        problems+=("controller ${node_id} lags leader ${leader} by ${own_lag} records (at most ${max_lag} allowed)")
      elif (( leader_caught_up - own_caught_up > fetch_timeout )); then
        problems+=("controller ${node_id} last caught up $(( leader_caught_up - own_caught_up )) ms before leader ${leader} (at most controller.quorum.fetch.timeout.ms = ${fetch_timeout})")
      else
        summary="controller ${node_id} follows leader ${leader}, ${own_lag} records and $(( leader_caught_up - own_caught_up )) ms behind"
      fi
    fi
    ;;
  broker)
    service_active
    bootstrap=$(broker_endpoint)
    status=0
    run_tool kafka-broker-api-versions.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" || status=$?
    if (( status != 0 )); then
      problems+=("broker ${node_id} not checked: kafka-broker-api-versions.sh failed: $(tool_error "$status")")
    else
      # Only unfenced brokers are listed (Node.toString, then " -> "), so listed means registered.
      registered=0
      node_pattern="^[^[:space:]]+ \\(id: ${node_id} rack: .*\\) -> "
      while IFS= read -r line; do
        [[ $line =~ $node_pattern ]] && registered=1
      done < "$work/out"
      (( registered == 1 )) || problems+=("broker ${node_id} is not registered (or still fenced)")
    fi
    cluster_partitions_ok "$bootstrap"
    summary="broker ${node_id} registered, every partition fully replicated and led"
    ;;
  preflight)
    bootstrap=$(broker_endpoint)
    status=0
    run_tool kafka-metadata-quorum.sh --bootstrap-controller "$controllers" --command-config "$work/controller-admin.properties" describe --status || status=$?
    if (( status != 0 )); then
      problems+=("no quorum leader: kafka-metadata-quorum.sh failed: $(tool_error "$status")")
    elif ! [[ $(sed -n 's/^LeaderId:[[:space:]]*//p' "$work/out" | head -n 1) =~ ^[0-9]+$ ]]; then
      problems+=("no quorum leader")
    fi
    cluster_partitions_ok "$bootstrap"
    summary="a quorum leader, every partition fully replicated and led"
    ;;
esac

if (( ${#problems[@]} == 0 )); then
  echo "healthy: ${summary}"
  exit 0
fi
line="not healthy: ${problems[0]}"
for problem in "${problems[@]:1}"; do
  line+="; ${problem}"
done
echo "$line"
exit 1
