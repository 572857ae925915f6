#!/usr/bin/python3
"""Test stand-in for the two AWS endpoints fetch-parameter calls: the instance metadata service
(IMDSv2: a PUT for a token, GETs that must carry it) and SSM's GetParameter. Every GetParameter
request's SigV4 signature is recomputed with botocore (the AWS SDK's own signer) from the
credentials served here, and refused as AWS refuses it when it differs.

usage: aws-stand-in.py CONFIG.json PORT_FILE LOG_FILE
CONFIG: {"region": "...", "role": "..." or null, "params": {"/name": "value"},
         "deny_first": N (answer AccessDeniedException N times first),
         "signing_secret": "..." (verify with this secret instead of the one served)}"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

config = json.load(open(sys.argv[1]))
port_file, log_file = sys.argv[2], sys.argv[3]
ACCESS_KEY, SECRET_KEY, TOKEN = "ASIASTANDINKEY000001", "stand-in-secret-key/abc+123", "stand-in-session-token=="
IMDS_TOKEN = "imds-token-1"
lock = threading.Lock()
denied = [0]


def log(line):
    with lock, open(log_file, "a") as f:
        f.write(line + "\n")


def expected_authorization(handler, body):
    """botocore's Authorization header for the request as received, at its own X-Amz-Date."""
    headers = {"Content-Type": handler.headers["Content-Type"], "X-Amz-Target": handler.headers["X-Amz-Target"]}
    request = AWSRequest(method="POST", url="http://%s/" % handler.headers["Host"], data=body, headers=headers)
    request.context["timestamp"] = handler.headers.get("X-Amz-Date", "")
    secret = config.get("signing_secret", SECRET_KEY)
    auth = SigV4Auth(Credentials(ACCESS_KEY, secret, TOKEN), "ssm", config["region"])
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    return request.headers["Authorization"]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="text/plain"):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, kind, message=None):
        body = {"__type": kind}
        if message is not None:
            body["message"] = message
        self.answer(status, json.dumps(body), "application/x-amz-json-1.1")

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            log("imds token")
            return self.answer(200, IMDS_TOKEN)
        self.answer(400, "")

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
            log("imds refused without token: " + self.path)
            return self.answer(401, "")
        base = "/latest/meta-data/iam/security-credentials/"
        role = config.get("role")
        if self.path == "/latest/meta-data/placement/region":
            return self.answer(200, config["region"])
        if self.path == base:
            return self.answer(200, role) if role else self.answer(404, "")
        if role and self.path == base + role:
            return self.answer(200, json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": ACCESS_KEY,
                                                "SecretAccessKey": SECRET_KEY, "Token": TOKEN,
                                                "Expiration": "2099-01-01T00:00:00Z"}))
        self.answer(404, "")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("X-Amz-Target") != "AmazonSSM.GetParameter":
            return self.error(400, "UnknownOperationException")
        if self.headers.get("X-Amz-Security-Token") != TOKEN:
            return self.error(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
        if self.headers.get("Authorization") != expected_authorization(self, body):
            log("signature mismatch")
            return self.error(400, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
        request = json.loads(body)
        log("signature ok: GetParameter %s WithDecryption=%s" % (request.get("Name"), request.get("WithDecryption")))
        if denied[0] < config.get("deny_first", 0):
            denied[0] += 1
            return self.error(400, "AccessDeniedException", "User is not authorized to perform: ssm:GetParameter")
        name = request.get("Name")
        if name not in config["params"]:
            return self.error(400, "ParameterNotFound")
        self.answer(200, json.dumps({"Parameter": {"Name": name, "Type": "SecureString", "Value": config["params"][name], "Version": 1}}),
                    "application/x-amz-json-1.1")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
