#!/bin/bash
# Boot step of a scram-tls node (boot.sh runs it as root before the format): reads the node's
# TLS key and the admin's password from Parameter Store with the instance role (the user data
# names the parameters only) and writes, root:kafka 0640 in /etc/kafka/secrets: the PEM key store
# (key, certificate, CA), the JAAS file KAFKA_OPTS names, and the admin's tool configs for
# --bootstrap-server (SCRAM) and --bootstrap-controller (PLAIN). On a controller also
# bootstrap-scram.arg, the admin's salted credential for the format's --add-scram; boot.sh
# removes it after the format. Any failure stops the boot: fail closed.
set -euo pipefail

node_env=${KRAFT_NODE_ENV:-/etc/kraft-infra/node.env}
# shellcheck source=/dev/null
. "$node_env"
fetch=${KRAFT_FETCH_PARAMETER:-/usr/local/lib/kraft-infra/fetch-parameter}
tls_dir=${KRAFT_TLS_DIR:-/etc/kafka/tls}
secrets=${KRAFT_SECRETS_DIR:-/etc/kafka/secrets}
# Tests run it unprivileged, as their own user and group.
owner=${KRAFT_SECRETS_OWNER:-root}
group=${KRAFT_SECRETS_GROUP:-kafka}

log() { echo "secure-node: $*"; }
fail() { log "ERROR: $*"; exit 1; }

for file in "$tls_dir/ca.pem" "$tls_dir/node-cert.pem"; do
  [ -s "$file" ] || fail "${file} is missing or empty: the user data should have written it"
done

install -d -o "$owner" -g "$group" -m 0750 "$secrets"
umask 077
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# fetch NAME FILE: the parameter's value into FILE (0600); fetch-parameter says why it failed.
fetch() {
  "$fetch" "$1" > "$2" || fail "could not read $1 from Parameter Store; the node stops here and Kafka is not started"
  [ -s "$2" ] || fail "$1 is empty in Parameter Store"
}

fetch "$ADMIN_PASSWORD_PARAMETER" "$scratch/admin-password"
fetch "$TLS_KEY_PARAMETER" "$scratch/tls-key"
admin_password=$(cat "$scratch/admin-password")
# The stack generates it from letters and digits: anything else means the parameter was changed
# by hand, and would break the quoting of the JAAS file below.
[[ $admin_password =~ ^[A-Za-z0-9]{16,128}$ ]] || fail "${ADMIN_PASSWORD_PARAMETER} does not hold 16 to 128 letters and digits"
# Kafka's PEM key store reads unencrypted PKCS#8 only ("BEGIN PRIVATE KEY").
grep -q -- '-----BEGIN PRIVATE KEY-----' "$scratch/tls-key" || fail "${TLS_KEY_PARAMETER} holds no PKCS#8 private key (-----BEGIN PRIVATE KEY-----)"

# put NAME: moves $scratch/NAME into $secrets, root:kafka 0640, in one rename.
put() {
  chown "${owner}:${group}" "$scratch/$1"
  chmod 0640 "$scratch/$1"
  mv -f "$scratch/$1" "$secrets/$1"
}

{ cat "$scratch/tls-key"; echo; cat "$tls_dir/node-cert.pem"; echo; cat "$tls_dir/ca.pem"; } > "$scratch/node-keystore.pem"
put node-keystore.pem

# Kafka looks a listener's credentials up as <listener>.KafkaServer: client serves the CLIENT
# listener and SCRAM between brokers; controller the PLAIN connections to the controllers (on a
# controller, user_admin is the one account its listener accepts).
{
  if [ "$NODE_ROLE" = broker ]; then
    printf 'client.KafkaServer {\n  org.apache.kafka.common.security.scram.ScramLoginModule required\n  username="admin"\n  password="%s";\n};\n' "$admin_password"
    printf 'controller.KafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username="admin"\n  password="%s";\n};\n' "$admin_password"
  else
    printf 'controller.KafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username="admin"\n  password="%s"\n  user_admin="%s";\n};\n' "$admin_password" "$admin_password"
  fi
} > "$scratch/kafka-server-jaas.conf"
put kafka-server-jaas.conf

# tool_config MECHANISM MODULE: the admin's client settings for Kafka's command-line tools.
tool_config() {
  printf 'security.protocol=SASL_SSL\nsasl.mechanism=%s\n' "$1"
  printf 'sasl.jaas.config=%s required username="admin" password="%s";\n' "$2" "$admin_password"
  printf 'ssl.truststore.type=PEM\nssl.truststore.location=%s\n' "$tls_dir/ca.pem"
}
tool_config SCRAM-SHA-512 org.apache.kafka.common.security.scram.ScramLoginModule > "$scratch/admin-client.properties"
put admin-client.properties
tool_config PLAIN org.apache.kafka.common.security.plain.PlainLoginModule > "$scratch/admin-controller.properties"
put admin-controller.properties

if [ "$NODE_ROLE" = controller ]; then
  # SCRAM's SaltedPassword is PBKDF2-HMAC-SHA-512 of the password over a random salt (RFC 5802's
  # Hi()); the password reaches Python on stdin, never as an argument. The salted password is as
  # good as the password to a client, so it goes to the format as part of a java @argfile (see
  # boot.sh), never on a command line: the line holds the --add-scram option in that file's
  # quoting (single quotes keep the double quotes Kafka's parser needs).
  python3 -c '
import base64, hashlib, os, sys
password = sys.stdin.read().encode("utf-8")
salt = os.urandom(32)
salted = hashlib.pbkdf2_hmac("sha512", password, salt, int(sys.argv[1]))
print("--add-scram '"'"'SCRAM-SHA-512=[name=admin,iterations=%s,salt=\"%s\",saltedpassword=\"%s\"]'"'"'" % (
    sys.argv[1], base64.b64encode(salt).decode(), base64.b64encode(salted).decode()))
' "${SCRAM_ITERATIONS:-4096}" < "$scratch/admin-password" > "$scratch/bootstrap-scram.arg"
  put bootstrap-scram.arg
fi

log "TLS key store, SASL credentials and admin tool configs written to ${secrets}"
