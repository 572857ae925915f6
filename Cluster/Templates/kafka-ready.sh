#!/bin/bash
# Run on one broker through SSM Run Command: is the cluster ready for clients? A broker that
# started is not enough: the controller quorum must have a leader with every voter caught up,
# and every broker of the topology must be registered and answering on its client listener.
#
# Usage: kafka-ready.sh EXPECTED_BROKER_IDS   (the topology's broker node ids, e.g. 101,102)
#
# Answers with exactly one line on stdout, written for a person:
#   ready: leader 1, voters 1,2 caught up, brokers 101,102 registered             (exit 0)
#   not ready: no quorum leader: kafka-metadata-quorum.sh failed: <Kafka's reason>; broker 102 not registered (seen: 101)   (exit 1)
# A usage or configuration error is one line on stderr (exit 2). It asks Kafka's own tools:
# kafka-metadata-quorum.sh (describe --status, --replication) through the controllers named in
# controller.quorum.voters, and kafka-broker-api-versions.sh through this broker's listener.
set -euo pipefail

usage() {
  echo "usage: kafka-ready.sh EXPECTED_BROKER_IDS (comma-separated broker node ids, e.g. 101,102)" >&2
  exit 2
}
fail() { echo "kafka-ready: ERROR: $*" >&2; exit 2; }
# shellcheck source=/dev/null # kafka-tools.sh, checked on its own
. "${KRAFT_LIB_DIR:-$(dirname "$0")}/kafka-tools.sh"

