#!/bin/bash
# Run on one broker through SSM Run Command: makes the cluster's topics match the declared list.
# Topics are created and changed through this broker's own listener, never through a controller.
#
# Usage: kafka-topics-apply.sh TOPICS_BASE64
#   TOPICS_BASE64 is the standard base64 of a JSON array such as
#   [{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"retention.ms": "604800000"}}]
#
# The list is data: it is decoded and checked again here by python3 (names as Kafka allows them,
# counts >= 1, config keys and values), which hands bash NUL-separated fields; nothing in it is
# ever run as shell. An invalid list exits 2 before any Kafka tool runs.
#
# Everything is planned before anything changes. A topic whose partitions would go down or
# whose replication factor would change is refused (Kafka cannot lower partitions; a new
# replication factor needs a partition reassignment), and then nothing changes at all: exit 1.
# Otherwise missing topics are created, partitions raised and declared config values that differ
# from the topic's own (dynamic) values set. Configs left out of the list are left alone and
# topics left out are never deleted. One line per topic on stdout, then "topics: a,b".
# Running it again with the same list changes nothing and runs no create or alter command, as
# long as the values are written the way Kafka prints them back (e.g. 604800000, not 0604800000,
# and compact,delete, not "compact, delete"): kraft-infra sends them so, normalised at config time.
set -euo pipefail

usage() {
  echo "usage: kafka-topics-apply.sh TOPICS_BASE64 (base64 of a JSON array of topics)" >&2
  exit 2
}
fail() { echo "kafka-topics-apply: ERROR: $*" >&2; exit 2; }
# shellcheck source=/dev/null # kafka-tools.sh, checked on its own
. "${KRAFT_LIB_DIR:-$(dirname "$0")}/kafka-tools.sh"

