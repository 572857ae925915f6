#!/bin/bash
# Sourced by the node scripts SSM runs (kafka-ready.sh, kafka-topics-apply.sh, kafka-gate.sh,
# kafka-finalize.sh, kafka-users-apply.sh): how they read server.properties, find this broker and run Kafka's
# command-line tools (in $KAFKA_HOME, /opt/kafka by default). The caller sets config
# (server.properties), tool_timeout (seconds) and work (a temporary directory it removes), and
# defines fail MESSAGE.
# shellcheck disable=SC2154 # config, tool_timeout and work are the caller's

# property KEY: the last value $config gives KEY (the one Kafka uses).
property() {
  local key=${1//./\\.}
  sed -n "s/^[[:space:]]*${key}[[:space:]]*[=:][[:space:]]*//p" "$config" | tail -n 1
}

# broker_endpoint: this broker's own client endpoint, the first entry of listeners in $config
# (e.g. CLIENT://10.42.0.30:9092 gives 10.42.0.30:9092); a wildcard host means localhost.
broker_endpoint() {
  local listeners endpoint
  listeners=$(sed -n 's/^[[:space:]]*listeners[[:space:]]*[=:][[:space:]]*//p' "$config" | tail -n 1)
  endpoint=${listeners%%,*}
  endpoint=${endpoint#*://}
  [[ $endpoint =~ ^(.*):([0-9]+)$ ]] || fail "${config} names no listeners endpoint (listeners=${listeners})"
  case ${BASH_REMATCH[1]} in
    "" | 0.0.0.0) endpoint="localhost:${BASH_REMATCH[2]}" ;;
  esac
  printf '%s' "$endpoint"
}

# write_admin_config: writes the --command-config files of Kafka's admin tools:
# $work/admin.properties for --bootstrap-server (kafka-topics.sh, kafka-configs.sh, ...) and
# $work/controller-admin.properties for --bootstrap-controller (kafka-metadata-quorum.sh).
# They wait up to default.api.timeout.ms (60 s by default) for a controller or a leader, and
# run_tool ends them after tool_timeout seconds: given the same time, the wrapper wins the race
# and the answer says "no answer" instead of Kafka's reason. So they get tool_timeout less 15 s
# (the JVM's start and exit), and a request timeout no longer than that (Kafka refuses a shorter
# API timeout). On a SASL_SSL cluster (security = scram-tls) each file also gets the admin's
# credentials and the CA, from the files the boot wrote in $KRAFT_SECRETS_DIR (/etc/kafka/secrets):
# read on the node, never passed on a command line.
write_admin_config() {
  (( tool_timeout >= 20 )) || fail "KRAFT_TOOL_TIMEOUT_SECONDS must be at least 20 (the tools need 15 s beyond their own timeout), not ${tool_timeout}"
  local api_ms=$(( (tool_timeout - 15) * 1000 ))
  local request_ms=$(( api_ms < 30000 ? api_ms : 30000 ))
  local secrets=${KRAFT_SECRETS_DIR:-/etc/kafka/secrets} name
  for name in admin controller-admin; do
    printf 'default.api.timeout.ms=%s\nrequest.timeout.ms=%s\n' "$api_ms" "$request_ms" > "$work/${name}.properties"
  done
  if [[ $(property listener.security.protocol.map) == *SASL_SSL* ]]; then
    for name in admin-client admin-controller; do
      [ -r "$secrets/${name}.properties" ] || fail "${secrets}/${name}.properties is missing: the listeners are SASL_SSL and the admin's credentials were not written at boot (see secure-node: lines in /var/log/cloud-init-output.log)"
    done
    cat "$secrets/admin-client.properties" >> "$work/admin.properties"
    cat "$secrets/admin-controller.properties" >> "$work/controller-admin.properties"
  fi
}

# run_tool NAME ARGS...: runs bin/NAME with a small heap (the broker's own settings are not
# meant for it) and a LOG_DIR inside $work (kafka-run-class.sh creates one); its stdout goes to
# $work/out and its stderr to $work/err.
run_tool() {
  local tool="${KAFKA_HOME:-/opt/kafka}/bin/$1"
  shift
  if [ ! -x "$tool" ]; then
    echo "${tool} is not installed" > "$work/err"
    : > "$work/out"
    return 127
  fi
  KAFKA_HEAP_OPTS="-Xmx256m" LOG_DIR="$work/logs" timeout "$tool_timeout" "$tool" "$@" > "$work/out" 2> "$work/err"
}

# tool_error STATUS: one line saying why the last tool failed. kafka-topics.sh prints
# "Error while executing topic command : <message>" on stdout, kafka-acls.sh "Error while
# executing ACL command: <message>" (then the stack trace, also on stdout). The other tools print the message
# first on stderr, then a stack trace (indented "at" lines, "Caused by:" lines); log lines
# ("[<date>] WARN ...") may come before it, and kafka-configs.sh puts "Error while executing
# config command with args ..." first. So: the first stderr line that is none of those.
tool_error() {
  local line
  if [ "$1" -eq 124 ]; then
    # Only kafka-broker-api-versions.sh, which waits until it sees a broker, has no timeout of its own.
    echo "no answer within ${tool_timeout}s"
    return
  fi
  line=$(grep -e '^Error while executing topic command' -e '^Error while executing ACL command' "$work/out" | tail -n 1 || true)
  [ -n "$line" ] || line=$(grep -v -e '^[[:space:]]' -e '^$' -e '^\[' -e '^Caused by: ' -e '^Error while executing config command' "$work/err" | head -n 1 || true)
  [ -n "$line" ] || line=$(grep -v -e '^[[:space:]]' -e '^$' "$work/err" | tail -n 1 || true)
  [ -n "$line" ] || line=$(grep -v -e '^[[:space:]]' -e '^$' "$work/out" | tail -n 1 || true)
  [ -n "$line" ] || line="exit status $1"
  line=${line#Exception in thread \"main\" }
  printf '%s' "${line:0:300}"
}

# quorum_replication_rows FILE: the rows of kafka-metadata-quorum.sh describe --replication in
# FILE as "NodeId Lag LastCaughtUpTimestamp Status" lines. The tool prints a table
# (ToolsUtils.prettyPrintTable: each cell padded with spaces to its column's width and followed
# by a tab), a header row first:
#   NodeId  DirectoryId  LogEndOffset  Lag  LastFetchTimestamp  LastCaughtUpTimestamp  Status
# DirectoryId arrived in 3.9 (KAFKA-16521): 3.7 and 3.8 print the other six columns. So the
# columns are found by their header names, never by position. Exit 3 when the header lacks one.
quorum_replication_rows() {
  awk -F '\t' '
    function cell(i,   v) { v = $i; gsub(/^ +| +$/, "", v); return v }
    !header {
      for (i = 1; i <= NF; i++) column[cell(i)] = i
      header = 1
      if (!("NodeId" in column) || !("Lag" in column) || !("LastCaughtUpTimestamp" in column) || !("Status" in column)) exit 3
      next
    }
    cell(column["NodeId"]) ~ /^[0-9]+$/ {
      print cell(column["NodeId"]), cell(column["Lag"]), cell(column["LastCaughtUpTimestamp"]), cell(column["Status"])
    }
  ' "$1"
}
