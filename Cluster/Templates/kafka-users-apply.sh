#!/bin/bash
# Run on one broker through SSM Run Command (security = scram-tls): sets each declared user's
# SCRAM-SHA-512 credential and adds its declared ACLs, through this broker, as the admin.
#
# Usage: kafka-users-apply.sh USERS_BASE64
#   USERS_BASE64 is the standard base64 of a JSON array such as
#   [{"name": "orders-app", "parameter": "/kraft-infra/kraft/users/orders-app",
#     "acls": [{"resource": "topic", "name": "orders", "pattern": "literal", "operations": ["Read", "Write"]}]}]
#
# The list names each password's Parameter Store parameter, never the password: this script
# reads it here with the instance role (fetch-parameter) into a 0600 file in its own temporary
# directory and gives it to kafka-configs.sh with --add-config-file, so it is on no command line.
# Every run sets every credential anew (a new salt; the password of the parameter): that is how a
# changed password rotates. ACLs are only added (kafka-acls.sh --add is a no-op for one that
# exists); removing one from the list leaves it in the cluster.
# One line per user on stdout, then "users: a,b"; exit 1 naming the user and Kafka's reason.
set -euo pipefail

usage() {
  echo "usage: kafka-users-apply.sh USERS_BASE64 (base64 of a JSON array of users)" >&2
  exit 2
}
fail() { echo "kafka-users-apply: ERROR: $*" >&2; exit 2; }
# shellcheck source=/dev/null # kafka-tools.sh, checked on its own
. "${KRAFT_LIB_DIR:-$(dirname "$0")}/kafka-tools.sh"