[ $# -eq 1 ] || usage

config=${KRAFT_KAFKA_CONFIG:-/etc/kafka/server.properties}
tool_timeout=${KRAFT_TOOL_TIMEOUT_SECONDS:-120}
[[ $tool_timeout =~ ^[1-9][0-9]*$ ]] || fail "KRAFT_TOOL_TIMEOUT_SECONDS must be a whole number of seconds, not '${tool_timeout}'"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_admin_config

# Decodes and checks the list. Reads the base64 text on stdin; writes, per topic, the fields
# name, partitions, replication factor, number of configs, then key and value of each config,
# every field ended by a NUL (no field can hold one). Problems go to stderr with exit 2.
validator=$(cat <<'PY'
import base64, binascii, json, re, sys, unicodedata

LEGAL_NAME = re.compile(r"[a-zA-Z0-9._-]+")
CONFIG_KEY = re.compile(r"[a-z0-9.]+")
INTERNAL = {"__consumer_offsets", "__transaction_state", "__share_group_state", "__cluster_metadata"}
FIELDS = {"name", "partitions", "replicationFactor", "config"}
MAX_NAME_LENGTH = 249


def fail(message):
    sys.stderr.write("kafka-topics-apply: invalid topic list: " + message + "\n")
    sys.exit(2)


def shown(text):
    quoted = json.dumps(text)
    return quoted if len(quoted) <= 70 else quoted[:60] + '..." (%d characters)' % len(text)


def no_constants(name):
    raise ValueError("%s is not a JSON number" % name)


def unique_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("the key %s appears twice in one object" % shown(key))
        result[key] = value
    return result


def whole_number(where, field, value, largest):
    if isinstance(value, bool) or not isinstance(value, int):
        fail("%s: %s must be a whole number, not %s" % (where, field, json.dumps(value)))
    if value < 1 or value > largest:
        fail("%s: %s must be between 1 and %d, not %d" % (where, field, largest, value))
    return value


text = sys.stdin.read().strip()
if not text:
    fail("the argument is empty")
try:
    raw = base64.b64decode(text, validate=True)
except (binascii.Error, ValueError) as error:
    fail("the argument is not base64 (%s)" % error)
try:
    topics = json.loads(raw.decode("utf-8"), object_pairs_hook=unique_keys, parse_constant=no_constants)
except (UnicodeDecodeError, ValueError) as error:
    fail("the decoded argument is not JSON (%s)" % error)
if not isinstance(topics, list):
    fail("expected a JSON array of topics, not a JSON %s" % type(topics).__name__)

by_unified_name = {}
out = []
for position, topic in enumerate(topics, 1):
    if not isinstance(topic, dict):
        fail("entry %d: expected an object with name, partitions, replicationFactor and config" % position)
    name = topic.get("name")
    if not isinstance(name, str):
        fail("entry %d: name must be a string" % position)
    where = "topic " + shown(name)
    if name == "":
        fail("entry %d: the topic name is empty" % position)
    if name in (".", ".."):
        fail("%s: Kafka does not allow '.' or '..' as a topic name" % where)
    if len(name) > MAX_NAME_LENGTH:
        fail("%s: the name is longer than Kafka's limit of %d characters" % (where, MAX_NAME_LENGTH))
    if not LEGAL_NAME.fullmatch(name):
        fail("%s: the name may only hold ASCII letters, digits, '.', '_' and '-'" % where)
    if name in INTERNAL:
        fail("%s: that is one of Kafka's internal topics, which Kafka manages itself" % where)
    unknown = sorted(set(topic) - FIELDS)
    if unknown:
        fail("%s: unknown field %s (expected name, partitions, replicationFactor, config)" % (where, shown(unknown[0])))
    if "partitions" not in topic or "replicationFactor" not in topic:
        fail("%s: partitions and replicationFactor are required" % where)
    unified = name.replace(".", "_")
    if unified in by_unified_name:
        other = by_unified_name[unified]
        if other == name:
            fail("%s: the topic is declared twice" % where)
        fail("%s: the name collides with topic %s: Kafka treats '.' and '_' alike in topic names "
             "and refuses the second" % (where, shown(other)))
    by_unified_name[unified] = name
    partitions = whole_number(where, "partitions", topic["partitions"], 2147483647)
    replication = whole_number(where, "replicationFactor", topic["replicationFactor"], 32767)
    configs = topic.get("config")
    if configs is None:
        configs = {}
    if not isinstance(configs, dict):
        fail("%s: config must be an object of \"key\": \"value\" strings" % where)
    out += [name, str(partitions), str(replication), str(len(configs))]
    for key, value in configs.items():
        if not CONFIG_KEY.fullmatch(key):
            fail("%s: config key %s may only hold lower-case letters, digits and '.'" % (where, shown(key)))
        if not isinstance(value, str):
            fail("%s: config %s must be a string (e.g. \"604800000\"), not %s" % (where, key, json.dumps(value)))
        if any(unicodedata.category(c) == "Cc" for c in value):
            fail("%s: config %s holds a control character" % (where, key))
        # kafka-configs.sh --add-config strips every '[' and ']' (its grouping brackets) and the
        # white space around a value: such a value could never be set as written.
        if "[" in value or "]" in value:
            fail("%s: config %s holds '[' or ']', which kafka-configs.sh cannot pass on" % (where, key))
        if value != value.strip():
            fail("%s: config %s starts or ends with white space, which Kafka's tools strip" % (where, key))
        out += [key, value]

sys.stdout.buffer.write(b"".join(field.encode("utf-8") + b"\0" for field in out))
PY
)

status=0
printf '%s' "$1" | python3 -I -c "$validator" > "$work/topics" || status=$?
if (( status == 2 )); then
  exit 2
elif (( status != 0 )); then
  fail "python3 could not check the topic list (exit status ${status})"
fi

names=()
partitions=()
replication=()
config_first=()
config_count=()
config_keys=()
config_values=()
mapfile -d '' -t fields < "$work/topics"
i=0
while (( i < ${#fields[@]} )); do
  names+=("${fields[i]}")
  partitions+=("${fields[i + 1]}")
  replication+=("${fields[i + 2]}")
  count=${fields[i + 3]}
  config_first+=("${#config_keys[@]}")
  config_count+=("$count")
  i=$(( i + 4 ))
  for (( j = 0; j < count; j++ )); do
    config_keys+=("${fields[i]}")
    config_values+=("${fields[i + 1]}")
    i=$(( i + 2 ))
  done
done

[ -r "$config" ] || fail "cannot read ${config}"
bootstrap=$(broker_endpoint)

failed() { echo "failed: $*"; exit 1; }

# kafka-topics.sh reads --topic as a regular expression (except with --create) that must match
# the whole name; of the characters a name may hold only '.' means something there.
topic_pattern() { printf '%s' "${1//./\\.}"; }

# add_config_arg INDEX...: the --add-config value setting the given entries of config_keys and
# config_values. kafka-configs.sh splits it at ',' and '=' outside square brackets, so values
# holding either are written in its bracket form, k=[a,b].
add_config_arg() {
  local arg="" k v
  for k in "$@"; do
    v=${config_values[k]}
    if [[ $v == *[,=]* ]]; then
      v="[${v}]"
    fi
    arg+="${arg:+,}${config_keys[k]}=${v}"
  done
  printf '%s' "$arg"
}

# ---- Plan: look at every topic before changing anything ----
exists=()
current_partitions=()
changes=()       # per topic: the indexes into config_keys whose value differs, space-separated
previous=()      # per config index: "was <the value the topic has now>" or "not set before"
refusals=()
declare -A current=()
for t in "${!names[@]}"; do
  name=${names[t]}
  pattern=$(topic_pattern "$name")
  # --if-exists: a missing topic is an empty answer with exit 0. Without it the tool fails with a
  # text that differs between releases (3.8 to 4.0 print "Topic 'Optional[<name>]' does not
  # exist as expected"), so no error text is relied on.
  status=0
  run_tool kafka-topics.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" --describe --if-exists --topic "$pattern" || status=$?
  (( status == 0 )) || failed "cannot describe topic ${name}: $(tool_error "$status"); nothing was changed"
  # The topic's line: Topic: <name>\tTopicId: <id>\tPartitionCount: 3\tReplicationFactor: 2\tConfigs: ...
  have_partitions=""
  have_replication=""
  listed=0
  counts=$'\tPartitionCount: ([0-9]+)\tReplicationFactor: ([0-9]+)(\t|$)'
  while IFS= read -r line; do
    [[ $line == "Topic: ${name}"$'\t'* ]] || continue
    listed=1
    if [[ $line =~ $counts ]]; then
      have_partitions=${BASH_REMATCH[1]}
      have_replication=${BASH_REMATCH[2]}
    fi
  done < "$work/out"
  if [ -z "$have_partitions" ]; then
    if (( listed == 1 )); then
      failed "kafka-topics.sh --describe printed topic ${name} without its partition count; nothing was changed"
    fi
    exists+=(0)
    current_partitions+=(0)
    changes+=("")
    continue
  fi
  exists+=(1)
  current_partitions+=("$have_partitions")
  want_partitions=${partitions[t]}
  want_replication=${replication[t]}
  if (( want_partitions < have_partitions )); then
    refusals+=("refused: topic ${name}: partitions ${have_partitions} -> ${want_partitions}: Kafka cannot take partitions away from a topic; declare ${have_partitions} or more, or delete and re-create the topic yourself (losing its data)")
  fi
  if (( want_replication != have_replication )); then
    refusals+=("refused: topic ${name}: replication factor ${have_replication} -> ${want_replication}: changing it needs a partition reassignment (kafka-reassign-partitions.sh), which this does not do; declare ${have_replication}")
  fi

  # The topic's own (dynamic) configs; lines: "  retention.ms=604800000 sensitive=false synonyms={...}".
  status=0
  run_tool kafka-configs.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" --entity-type topics --entity-name "$name" --describe || status=$?
  (( status == 0 )) || failed "cannot read the configs of topic ${name}: $(tool_error "$status"); nothing was changed"
  current=()
  entry_pattern='^  ([a-z0-9._-]+)=(.*) sensitive=(true|false) synonyms=\{.*\}$'
  while IFS= read -r line; do
    if [[ $line =~ $entry_pattern ]]; then
      current[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    fi
  done < "$work/out"
  differing=""
  first=${config_first[t]}
  for (( c = first; c < first + config_count[t]; c++ )); do
    key=${config_keys[c]}
    if [ -n "${current[$key]+set}" ]; then
      [ "${current[$key]}" != "${config_values[c]}" ] || continue
      previous[c]="was ${current[$key]}"
    else
      previous[c]="not set before"
    fi
    differing+="${differing:+ }${c}"
  done
  changes+=("$differing")
done

if (( ${#refusals[@]} > 0 )); then
  printf '%s\n' "${refusals[@]}"
  echo "nothing was changed"
  exit 1
fi

# ---- Act ----
for t in "${!names[@]}"; do
  name=${names[t]}
  first=${config_first[t]}
  if (( exists[t] == 0 )); then
    create=(--bootstrap-server "$bootstrap" --command-config "$work/admin.properties" --create --topic "$name" --partitions "${partitions[t]}" --replication-factor "${replication[t]}")
    # kafka-topics.sh --config takes key=value split at '=': an empty value or one holding '='
    # cannot pass that way and is set right after creation through kafka-configs.sh.
    later=()
    described=()
    for (( c = first; c < first + config_count[t]; c++ )); do
      value=${config_values[c]}
      if [ -z "$value" ] || [[ $value == *=* ]]; then
        later+=("$c")
      else
        create+=(--config "${config_keys[c]}=${value}")
      fi
      described+=("${config_keys[c]}=${value}")
    done
    status=0
    run_tool kafka-topics.sh "${create[@]}" || status=$?
    (( status == 0 )) || failed "creating topic ${name}: $(tool_error "$status")"
    if (( ${#later[@]} > 0 )); then
      status=0
      run_tool kafka-configs.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" --alter --entity-type topics --entity-name "$name" \
        --add-config "$(add_config_arg "${later[@]}")" || status=$?
      (( status == 0 )) || failed "topic ${name} was created, but setting its config failed: $(tool_error "$status")"
    fi
    line="created ${name} (partitions ${partitions[t]}, replication factor ${replication[t]}"
    if (( ${#described[@]} > 0 )); then
      line+=", config ${described[0]}"
      for entry in "${described[@]:1}"; do
        line+=", ${entry}"
      done
    fi
    echo "${line})"
    continue
  fi

  changed=0
  if (( partitions[t] > current_partitions[t] )); then
    status=0
    run_tool kafka-topics.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" --alter --topic "$(topic_pattern "$name")" --partitions "${partitions[t]}" || status=$?
    (( status == 0 )) || failed "raising the partitions of topic ${name}: $(tool_error "$status")"
    echo "${name}: partitions ${current_partitions[t]} -> ${partitions[t]}"
    changed=1
  fi
  if [ -n "${changes[t]}" ]; then
    read -r -a differing <<< "${changes[t]}"
    status=0
    run_tool kafka-configs.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" --alter --entity-type topics --entity-name "$name" \
      --add-config "$(add_config_arg "${differing[@]}")" || status=$?
    (( status == 0 )) || failed "setting the config of topic ${name}: $(tool_error "$status")"
    for c in "${differing[@]}"; do
      echo "${name}: config ${config_keys[c]}=${config_values[c]} (${previous[c]})"
    done
    changed=1
  fi
  (( changed == 1 )) || echo "${name}: unchanged"
done

echo "topics: $(IFS=','; printf '%s' "${names[*]}")"