if [ $# -ne 1 ] || ! [[ $1 =~ ^[0-9]+(,[0-9]+)*$ ]]; then
  usage
fi
IFS=',' read -r -a expected_brokers <<< "$1"

config=${KRAFT_KAFKA_CONFIG:-/etc/kafka/server.properties}
max_lag=${KRAFT_READY_MAX_LAG:-100}
tool_timeout=${KRAFT_TOOL_TIMEOUT_SECONDS:-60}
[[ $max_lag =~ ^[0-9]+$ ]] || fail "KRAFT_READY_MAX_LAG must be a whole number of records, not '${max_lag}'"
[[ $tool_timeout =~ ^[1-9][0-9]*$ ]] || fail "KRAFT_TOOL_TIMEOUT_SECONDS must be a whole number of seconds, not '${tool_timeout}'"
[ -r "$config" ] || fail "cannot read ${config}"

# The voters, e.g. 1@10.42.0.10:9093,2@10.42.16.10:9093: their ids, and their endpoints for
# --bootstrap-controller.
voters=$(property controller.quorum.voters)
[ -n "$voters" ] || fail "${config} names no controller.quorum.voters"
voter_ids=()
voter_endpoints=()
IFS=',' read -r -a voter_entries <<< "$voters"
for entry in "${voter_entries[@]}"; do
  [[ $entry =~ ^([0-9]+)@(.+:[0-9]+)$ ]] || fail "cannot read the voter '${entry}' in controller.quorum.voters of ${config}"
  voter_ids+=("${BASH_REMATCH[1]}")
  voter_endpoints+=("${BASH_REMATCH[2]}")
done
controllers=$(IFS=','; printf '%s' "${voter_endpoints[*]}")

bootstrap=$(broker_endpoint)

# The tools' LOG_DIR and output live here, and go when the script ends.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_admin_config

join() { local IFS=','; printf '%s' "$*"; }

problems=()

# 1. The quorum has a leader: describe --status prints "LeaderId:               1".
leader=""
status=0
run_tool kafka-metadata-quorum.sh --bootstrap-controller "$controllers" --command-config "$work/controller-admin.properties" describe --status || status=$?
if (( status == 0 )); then
  leader=$(sed -n 's/^LeaderId:[[:space:]]*//p' "$work/out" | head -n 1)
  if ! [[ $leader =~ ^[0-9]+$ ]]; then
    problems+=("no quorum leader (LeaderId: ${leader:-missing})")
    leader=""
  fi
else
  problems+=("no quorum leader: kafka-metadata-quorum.sh failed: $(tool_error "$status")")
fi

# 2. Every voter is caught up, read from describe --replication by quorum_replication_rows.
# Without a leader there is nothing to be caught up with, so it is asked only when there is one.
caught_up=()
if [ -n "$leader" ]; then
  status=0
  run_tool kafka-metadata-quorum.sh --bootstrap-controller "$controllers" --command-config "$work/controller-admin.properties" describe --replication || status=$?
  if (( status == 0 )); then
    declare -A replica_lag=() replica_caught_up=() replica_status=()
    if quorum_replication_rows "$work/out" > "$work/replicas"; then
      while read -r id lag last_caught_up replica; do
        replica_lag[$id]=$lag
        replica_caught_up[$id]=$last_caught_up
        replica_status[$id]=$replica
      done < "$work/replicas"
      readable=("${voter_ids[@]}")
    else
      problems+=("voters not checked: describe --replication printed no NodeId, Lag, LastCaughtUpTimestamp and Status columns")
      readable=()
    fi
    for id in "${readable[@]}"; do
      if [ -z "${replica_status[$id]+set}" ]; then
        problems+=("voter ${id} is missing from the quorum's replication state")
      elif [ "${replica_status[$id]}" != Leader ] && [ "${replica_status[$id]}" != Follower ]; then
        problems+=("voter ${id} is not voting (Status: ${replica_status[$id]})")
      elif [ "${replica_caught_up[$id]}" = -1 ]; then
        problems+=("voter ${id} has not caught up with the leader yet")
      elif ! [[ ${replica_lag[$id]} =~ ^-?[0-9]+$ ]]; then
        problems+=("voter ${id} reports an unreadable lag '${replica_lag[$id]}'")
      elif (( replica_lag[$id] > max_lag )); then
        problems+=("voter ${id} lags ${replica_lag[$id]} records (at most ${max_lag} allowed)")
      else
        caught_up+=("$id")
      fi
    done
  else
    problems+=("voters not checked: kafka-metadata-quorum.sh describe --replication failed: $(tool_error "$status")")
  fi
fi

# 3. Every expected broker is registered and answers. kafka-broker-api-versions.sh prints one block
# per broker the cluster's metadata names, starting with the broker (Kafka's Node.toString; 4.0
# added isFenced, always false here: the metadata it reads lists unfenced brokers only, so a
# fenced broker is simply absent), then either its API versions or the error it gave:
#   10.42.0.30:9092 (id: 101 rack: eu-west-1a isFenced: false) -> (
#   10.42.16.30:9092 (id: 102 rack: eu-west-1b isFenced: false) -> ERROR: <message>
registered=()
extra=()
status=0
run_tool kafka-broker-api-versions.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" || status=$?
if (( status == 0 )); then
  declare -A broker_seen=() broker_error=()
  node_pattern='^[^[:space:]]+ \(id: ([0-9]+) rack: (.*)\) -> (.*)$'
  while IFS= read -r line; do
    [[ $line =~ $node_pattern ]] || continue
    id=${BASH_REMATCH[1]}
    answer=${BASH_REMATCH[3]}
    broker_seen[$id]=1
    if [[ $answer == "ERROR: "* ]]; then
      broker_error[$id]=${answer#ERROR: }
    fi
  done < "$work/out"
  missing=()
  declare -A is_expected=()
  for id in "${expected_brokers[@]}"; do
    is_expected[$id]=1
    if [ -z "${broker_seen[$id]+set}" ]; then
      missing+=("$id")
    elif [ -n "${broker_error[$id]+set}" ]; then
      problems+=("broker ${id} does not answer: ${broker_error[$id]:0:200}")
    else
      registered+=("$id")
    fi
  done
  seen=()
  for id in $(printf '%s\n' "${!broker_seen[@]}" | sort -n); do
    seen+=("$id")
    [ -n "${is_expected[$id]+set}" ] || extra+=("$id")
  done
  if (( ${#missing[@]} > 0 )); then
    if (( ${#missing[@]} == 1 )); then noun="broker"; else noun="brokers"; fi
    if (( ${#seen[@]} > 0 )); then seen_text=$(join "${seen[@]}"); else seen_text="none"; fi
    problems+=("${noun} $(join "${missing[@]}") not registered (seen: ${seen_text})")
  fi
else
  problems+=("brokers not checked: kafka-broker-api-versions.sh failed: $(tool_error "$status")")
fi

extra_text=""
if (( ${#extra[@]} > 0 )); then
  extra_text="also registered, not in the topology: $(join "${extra[@]}")"
fi

if (( ${#problems[@]} == 0 )); then
  line="ready: leader ${leader}, voters $(join "${caught_up[@]}") caught up, brokers $(join "${registered[@]}") registered"
  [ -z "$extra_text" ] || line+=" (${extra_text})"
  echo "$line"
  exit 0
fi
[ -z "$extra_text" ] || problems+=("$extra_text")
line="not ready: ${problems[0]}"
for problem in "${problems[@]:1}"; do
  line+="; ${problem}"
done
echo "$line"
exit 1