[ $# -eq 1 ] || usage

config=${KRAFT_KAFKA_CONFIG:-/etc/kafka/server.properties}
tool_timeout=${KRAFT_TOOL_TIMEOUT_SECONDS:-120}
fetch=${KRAFT_FETCH_PARAMETER:-/usr/local/lib/kraft-infra/fetch-parameter}
[[ $tool_timeout =~ ^[1-9][0-9]*$ ]] || fail "KRAFT_TOOL_TIMEOUT_SECONDS must be a whole number of seconds, not '${tool_timeout}'"
[[ $(property listener.security.protocol.map) == *SASL_SSL* ]] || fail "${config}: the listeners are not SASL_SSL, so there are no users to set (security = plaintext)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0700 "$work"
write_admin_config

# Decodes and checks the list; writes, per user, NUL-ended fields: name, parameter, the number
# of ACLs, then per ACL: the kafka-acls.sh resource arguments (count, then each) and the
# operations (count, then each). Nothing in it is ever run as shell. Problems: exit 2.
validator=$(cat <<'PY'
import base64, binascii, json, re, sys

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
PARAMETER = re.compile(r"/kraft-infra/[a-z0-9-]+/users/[A-Za-z0-9._-]+")
OPERATIONS = {
    "topic": {"All", "Read", "Write", "Create", "Describe", "Delete", "Alter", "DescribeConfigs", "AlterConfigs"},
    "group": {"All", "Read", "Describe", "Delete"},
    "cluster": {"All", "Create", "ClusterAction", "DescribeConfigs", "AlterConfigs", "IdempotentWrite", "Alter", "Describe"},
    "transactional-id": {"All", "Describe", "Write"},
}


def fail(message):
    sys.stderr.write("kafka-users-apply: invalid user list: " + message + "\n")
    sys.exit(2)


try:
    users = json.loads(base64.b64decode(sys.stdin.read().strip(), validate=True).decode("utf-8"))
except (binascii.Error, ValueError) as error:
    fail("not base64 of a JSON array: %s" % error)
if not isinstance(users, list):
    fail("not a JSON array")
out = []
seen = set()
for i, user in enumerate(users):
    where = "user %d" % i
    if not isinstance(user, dict) or set(user) - {"name", "parameter", "acls"}:
        fail("%s: expected an object with name, parameter and acls" % where)
    name, parameter, acls = user.get("name"), user.get("parameter"), user.get("acls", [])
    if not isinstance(name, str) or not NAME.fullmatch(name) or name == "admin":
        fail("%s: %s is not a user name kraft-infra sets" % (where, json.dumps(name)))
    if name in seen:
        fail("%s: %s appears twice" % (where, name))
    seen.add(name)
    if not isinstance(parameter, str) or not PARAMETER.fullmatch(parameter):
        fail("%s: %s is not a kraft-infra user parameter name" % (name, json.dumps(parameter)))
    if not isinstance(acls, list):
        fail("%s: acls is not a list" % name)
    out += [name, parameter, str(len(acls))]
    for acl in acls:
        if not isinstance(acl, dict):
            fail("%s: an ACL is not an object" % name)
        resource, target, pattern, ops = acl.get("resource"), acl.get("name"), acl.get("pattern", "literal"), acl.get("operations")
        if resource not in OPERATIONS:
            fail("%s: unknown resource %s" % (name, json.dumps(resource)))
        if pattern not in ("literal", "prefixed"):
            fail("%s: unknown pattern %s" % (name, json.dumps(pattern)))
        if resource == "cluster":
            args = ["--cluster"]
        elif isinstance(target, str) and target and not any(ord(c) < 32 for c in target):
            args = ["--" + resource, target, "--resource-pattern-type", pattern]
        else:
            fail("%s: %s ACL without a valid name" % (name, resource))
        if not isinstance(ops, list) or not ops or any(op not in OPERATIONS[resource] for op in ops):
            fail("%s: operations %s are not all %s operations" % (name, json.dumps(ops), resource))
        out += [str(len(args))] + args + [str(len(ops))] + ops
sys.stdout.write("".join(field + "\0" for field in out))
PY
)

python3 -c "$validator" <<< "$1" > "$work/users" || exit 2

bootstrap=$(broker_endpoint)
names=()
# failed MESSAGE: the reason on stdout (SSM's output), exit 1.
failed() { echo "failed: $*"; exit 1; }

exec 3< "$work/users"
{
  while IFS= read -r -d '' -u 3 name; do
    IFS= read -r -d '' -u 3 parameter
    IFS= read -r -d '' -u 3 acl_count
    names+=("$name")

    "$fetch" "$parameter" > "$work/password" 2> "$work/fetch-err" \
      || failed "user ${name}: ${parameter} could not be read: $(tail -n 1 "$work/fetch-err")"
    # The rule kraft-infra checks at preview; a parameter changed by hand could break the file below.
    python3 -c 'import sys; p = sys.stdin.read(); sys.exit(0 if 16 <= len(p) <= 128 and all(0x21 <= ord(c) <= 0x7e and c not in "\"\\" for c in p) else 1)' < "$work/password" \
      || failed "user ${name}: ${parameter} does not hold 16 to 128 printable ASCII characters without space, '\"' and '\\'"
    # kafka-configs.sh reads SCRAM-SHA-512=[iterations=N,]password=P (everything after password= is
    # the password); as a properties file line, only '\' would need escaping, and it can't occur.
    { printf 'SCRAM-SHA-512=iterations=%s,password=' "${SCRAM_ITERATIONS:-4096}"; cat "$work/password"; echo; } > "$work/scram.properties"
    status=0
    run_tool kafka-configs.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" \
      --alter --entity-type users --entity-name "$name" --add-config-file "$work/scram.properties" || status=$?
    rm -f "$work/scram.properties" "$work/password"
    (( status == 0 )) || failed "user ${name}: kafka-configs.sh --alter could not set the SCRAM-SHA-512 credential: $(tool_error "$status")"

    for (( a = 0; a < acl_count; a++ )); do
      IFS= read -r -d '' -u 3 arg_count
      resource=()
      for (( i = 0; i < arg_count; i++ )); do IFS= read -r -d '' -u 3 arg; resource+=("$arg"); done
      IFS= read -r -d '' -u 3 op_count
      operations=()
      for (( i = 0; i < op_count; i++ )); do IFS= read -r -d '' -u 3 op; operations+=(--operation "$op"); done
      status=0
      run_tool kafka-acls.sh --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" \
        --add --allow-principal "User:${name}" "${operations[@]}" "${resource[@]}" || status=$?
      (( status == 0 )) || failed "user ${name}: kafka-acls.sh --add ${resource[*]} failed: $(tool_error "$status")"
    done
    echo "user ${name}: SCRAM-SHA-512 credential set; ${acl_count} ACL(s) added or already there"
  done
  echo "users: $(IFS=','; printf '%s' "${names[*]}")"
}
